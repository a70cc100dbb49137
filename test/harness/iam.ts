/**
 * IAM in the lifecycle harness (ADR 0013): every call a function of the stack makes to a
 * local service is authorized against the policies of the template CloudFormation is
 * working on, as AWS would, and a denial is answered as AWS answers it.
 *
 * A local service learns who calls from the SigV4 Authorization header: each function's
 * copy of the bundle signs with an access key ID that names the function
 * (`FUNCTION_KEYS`), and the role is the one the template gives that function, as
 * Lambda's credentials would be. The test's own clients sign with `test`: they stand for
 * the account's administrator, and are not evaluated.
 *
 * The policies are those of the phase's template: the new one while an update runs, the
 * old one during its rollback (CloudFormation updates the IAM resources in the same
 * order). A custom resource a policy reads is read from what CloudFormation holds now.
 */
import * as fs from 'fs';
import { LocalCloudFormation } from './cloudformation';
import type { TemplateJson } from './template';
import { PERSONALIZE_KINDS } from '../../src/personalize/private/declarations';
import { KindDeclaration, declaresCall } from '../../src/private/declaration';
import { REKOGNITION_DATASET } from '../../src/rekognition/private/declarations';
import { IamDecision, LocalIam } from '../local-iam';
import { KmsDecision, LocalKms } from '../local-kms';

/** The access key ID each function's copy of the bundle signs with, by the export its template names as Handler. */
export const FUNCTION_KEYS = {
  /** onEvent and isComplete: the provider's handler, one role. */
  handler: 'LOCALFUNCTIONHANDLER',
  /** The long wait's function. */
  longWait: 'LOCALFUNCTIONLONGWAIT',
} as const;

/** The access key of the test's own clients: the account's administrator, not evaluated. */
export const ADMIN_KEY = 'test';

const HANDLER_OF_KEY: Record<string, string> = {
  [FUNCTION_KEYS.handler]: 'index.onEvent',
  [FUNCTION_KEYS.longWait]: 'index.longWait',
};

/** What a local service answers for a denied call. */
export interface Denial {
  readonly code: string;
  readonly message: string;
}

/** One decision, and the X-Ray trace Root of the invocation whose call it decided, when the call carried one. */
export type HarnessDecision = IamDecision & { readonly traceRoot?: string };

/** Every kind's declaration, which the handler's calls are checked against. */
const DECLARED_KINDS: readonly KindDeclaration[] = [...PERSONALIZE_KINDS, REKOGNITION_DATASET];
/** The services whose calls kinds declare. */
const KIND_SERVICES = ['personalize', 'rekognition', 's3'];

/** Where each environment adds its counts when the variable is set, one JSON line per environment. */
const REPORT_FILE = process.env.CDK_PERSONALIZE_IAM_REPORT;

export class HarnessIam {
  /** Every decision made in this environment, across its templates. */
  public readonly decisions: HarnessDecision[] = [];
  /** Roles assumed by a service (keyForRole), by their access key. */
  private readonly assumedRoles = new Map<string, string>();
  private readonly byTemplate = new WeakMap<TemplateJson, LocalIam>();
  private readonly kmsByTemplate = new WeakMap<TemplateJson, LocalKms>();
  /** Every request KMS decided for an SSE-KMS object, and those it refused in its words (a scenario answers for them). */
  public readonly keyDecisions: KmsDecision[] = [];
  public readonly keyDenials: string[] = [];
  /** Each `RESOURCETYPE service:Operation` the handler called and the harness checked against that kind's declaration. */
  public readonly checkedAgainstDeclarations = new Set<string>();

  /**
   * `resourceTypeOf` names the custom resource type whose request an invocation (by its trace
   * Root) served: a call of the handler is checked against that kind's declaration.
   */
  constructor(private readonly cloudformation: () => LocalCloudFormation,
    private readonly resourceTypeOf: (traceRoot: string) => string | undefined = () => undefined) {}

