import { ArnFormat, Aws, CfnResource, CustomResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { DELETE_LIST_ACTIONS } from './blocked-deletes';
import { OWNER_TAG_KEY } from './contract';
import { KindDeclaration, namedScopes, Permission } from './declaration';
import { addNagSuppressions, flattenForNag } from './nag';
import { physicalName } from './names';
import { PersonalizeProvider, RESOURCELESS_POLICY_ID } from './provider';
import { PERSONALIZE_KINDS } from '../personalize/private/declarations';

/** One permission the handler needs for one resource. */
export interface HandlerGrant {
  readonly actions: string[];
  /** ARNs or ARN patterns; never built from another custom resource's attributes, which would make a cycle. */
  readonly resources: string[];
  readonly conditions?: Record<string, unknown>;
  /**
   * Why a wildcard in `resources` is needed, for cdk-nag's AwsSolutions-IAM5: each wildcard resource is
   * acknowledged by its exact finding with this reason. Only for wildcards no generated-name pattern covers.
   */
  readonly wildcardReason?: string;
}

const POLICY_ID = 'PersonalizeAccess';
/** What the policy of actions on "*" admits: read-only List and Describe actions (checked against AWS's reference in tests). */
const RESOURCELESS_ACTION = /^[a-z0-9-]+:(List|Describe)[A-Za-z]+$/;
const GUARD_ID = 'OwnershipGuard';
const OWNER_TAG_CONDITION_KEY = `aws:ResourceTag/${OWNER_TAG_KEY}`;

/**
 * What the handler may never do to a resource another stack's handler owns, whatever its
 * code and its Allow statements say: delete, stop, tag or untag it (ADR 0013).
 */
const FOREIGN_OWNER_DENIED_ACTIONS = [
  'personalize:Delete*', 'personalize:Stop*', 'personalize:TagResource', 'personalize:UntagResource',
  'rekognition:DeleteDataset', 'rekognition:TagResource', 'rekognition:UntagResource',
];

/**
 * The owner tag's values of the stack's resources: the handler tags each one
 * `STACKNAME/LOGICALID`, and a stack name holds no '/', so no other stack's tag matches.
 */
const STACK_OWNER_PATTERN = `${Aws.STACK_NAME}/*`;

/** A condition that holds for a resource this stack's handler owns (its owner tag names this stack). */
export function ownedByStack(): Record<string, unknown> {
  return { StringLike: { [OWNER_TAG_CONDITION_KEY]: STACK_OWNER_PATTERN } };
}

/**
 * What the handler does to a resource the stack made, of any kind, once the template may no longer
 * name it: CloudFormation updates the handler's grants before it deletes what a replacement, a
 * removal or a rollback left behind, and a rollback's cleanup runs under the grants of the template
 * before the update, which may hold no resource of that kind at all.
 */
const OWNED_RESOURCE_ACTIONS = {
  // Every Delete, the Stops a delete needs first, and tagging: on resources IAM sees this stack's owner tag on.
  personalize: ['personalize:Delete*', 'personalize:Stop*', 'personalize:TagResource', 'personalize:UntagResource'],
  rekognition: ['rekognition:DeleteDataset'],
};

/**
 * Reads that prove ownership, unconditioned: IAM refuses a tag-conditioned call on a resource that
 * no longer exists (there is no tag to match), and the handler learns that a resource is gone, or
 * whose it is, only by reading it.
 */
const OWNERSHIP_READ_ACTIONS = {
  personalize: ['personalize:Describe*', 'personalize:ListTagsForResource'],
  rekognition: ['rekognition:DescribeDataset', 'rekognition:ListTagsForResource'],
};

/** Personalize kinds whose tags IAM cannot see (they declare no tagging): no condition can tell the stack's own from others'. */
const UNTAGGED_KINDS = PERSONALIZE_KINDS.filter((kind) => kind.arn && !kind.calls.some((declared) => declared.operation.endsWith(':TagResource')));
/** Their reads and deletes of themselves, as their declarations name them. */
const UNTAGGED_KIND_ACTIONS = UNTAGGED_KINDS
  .flatMap((kind) => kind.calls.filter((declared) => declared.permissions.some((permission) => permission.on.includes('self'))))
  .map((declared) => declared.operation).filter((operation) => /:(Describe|Delete)[A-Za-z]+$/.test(operation));

/**
 * Reads, tagging and deletes of every resource of the service in the stack's account and region
 * whose owner tag names this stack, a condition IAM checks (ADR 0013). Schemas and metric
 * attributions carry no tags IAM sees, and a rolled-back update's cleanup must still reach an
 * explicit name only the new template held, so their reads and deletes cover every name: the
 * handler deletes only what it proves its own (content and creation time; the group's ARN), and
 * the service refuses to delete a schema a dataset uses.
 */
export function ownedResourcesGrants(scope: IConstruct, service: keyof typeof OWNED_RESOURCE_ACTIONS): HandlerGrant[] {
  const stack = Stack.of(scope);
  const everyResource = stack.formatArn({ service, resource: '*', arnFormat: ArnFormat.NO_RESOURCE_NAME });
  const tagged: HandlerGrant = {
    actions: OWNED_RESOURCE_ACTIONS[service],
    resources: [everyResource],
    conditions: ownedByStack(),
    wildcardReason: 'Tagging, stops and deletes of what the stack made, also after its name left the template (replaced, '
      + 'removed or rolled back): only resources whose owner tag names this stack, a condition IAM checks.',
  };
  const reads: HandlerGrant = {
    actions: OWNERSHIP_READ_ACTIONS[service],
    resources: [everyResource],
    wildcardReason: 'Read only: Describe and ListTagsForResource are how the handler proves a resource is gone or its own '
      + '(the owner tag), also after its name left the template; a tag condition would refuse them on a resource already gone.',
  };
  if (service !== 'personalize') return [tagged, reads];
  // A delete under the grants of a template that no longer holds its kind still reads what blocks it.
  const lists: HandlerGrant = { actions: DELETE_LIST_ACTIONS, resources: ['*'] };
  // S3 DeleteObject supports no object-tag condition; an import's copy is keyed by its generated job name.
  const importCopies: HandlerGrant = {
    actions: ['s3:DeleteObject'],
    resources: [`arn:${Aws.PARTITION}:s3:::*/imports/${physicalName(scope, undefined, null).grantPattern}`],
    wildcardReason: 'The copy an import job with a generated name made in its own bucket, removed also after the job left the '
      + 'template: the key starts with the stack\'s generated-name prefix, which no other stack\'s names share.',
  };
  return [tagged, reads, lists, importCopies, {
    actions: UNTAGGED_KIND_ACTIONS,
    resources: UNTAGGED_KINDS.map((kind) => stack.formatArn({ service, resource: kind.arn!.resource, resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })),
    wildcardReason: 'Reads and deletes of schemas and metric attributions the stack made, also after a rolled-back update removed '
      + 'an explicit name from the grants: IAM sees no tags on these kinds, the handler deletes only what it proves its own, '
      + 'and Personalize refuses to delete a schema any dataset uses.',
  }];
}

/** The resources a construct names for one scope of its declaration, and why any wildcard among them is needed. */
export interface ScopeResources {
  readonly arns: string[];
  /** For cdk-nag's AwsSolutions-IAM5, as in HandlerGrant. */
  readonly wildcardReason?: string;
}

/**
 * The resources a construct names for its kind's scopes: `self`, and every other scope its declaration's
 * calls name. Undefined for a scope means this configuration makes none of those calls (no role, no asset).
 */
export type DeclaredResources = { readonly self?: string[] | ScopeResources } & Record<string, string[] | ScopeResources | undefined>;

/**
 * The grants a kind's calls need (src/private/declaration.ts), on the resources the construct names: one
 * grant per scope (scopes on the same ARNs merged), the owned-resources grants for `owned`, and "*" for `anything`. `by` picks the handler's
 * calls or the long wait's. Every scope the declaration names must be given, and no other.
 */
export function declaredGrants(scope: IConstruct, declaration: KindDeclaration, resources: DeclaredResources,
  by: 'handler' | 'longWait' = 'handler'): HandlerGrant[] {
  const named = namedScopes(declaration, by);
  const missing = named.filter((name) => !(name in resources));
  const unknown = Object.keys(resources).filter((name) => name !== 'self' && !named.includes(name));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`The ${declaration.noun} construct must name the resources of the scopes its declaration uses: `
      + `missing ${missing.join(', ') || 'none'}, not declared ${unknown.join(', ') || 'none'}`);
  }
  const permissions = declaration.calls.filter((declared) => (declared.by ?? 'handler') === by).flatMap((declared) => declared.permissions);
  const grants: HandlerGrant[] = [];
  for (const scopeName of ['self', 'owned', ...named, 'anything']) {
    const onScope = permissions.filter((permission) => permission.on.includes(scopeName));
    if (onScope.length === 0) continue;
    if (scopeName === 'owned') {
      onScope.forEach((permission) => requireOwnedCovers(declaration, permission));
      grants.push(...ownedResourcesGrants(scope, declaration.service));
      continue;
    }
    const supplied = scopeName === 'anything' ? { arns: ['*'] } : asScopeResources(resources[scopeName]);
    if (!supplied) continue;
    for (const [conditions, actions] of groupByConditions(onScope)) {
      grants.push({ actions, resources: supplied.arns, conditions, wildcardReason: supplied.wildcardReason });
    }
  }
  return mergeSameResources(grants);
}

