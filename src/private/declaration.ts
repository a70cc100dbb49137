/**
 * What the constructs (src/) and the handler (lambda/) must agree on about a resource kind,
 * written once per kind (src/<service>/private/declarations.ts): its custom resource type,
 * its ARN, its name rule, the calls the handler and the long wait make for it with the IAM
 * actions each needs and on which resources, and its place in a dataset group's deletion order.
 *
 * The constructs derive the handler's grants and their cdk-nag acknowledgments from the calls
 * (handler-access.ts declaredGrants), the handler derives its resource type, `isOwnPhysicalId`
 * and `arnOf` (lambda/kinds/declared.ts), and the test harness refuses any call a kind did
 * not declare. Plain data: the handler's bundle imports it, so nothing here may import aws-cdk-lib.
 */

/**
 * Which resources a permission names.
 * - `self`: the resource of this kind that the construct declares (by name, or its generated-name pattern);
 * - `owned`: every resource of the service that the stack owns, granted to every construct (ownedResourcesGrants);
 * - `anything`: "*", for actions that take no resource-level permission;
 * - any other word: resources the construct names when it derives its grants (its group, its role, ...).
 */
export type Scope = 'self' | 'owned' | 'anything' | string;

/** One IAM action a call needs, and the resources it is authorized on. */
export interface Permission {
  readonly action: string;
  readonly on: readonly Scope[];
  readonly conditions?: Record<string, unknown>;
}

/** One API call, as `service:Operation` (the SDK's command name without `Command`). */
export interface DeclaredCall {
  readonly operation: string;
  readonly permissions: readonly Permission[];
  /** `longWait` for the calls the long wait's function makes while it waits for the kind's work (ADR 0014). */
  readonly by?: 'handler' | 'longWait';
}

export interface KindDeclaration {
  /** The CloudFormation resource type, e.g. Custom::PersonalizeFilter. */
  readonly resourceType: string;
  /** Used in messages: "filter". */
  readonly noun: string;
  /** The service in IAM actions and ARNs. */
  readonly service: 'personalize' | 'rekognition';
  /** The construct prop a user changes to resolve a same-name replacement. */
  readonly nameProperty: string;
  /**
   * The ARN's resource part: `resource/NAME` where NAME matches `namePattern` (a regular expression
   * source). Absent for kinds that create nothing in a service.
   */
  readonly arn?: {
    readonly resource: string;
    readonly namePattern: string;
    /** True when the service picks part of the ARN (an ID, a creation time): no name the stack generates can be granted ahead. */
    readonly idPickedByService?: boolean;
  };
  /** False for kinds whose tags IAM cannot see (`aws:ResourceTag` never matches them): schemas, metric attributions. */
  readonly ownerTagGatesIam: boolean;
  /**
   * For the children of a dataset group: when the group deletes them (emptyOnDelete). A stage starts
   * once every child of the stages before it is gone.
   */
  readonly groupDeletionStage?: number;
  readonly calls: readonly DeclaredCall[];
}

/** A call whose IAM action is its own operation, authorized on the given scopes. */
export function call(operation: string, ...on: Scope[]): DeclaredCall {
  return { operation, permissions: [{ action: operation, on }] };
}

/** A call the long wait's function makes. */
export function longWaitCall(operation: string, ...on: Scope[]): DeclaredCall {
  return { ...call(operation, ...on), by: 'longWait' };
}

/** A call that also passes a role to the service: IAM checks iam:PassRole on it, for that service only. */
export function passingRole(declared: DeclaredCall, servicePrincipal: string): DeclaredCall {
  return {
    ...declared,
    permissions: [...declared.permissions, {
      action: 'iam:PassRole', on: ['role'], conditions: { StringEquals: { 'iam:PassedToService': servicePrincipal } },
    }],
  };
}

/** The calls made to learn and change a resource's tags, which every tagged kind makes (ownership, tag updates). */
export function taggingCalls(service: KindDeclaration['service'], ...on: Scope[]): DeclaredCall[] {
  const scopes = on.length > 0 ? on : ['owned'];
  return [`${service}:ListTagsForResource`, `${service}:TagResource`, `${service}:UntagResource`].map((operation) => call(operation, ...scopes));
}

/** Whether a kind declares a call, made by the handler or by the long wait. */
export function declaresCall(declaration: KindDeclaration, operation: string, by: 'handler' | 'longWait' = 'handler'): boolean {
  return declaration.calls.some((declared) => declared.operation === operation && (declared.by ?? 'handler') === by);
}

/** Every scope a kind's calls name, beyond `self`, `owned` and `anything`: what its construct must supply. */
export function namedScopes(declaration: KindDeclaration, by: 'handler' | 'longWait' = 'handler'): string[] {
  const scopes = declaration.calls.filter((declared) => (declared.by ?? 'handler') === by)
    .flatMap((declared) => declared.permissions.flatMap((permission) => permission.on));
  return [...new Set(scopes)].filter((scope) => !['self', 'owned', 'anything'].includes(scope));
}

/** Matches the ARNs of a kind: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE/NAME`. */
export function arnPatternOf(declaration: KindDeclaration): RegExp {
  if (!declaration.arn) throw new Error(`The ${declaration.noun} kind has no ARN of its own`);
  const { resource, namePattern } = declaration.arn;
  return new RegExp(`^arn:[a-z\\d-]+:${declaration.service}:[a-z\\d-]*:\\d{12}:${resource}/${namePattern}$`);
}

/** The name rule Personalize gives every resource it names: 1-63 letters, digits, hyphens and underscores. */
export const PERSONALIZE_NAME = '[a-zA-Z0-9][a-zA-Z0-9\\-_]*';