  /** Loads the policies of a template before CloudFormation works on it. */
  public async prepare(template: TemplateJson): Promise<void> {
    if (this.byTemplate.has(template)) return;
    const cloudformation = this.cloudformation();
    const options = { identity: cloudformation.identity, deployed: (logicalId: string) => cloudformation.deployedResource(logicalId) };
    this.byTemplate.set(template, await LocalIam.forTemplate(template, options));
    this.kmsByTemplate.set(template, await LocalKms.forTemplate(template, options));
  }

  /**
   * Why a service role cannot read `objects` when a service reads them with it (Personalize
   * reads an import's data as the job's role): IAM's s3:GetObject for the role, then, for an
   * SSE-KMS bucket, kms:Decrypt through S3 under the key policy (ADR 0016). Undefined when it can.
   */
  public serviceReadDenied(roleArn: string | undefined, objects: ReadonlyArray<{ bucket: string; key: string }>,
    traceRoot?: string): string | undefined {
    const template = this.cloudformation().activeTemplate();
    const role = roleArn && /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1];
    for (const { bucket, key } of objects) {
      const denied = this.decide(template, role, 's3', 'GetObject', { Bucket: bucket, Key: key }, undefined, traceRoot)
        ?? this.kmsDenial(template, role, 'kms:Decrypt', bucket, key);
      if (denied) return denied.message;
    }
    return undefined;
  }

  /**
   * The access key of a role of the template that a service assumes to call on the stack's behalf (Scheduler's
   * execution role): calls signed with it are evaluated against that role's policies.
   */
  public keyForRole(roleLogicalId: string): string {
    const key = `LOCALROLE${roleLogicalId.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;
    this.assumedRoles.set(key, roleLogicalId);
    return key;
  }

  /**
   * Why Personalize, as `roleArn`, cannot write a batch job's output under the folder `location` (s3://BUCKET/PREFIX/):
   * the role needs s3:PutObject there, and kms:GenerateDataKey when the bucket's default encryption is a key of the template.
   */
  public serviceWriteDenied(roleArn: string | undefined, location: string, traceRoot?: string): string | undefined {
    const folder = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
    if (!folder) return undefined;
    const template = this.cloudformation().activeTemplate();
    const role = roleArn && /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1];
    const [, bucket, prefix] = folder;
    const key = `${prefix}${prefix === '' || prefix.endsWith('/') ? '' : '/'}input.json.out`;
    const denied = this.decide(template, role, 's3', 'PutObject', { Bucket: bucket, Key: key }, undefined, traceRoot)
      ?? this.kmsDenial(template, role, 'kms:GenerateDataKey', bucket, key);
    return denied?.message;
  }

  /**
   * Why Personalize cannot use a dataset group's key (ADR 0016): the role the group passes needs
   * Decrypt and GenerateDataKey, and the key policy must let Personalize's own principal, acting
   * for the group (aws:SourceAccount, aws:SourceArn), use the key and create grants on it.
   */
  public groupKeyDenied(roleArn: string, kmsKeyArn: string, datasetGroupArn: string): string | undefined {
    const template = this.cloudformation().activeTemplate();
    const kms = template && this.kmsByTemplate.get(template);
    const role = /:role\/(?:.*\/)?([^/]+)$/.exec(roleArn)?.[1];
    if (!kms || !role) return undefined;
    const requests = [
      ...['kms:Decrypt', 'kms:GenerateDataKey'].map((action) => ({ principal: role, keyArn: kmsKeyArn, action })),
      ...['kms:Decrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'].map((action) => ({
        principal: 'personalize.amazonaws.com', keyArn: kmsKeyArn, action, context: kms.personalizeSource(datasetGroupArn),
      })),
    ];
    for (const request of requests) {
      const decision = kms.authorize(request);
      this.keyDecisions.push(decision);
      if (!decision.allowed) {
        this.keyDenials.push(decision.message);
        return decision.message;
      }
    }
    return undefined;
  }

  /** S3 reads and writes of an SSE-KMS bucket's objects also need the key: Decrypt to read, GenerateDataKey to write. */
  private s3KeyDenial(template: TemplateJson | undefined, role: string | undefined, operation: string, body: unknown): Denial | undefined {
    const { Bucket, Key, CopySource } = body as { Bucket: string; Key: string; CopySource?: string };
    if (operation === 'GetObject' || operation === 'HeadObject') return this.kmsDenial(template, role, 'kms:Decrypt', Bucket, Key);
    if (operation === 'PutObject') return this.kmsDenial(template, role, 'kms:GenerateDataKey', Bucket, Key);
    if (operation === 'CopyObject') {
      const source = /^\/?([^/]+)\/(.+)$/.exec(decodeURIComponent(CopySource ?? ''));
      return (source ? this.kmsDenial(template, role, 'kms:Decrypt', source[1], source[2]) : undefined)
        ?? this.kmsDenial(template, role, 'kms:GenerateDataKey', Bucket, Key);
    }
    return undefined;
  }

  /** Rekognition reads a dataset's manifest with the caller's permissions, its key included. */
  private manifestKeyDenial(template: TemplateJson | undefined, role: string | undefined, body: unknown): Denial | undefined {
    const manifest = (body as { DatasetSource?: { GroundTruthManifest?: { S3Object?: { Bucket?: string; Name?: string } } } })
      .DatasetSource?.GroundTruthManifest?.S3Object;
    return manifest?.Bucket && manifest.Name ? this.kmsDenial(template, role, 'kms:Decrypt', manifest.Bucket, manifest.Name) : undefined;
  }

  private kmsDenial(template: TemplateJson | undefined, role: string | undefined, action: string, bucket: string, key: string): Denial | undefined {
    const kms = template && this.kmsByTemplate.get(template);
    const keyArn = kms?.keyOfBucket(bucket);
    if (!kms || !keyArn || !role) return undefined;
    const decision = kms.authorize({ principal: role, keyArn, action, context: kms.viaS3(bucket, key) });
    this.keyDecisions.push(decision);
    if (decision.allowed) return undefined;
    this.keyDenials.push(decision.message);
    return { code: 'AccessDeniedException', message: decision.message };
  }

  /**
   * The hook of every local service: undefined when the call is allowed (or made by the
   * test itself), else AWS's AccessDenied answer. `resourceTags` gives the tags of an ARN.
   */
  public check(accessKeyId: string | undefined, service: string, operation: string, body: unknown,
    resourceTags?: (arn: string) => Record<string, string> | undefined, traceRoot?: string): Denial | undefined {
    if (accessKeyId === ADMIN_KEY) return undefined;
    const undeclared = this.undeclaredCall(accessKeyId, `${service}:${operation}`, traceRoot);
    if (undeclared) {
      this.decisions.push({
        allowed: false, result: 'ImplicitlyDenied', principal: accessKeyId ?? '', action: `${service}:${operation}`, resource: '', message: undeclared, traceRoot,
      });
      return { code: 'AccessDeniedException', message: undeclared };
    }
    const template = this.cloudformation().activeTemplate();
    const role = template && this.roleOf(template, accessKeyId);
    return this.decide(template, role, service, operation, body, resourceTags, traceRoot)
      ?? (service === 's3' ? this.s3KeyDenial(template, role, operation, body) : undefined)
      ?? (service === 'rekognition' && operation === 'CreateDataset' ? this.manifestKeyDenial(template, role, body) : undefined);
  }

  /**
   * Why a call is refused before IAM sees it: a kind made a call its declaration does not name
   * (src/private/declaration.ts), whose grant nothing then derives. The handler's calls are checked
   * against the kind of the request it serves; the long wait's against every kind's long-wait calls.
   * Only the services kinds call: the engine's own Step Functions start is IAM's alone.
   */
  private undeclaredCall(accessKeyId: string | undefined, operation: string, traceRoot: string | undefined): string | undefined {
    if (!KIND_SERVICES.some((service) => operation.startsWith(`${service}:`))) return undefined;
    if (accessKeyId === FUNCTION_KEYS.longWait) {
      if (DECLARED_KINDS.some((kind) => declaresCall(kind, operation, 'longWait'))) return undefined;
      return `UndeclaredCall: the long wait called ${operation}, which no kind declares as a long-wait call`;
    }
    const resourceType = accessKeyId === FUNCTION_KEYS.handler && traceRoot ? this.resourceTypeOf(traceRoot) : undefined;
    const kind = resourceType && DECLARED_KINDS.find((declared) => declared.resourceType === resourceType);
    if (!kind) return undefined;
    this.checkedAgainstDeclarations.add(`${kind.resourceType} ${operation}`);
    if (declaresCall(kind, operation)) return undefined;
    return `UndeclaredCall: the ${kind.noun} kind (${kind.resourceType}) called ${operation}, which its declaration does not name`;
  }

  /** The hook of a call a state machine makes (a Task), as the role the template gives it. */
  public checkStateMachine(stateMachineArn: string, service: string, operation: string, body: unknown): Denial | undefined {
    const template = this.cloudformation().activeTemplate();
    const logicalId = /:stateMachine:([^:]+)$/.exec(stateMachineArn)?.[1];
    const roleArn = logicalId ? template?.Resources[logicalId]?.Properties?.RoleArn : undefined;
    const role = (roleArn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    return this.decide(template, role, service, operation, body);
  }

  private decide(template: TemplateJson | undefined, role: string | undefined, service: string, operation: string, body: unknown,
    resourceTags?: (arn: string) => Record<string, string> | undefined, traceRoot?: string): Denial | undefined {
    const iam = template && this.byTemplate.get(template);
    if (!iam || !role) {
      // A call nobody can be authorized for: no template deployed, or a caller no role of it stands for.
      return { code: 'UnrecognizedClientException', message: 'The security token included in the request is invalid' };
    }
    const before = iam.decisions.length;
    const denied = iam.check(role, service, operation, body, resourceTags);
    this.decisions.push(...iam.decisions.slice(before).map((decision) => ({ ...decision, traceRoot })));
    return denied ? { code: denied.code, message: denied.message } : undefined;
  }

  /** The role the template gives the function that signs with `accessKeyId`, by its logical ID. */
  private roleOf(template: TemplateJson, accessKeyId: string | undefined): string | undefined {
    const assumed = accessKeyId && this.assumedRoles.get(accessKeyId);
    if (assumed) return assumed;
    const handler = accessKeyId && HANDLER_OF_KEY[accessKeyId];
    if (!handler) return undefined;
    const fn = Object.values(template.Resources)
      .find((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties?.Handler === handler);
    const role = (fn?.Properties?.Role as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
    return role;
  }

  /**
   * The denials a scenario must answer for, in AWS's words: all but those of invocations
   * `unheard` says CloudFormation no longer listened to. A late delivery of a cancelled
   * request runs under the grants the stack has by then, as in AWS; a refusal there is
   * IAM protecting the stack, and what it left behind is checked by the state invariants.
   */
  public deniedWhileHeard(decisions: readonly HarnessDecision[], unheard: (traceRoot: string) => boolean): string[] {
    return decisions.filter((decision) => !decision.allowed && !(decision.traceRoot && unheard(decision.traceRoot)))
      .map((decision) => decision.message);
  }

  /** How many calls were authorized and denied, and the denials in AWS's words. */
  public summary(): { allowed: number; denied: number; denials: string[] } {
    const denials = this.decisions.filter((decision) => !decision.allowed);
    return { allowed: this.decisions.length - denials.length, denied: denials.length, denials: denials.map((decision) => decision.message) };
  }

  /** Adds this environment's counts to the report file, when CDK_PERSONALIZE_IAM_REPORT names one. */
  public report(): void {
    if (!REPORT_FILE || this.decisions.length === 0) return;
    const { allowed, denied, denials } = this.summary();
    fs.appendFileSync(REPORT_FILE, `${JSON.stringify({ allowed, denied, denials: [...new Set(denials)] })}\n`);
  }
}