/** Permissions on the same ARNs make one grant, at the place of the first. */
function mergeSameResources(grants: HandlerGrant[]): HandlerGrant[] {
  const merged = new Map<string, HandlerGrant>();
  for (const grant of grants) {
    const key = JSON.stringify([grant.resources, grant.conditions ?? null, grant.wildcardReason ?? null]);
    const earlier = merged.get(key);
    merged.set(key, earlier ? { ...earlier, actions: [...new Set([...earlier.actions, ...grant.actions])] } : grant);
  }
  return [...merged.values()];
}

function asScopeResources(value: string[] | ScopeResources | undefined): ScopeResources | undefined {
  return Array.isArray(value) ? { arns: value } : value;
}

function groupByConditions(permissions: Permission[]): Array<[Record<string, unknown> | undefined, string[]]> {
  const groups = new Map<string, { conditions?: Record<string, unknown>; actions: Set<string> }>();
  for (const permission of permissions) {
    const key = JSON.stringify(permission.conditions ?? null);
    const group = groups.get(key) ?? { conditions: permission.conditions, actions: new Set<string>() };
    group.actions.add(permission.action);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => [group.conditions, [...group.actions]]);
}

/** A permission a kind declares on `owned` must be one ownedResourcesGrants gives. */
function requireOwnedCovers(declaration: KindDeclaration, permission: Permission): void {
  const service = declaration.service;
  const patterns = [
    ...OWNED_RESOURCE_ACTIONS[service], ...OWNERSHIP_READ_ACTIONS[service],
    ...(service === 'personalize' ? [...DELETE_LIST_ACTIONS, ...UNTAGGED_KIND_ACTIONS, 's3:DeleteObject'] : []),
  ];
  const covered = patterns.some((pattern) => new RegExp(`^${pattern.replace(/\*/g, '.*')}$`).test(permission.action));
  if (!covered) {
    throw new Error(`The ${declaration.noun} kind declares ${permission.action} on 'owned', which the owned-resources grants do not give`);
  }
}

