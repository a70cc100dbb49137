/**
 * KMS as AWS decides a request on a customer managed key, for a synthesized stack
 * (AWS KMS developer guide, "Key policies in AWS KMS" and "Determining access to an AWS
 * KMS key"): the key policy is where access starts. It allows a principal directly (a
 * role's ARN, or a service principal under its conditions, such as `aws:SourceAccount`,
 * `aws:SourceArn` or `kms:ViaService`), or lets the account's IAM policies decide (a
 * statement for `arn:aws:iam::ACCOUNT:root`), and then the principal's identity policy
 * must allow the action too. An explicit deny in either wins. A service principal has no
 * identity policies: only the key policy can let it in. ADR 0016.
 *
 * Keys of the template are read with their key policies (AWS's default policy when the
 * template gives none); keys the template only names (imported keys) are decided by the
 * policies the test gives in `importedKeys`. Identity policies are those test/local-iam
 * reads for each role. @cloud-copilot/iam-simulate's KMS authorizer makes the decision.
 *
 * ## The hook for the local services
 *
 *   const kms = await LocalKms.forTemplate(template, { identity, deployed, importedKeys });
 *   const key = kms.keyOfBucket(bucketName);          // the bucket's SSE-KMS key, if any
 *   const denied = key && kms.check({ principal, keyArn: key, action: 'kms:Decrypt', context: kms.viaS3(bucketName, objectKey) });
 *   if (denied) answer(403, 'AccessDenied', denied.message);   // S3 answers for KMS
 *
 * - `principal`: a role's logical ID, role ARN or assumed-role ARN, or a service
 *   principal (`personalize.amazonaws.com`).
 * - `context`: what KMS sees besides the principal. For a read or write through S3,
 *   `viaS3(bucket, key)`; for Personalize's own principal, `personalizeSource(arn)` (the
 *   resource Personalize acts for). `kms:CallerAccount`, `aws:PrincipalArn` and the like
 *   are set here.
 *
 * `check` is synchronous (the reference is loaded by `forTemplate`), answers undefined
 * when KMS allows the request, and records every decision in `decisions`.
 */
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { isServicePrincipal } from '@cloud-copilot/iam-utils';
import { KeyModel, KeyPolicy, StackKeys } from './key-policies';
import type { StackIdentity, TemplateJson } from '../harness/template';
import { DEFAULT_IDENTITY } from '../local-iam/local-iam';
import { DeployedLookup, plausibleDeployment, RoleModel, roleNameOf, StackPolicies } from '../local-iam/policy-model';
import { loadReference, matchingResourceTypes, referenceAction } from '../local-iam/reference';

export interface LocalKmsOptions {
  /** The stack's name, account, region and partition. @default the lifecycle harness's (LifecycleStack, 123456789012, us-east-1, aws) */
  readonly identity?: StackIdentity;
  /** What CloudFormation holds for each custom resource. @default plausibleDeployment */
  readonly deployed?: DeployedLookup;
  /**
   * Keys the template does not hold (imported with `kms.Key.fromKeyArn`), by ARN, with
   * their key policy: the policy is the key owner's, so the test says what it is.
   * @default none: a request on a key neither the template nor this holds fails loudly
   */
  readonly importedKeys?: Record<string, KeyPolicy>;
  /**
   * The SSE-KMS key of buckets the template does not hold, by bucket name.
   * @default none
   */
  readonly importedBucketKeys?: Record<string, string>;
}

/** One request KMS authorizes. */
export interface KmsRequest {
  /** A role's logical ID, role ARN or assumed-role ARN; or a service principal, such as `personalize.amazonaws.com`. */
  readonly principal: string;
  /** The key's ARN (or, for a key of the template, its logical ID). */
  readonly keyArn: string;
  /** `kms:Decrypt`, `kms:GenerateDataKey`, `kms:DescribeKey`, `kms:CreateGrant`, … */
  readonly action: string;
  /** Request context: `aws:SourceAccount`, `aws:SourceArn`, `kms:ViaService`, `kms:EncryptionContext:…`. */
  readonly context?: Record<string, string | string[]>;
}

export interface KmsDecision {
  readonly allowed: boolean;
  readonly result: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
  /** The assumed-role session or service principal that asked. */
  readonly principal: string;
  readonly action: string;
  readonly keyArn: string;
  /** For a denial, what denied: the key policy (resource-based) or the principal's identity policies. */
  readonly deniedBy?: 'key policy' | 'identity policy';
  /** AWS's AccessDeniedException wording for a denial; for an allow, a short line. */
  readonly message: string;
  readonly context: Record<string, string | string[]>;
}

/** What KMS answers for a denied request (a service that calls KMS for the caller, as S3 does, answers AccessDenied with this message). */
export interface KmsAccessDenied {
  readonly code: 'AccessDeniedException';
  readonly message: string;
  readonly decision: KmsDecision;
}