/** IAM's limit on the total size of a role's inline policies, whitespace not counted. */
const ROLE_INLINE_POLICY_LIMIT = 10_240;
const statementsByPolicy = new WeakMap<iam.Policy, Map<string, iam.PolicyStatement>>();

/**
 * Grants the stack's handler what one resource needs, in the stack's single grants
 * policy: one statement per set of actions, listing every resource that needs it.
 * Grants on "*" (actions that take no resource-level permission) go to a policy of
 * their own, RESOURCELESS_POLICY_ID, which holds nothing else.
 *
 * IAM caps a role's inline policies at 10,240 characters in total, so a policy per
 * resource stops deploying at a handful of resources. Generated names are granted
 * by one pattern per kind for the whole stack (`STACKTOKEN_*`), which also covers
 * the names replacements get, so the handler can still delete what a replacement
 * replaced and the policy does not grow with the stack (ADR 0002).
 */
export function grantHandler(provider: PersonalizeProvider, resource: CustomResource, grants: HandlerGrant[]): void {
  const used = new Set<iam.Policy>([grantsPolicy(provider, POLICY_ID)]);
  for (const grant of grants) {
    const policy = grantsPolicy(provider, onEverything(grant) ? RESOURCELESS_POLICY_ID : POLICY_ID);
    used.add(policy);
    const statements = statementsByPolicy.get(policy)!;
    const actions = [...grant.actions].sort();
    const key = JSON.stringify([actions, grant.conditions ?? {}]);
    let statement = statements.get(key);
    if (!statement) {
      statement = new iam.PolicyStatement({ actions, conditions: grant.conditions });
      statements.set(key, statement);
      policy.addStatements(statement);
    }
    statement.addResources(...grant.resources);
    if (grant.wildcardReason) acknowledgeWildcards(policy, grant.actions, grant.resources, grant.wildcardReason);
  }
  resource.node.addDependency(...used, ownershipGuard(provider));
}

/**
 * Whether a grant is on "*": only read-only List and Describe actions without conditions may
 * be, alone, so that the policy of actions on "*" holds what its cdk-nag acknowledgment says.
 */
function onEverything(grant: HandlerGrant): boolean {
  if (!grant.resources.includes('*')) return false;
  const refused = grant.actions.filter((action) => !RESOURCELESS_ACTION.test(action));
  if (grant.resources.length > 1 || grant.conditions || refused.length > 0) {
    throw new Error('A handler grant on "*" must hold only List or Describe actions that take no resource-level permission, without '
      + `conditions or other resources; got ${grant.actions.join(', ')} on ${grant.resources.join(', ')}. Grant other actions on their ARNs.`);
  }
  return true;
}