/** The account's IAM policies decide nothing for a service principal; a policy allowing everything shows whether the key policy alone denies. */
const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

export class LocalKms {
  /** Reads the template's keys and roles, and loads KMS's authorization reference (to check the actions asked). */
  public static async forTemplate(template: TemplateJson, options: LocalKmsOptions = {}): Promise<LocalKms> {
    const identity = options.identity ?? DEFAULT_IDENTITY;
    const deployed = options.deployed ?? plausibleDeployment(template, identity);
    await loadReference(['kms']);
    return new LocalKms(new StackKeys(template, identity, deployed), new StackPolicies(template, identity, deployed), options);
  }

  /** Every decision made, in order. */
  public readonly decisions: KmsDecision[] = [];

  private readonly keysByArn = new Map<string, KeyModel>();
  private readonly keysById = new Map<string, KeyModel>();
  private readonly bucketKeys: Map<string, string>;

  private constructor(private readonly stackKeys: StackKeys, public readonly policies: StackPolicies, options: LocalKmsOptions) {
    for (const key of stackKeys.keys()) this.addKey(key);
    for (const [keyArn, policy] of Object.entries(options.importedKeys ?? {})) {
      this.addKey({ logicalId: keyArn, keyArn, keyId: keyArn.slice(keyArn.lastIndexOf('/') + 1), policy, owned: false });
    }
    this.bucketKeys = new Map([...stackKeys.bucketKeys(), ...Object.entries(options.importedBucketKeys ?? {})]);
  }

  public get identity(): StackIdentity {
    return this.stackKeys.identity;
  }

  /** Every key known: the template's and the imported ones the test gave. */
  public keys(): KeyModel[] {
    return [...new Set(this.keysByArn.values())];
  }

  /** A key by its ARN, key ID, or (for a key of the template) logical ID. */
  public key(keyArnOrId: string): KeyModel {
    const key = this.keysByArn.get(keyArnOrId) ?? this.keysById.get(keyArnOrId) ?? this.keysById.get(keyArnOrId.slice(keyArnOrId.lastIndexOf('/') + 1));
    if (!key) {
      throw new Error(`No key '${keyArnOrId}' in the template or in importedKeys (keys: ${this.keys().map((k) => `${k.logicalId} ${k.keyArn}`).join(', ')}). `
        + 'Give the policy of an imported key in LocalKmsOptions.importedKeys.');
    }
    return key;
  }

  /** The ARN (or ID, as the template gives it) of the key a bucket encrypts new objects with; undefined for a bucket without SSE-KMS. */
  public keyOfBucket(bucketName: string): string | undefined {
    return this.bucketKeys.get(bucketName);
  }

  /**
   * The context KMS sees when S3 calls it for a reader or writer of an SSE-KMS object
   * (AWS KMS developer guide, "kms:ViaService"; S3 user guide, "Encryption context": the
   * object's ARN, or the bucket's with an S3 Bucket Key).
   */
  public viaS3(bucketName: string, objectKey?: string): Record<string, string | string[]> {
    const { partition, region } = this.identity;
    const arn = `arn:${partition}:s3:::${bucketName}${objectKey === undefined ? '' : `/${objectKey}`}`;
    return { 'kms:ViaService': `s3.${region}.amazonaws.com`, 'kms:EncryptionContext:aws:s3:arn': arn, 'kms:EncryptionContextKeys': ['aws:s3:arn'] };
  }

  /**
   * The context of a request Personalize's own principal makes for one of its resources
   * in this account ("Cross-service confused deputy prevention": AWS sets
   * `aws:SourceAccount` and `aws:SourceArn` when a service acts for a resource).
   */
  public personalizeSource(sourceArn: string, sourceAccount = this.identity.account): Record<string, string> {
    return { 'aws:SourceAccount': sourceAccount, 'aws:SourceArn': sourceArn };
  }

  /** Decides a request as KMS would, and records the decision. */
  public authorize(request: KmsRequest): KmsDecision {
    const decision = this.decide(request);
    this.decisions.push(decision);
    return decision;
  }

  /** The hook a local service calls before it uses a key: undefined when KMS allows it, else KMS's answer. */
  public check(request: KmsRequest): KmsAccessDenied | undefined {
    const decision = this.authorize(request);
    return decision.allowed ? undefined : { code: 'AccessDeniedException', message: decision.message, decision };
  }

  /** For a scenario's closing note: how many requests were decided, and each denial. */
  public summary(): string {
    const denied = this.decisions.filter((decision) => !decision.allowed);
    return `KMS decided ${this.decisions.length} request(s): ${this.decisions.length - denied.length} allowed, ${denied.length} denied`
      + denied.map((decision) => `\n- ${decision.message}`).join('');
  }

  private addKey(key: KeyModel): void {
    this.keysByArn.set(key.keyArn, key);
    this.keysById.set(key.keyId, key);
    this.keysById.set(key.logicalId, key);
  }

  private decide(request: KmsRequest): KmsDecision {
    const key = this.key(request.keyArn);
    checkAction(request.action, key.keyArn);
    const caller = this.caller(request.principal);
    const context = { ...caller.context, ...request.context };
    const simulate = (identityPolicies: Array<{ name: string; policy: unknown }>) => runUnsafeSimulation({
      request: {
        principal: caller.principal,
        action: request.action,
        resource: { resource: key.keyArn, accountId: accountOf(key.keyArn) ?? this.identity.account },
        contextVariables: context,
      },
      identityPolicies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: keyPolicyForSimulation(key),
    }, {});
    const result = simulate(caller.identityPolicies);
    const base = { principal: caller.principal, action: request.action, keyArn: key.keyArn, context };
    if (result === 'Allowed') return { ...base, allowed: true, result, message: `${request.action} on ${key.keyArn} allowed for ${caller.principal}` };

    // Which policy denied: the key policy alone (identity policies allowing everything), or the identity policies.
    const keyPolicyDenies = result === 'ExplicitlyDenied'
      ? simulate([]) === 'ExplicitlyDenied'
      : simulate(caller.isService ? [] : [{ name: 'allow-all', policy: ALLOW_ALL }]) !== 'Allowed';
    const kind = keyPolicyDenies ? 'resource-based' : 'identity-based';
    const why = result === 'ExplicitlyDenied'
      ? `with an explicit deny in a ${kind} policy`
      : `because no ${kind} policy allows the ${request.action} action`;
    return {
      ...base,
      allowed: false,
      result,
      deniedBy: keyPolicyDenies ? 'key policy' : 'identity policy',
      message: `User: ${caller.principal} is not authorized to perform: ${request.action} on resource: ${key.keyArn} ${why}`,
    };
  }

  /** Who asks: the principal string KMS sees, its identity policies, and the context AWS sets for it. */
  private caller(principal: string): {
    principal: string; isService: boolean; identityPolicies: Array<{ name: string; policy: unknown }>; context: Record<string, string>;
  } {
    const { account } = this.identity;
    if (isServicePrincipal(principal)) {
      return { principal, isService: true, identityPolicies: [], context: { 'aws:PrincipalIsAWSService': 'true', 'aws:PrincipalServiceName': principal } };
    }
    const role = this.roleOf(principal);
    return {
      principal: role.sessionArn,
      isService: false,
      identityPolicies: role.policies.map((policy) => ({ name: policy.name, policy: policy.document })),
      context: {
        'aws:PrincipalArn': role.arn,
        'aws:PrincipalAccount': accountOf(role.arn) ?? account,
        'aws:PrincipalIsAWSService': 'false',
        'kms:CallerAccount': accountOf(role.arn) ?? account,
      },
    };
  }

  /** A role of the template; a role ARN the template does not hold is a role with no identity policies here. */
  private roleOf(principal: string): RoleModel {
    try {
      return this.policies.role(principal);
    } catch (error) {
      if (!principal.startsWith('arn:')) throw error;
      const name = roleNameOf(principal);
      const roleAccount = accountOf(principal) ?? this.identity.account;
      const arn = `arn:${this.identity.partition}:iam::${roleAccount}:role/${name}`;
      const sessionArn = principal.includes(':assumed-role/') ? principal : `arn:${this.identity.partition}:sts::${roleAccount}:assumed-role/${name}/${name}`;
      return { logicalId: name, roleName: name, arn, sessionArn, policies: [], unreadManagedPolicies: [] };
    }
  }
}

/** The action is a KMS action of AWS's authorization reference, authorized on a key. */
function checkAction(action: string, keyArn: string): void {
  if (!action.toLowerCase().startsWith('kms:') || !referenceAction(action)) {
    throw new Error(`${action} is not a KMS action of AWS's service authorization reference`);
  }
  if (!matchingResourceTypes(action, keyArn).some((type) => type.name === 'key')) {
    throw new Error(`${action} is not authorized on a key (${keyArn}) in AWS's service authorization reference`);
  }
}

function accountOf(arn: string): string | undefined {
  return /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1];
}

/**
 * The key policy as iam-simulate's engine takes it. Its unvalidated entry point
 * (runUnsafeSimulation, which answers synchronously, as the local services must) loads a
 * resource policy without the name its analysis reads (iam-simulate 0.1.173); a policy
 * already marked validated carries one.
 */
function keyPolicyForSimulation(key: KeyModel): unknown {
  return { __validated: true, policyDocument: key.policy, metadata: { name: `KeyPolicy ${key.logicalId}` }, errors: [] };
}