/**
 * A policy of its own, apart from the grants: a resource whose owner tag names another
 * stack is out of reach of the handler, even under the wide grants of event trackers and
 * emptyOnDelete. Untagged resources are not: children made outside the stack carry no tag (ADR 0013).
 */
function ownershipGuard(provider: PersonalizeProvider): iam.Policy {
  const existing = provider.node.tryFindChild(GUARD_ID) as iam.Policy | undefined;
  if (existing) return existing;
  return new iam.Policy(provider, GUARD_ID, {
    roles: [provider.handlerRole],
    statements: [new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      actions: FOREIGN_OWNER_DENIED_ACTIONS,
      resources: ['*'],
      conditions: { Null: { [OWNER_TAG_CONDITION_KEY]: 'false' }, StringNotLike: { [OWNER_TAG_CONDITION_KEY]: STACK_OWNER_PATTERN } },
    })],
  });
}

const acknowledgedByPolicy = new WeakMap<iam.Policy, Set<string>>();

/** Acknowledges each wildcard action and resource once per policy, by the finding cdk-nag reports for it. */
function acknowledgeWildcards(policy: iam.Policy, actions: string[], resources: string[], reason: string): void {
  const stack = Stack.of(policy);
  const done = acknowledgedByPolicy.get(policy) ?? new Set<string>();
  acknowledgedByPolicy.set(policy, done);
  const findings = [...actions.map((action) => `Action::${action}`), ...resources.map((arn) => `Resource::${flattenForNag(stack.resolve(arn))}`)]
    .filter((f) => f.includes('*') && !done.has(f));
  if (findings.length === 0) return;
  findings.forEach((finding) => done.add(finding));
  addNagSuppressions(policy.node.defaultChild as CfnResource, [{ id: 'AwsSolutions-IAM5', reason, appliesTo: findings }]);
}

function grantsPolicy(provider: PersonalizeProvider, id: string): iam.Policy {
  const existing = provider.node.tryFindChild(id) as iam.Policy | undefined;
  if (existing) return existing;
  // Merged at synth (statements on the same resources become one): IAM counts every character against the role's limit.
  const policy = new iam.Policy(provider, id, { roles: [provider.handlerRole], document: new iam.PolicyDocument({ minimize: true }) });
  statementsByPolicy.set(policy, new Map());
  policy.node.addDependency(ownershipGuard(provider));
  // One check for the role, however many of its policies exist.
  if (id === POLICY_ID) policy.node.addValidation({ validate: () => inlinePolicySizeProblems(provider) });
  return policy;
}

/** Fails synth, rather than a deploy, when the handler role's inline policies outgrow IAM's limit. */
function inlinePolicySizeProblems(provider: PersonalizeProvider): string[] {
  const stack = Stack.of(provider);
  const size = [POLICY_ID, RESOURCELESS_POLICY_ID, GUARD_ID].map((id) => provider.node.tryFindChild(id))
    .concat(provider.handlerRole.node.tryFindChild('DefaultPolicy'))
    .filter((policy): policy is iam.Policy => policy instanceof iam.Policy)
    .reduce((total, policy) => total + resolvedLength(stack.resolve(policy.document)), 0);
  if (size <= ROLE_INLINE_POLICY_LIMIT) return [];
  return [`The custom resource handler's inline IAM policies would be about ${size} characters, above the ${ROLE_INLINE_POLICY_LIMIT} `
    + `IAM allows per role, so stack '${stack.stackName}' would fail to deploy. Split its Personalize resources across stacks `
    + '(each stack has its own handler), or let the library generate their names: all generated names of a kind in a stack '
    + 'share one ARN pattern, while each explicit name adds its own ARN.'];
}

/**
 * The length of a policy document once CloudFormation has resolved it. Intrinsics
 * count as the longest value they commonly resolve to, so the estimate errs high.
 */
export function resolvedLength(document: unknown): number {
  return JSON.stringify(document, (_key, value) => (isIntrinsic(value) ? 'x'.repeat(intrinsicLength(value)) : value)).length;
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'));
}

function intrinsicLength(value: Record<string, any>): number {
  const partLength = (part: unknown): number => (typeof part === 'string' ? part.length : isIntrinsic(part) ? intrinsicLength(part) : 64);
  if ('Ref' in value) {
    return ({ 'AWS::Partition': 10, 'AWS::Region': 14, 'AWS::AccountId': 12, 'AWS::URLSuffix': 13 } as Record<string, number>)[value.Ref] ?? 64;
  }
  if ('Fn::Join' in value) {
    const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
    return parts.reduce((total: number, part) => total + partLength(part), 0) + separator.length * Math.max(0, parts.length - 1);
  }
  // Fn::GetAtt of a role or key ARN, and the rest: a generous ARN length.
  return 128;
}
