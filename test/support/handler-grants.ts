import { Template } from 'aws-cdk-lib/assertions';

export interface GrantStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/**
 * The handler's grants, with the logical ID of the stack's one grants policy: its statements, and those of the
 * policy of actions that take no resource-level permission (granted on "*"), when the stack has one.
 */
export function handlerGrants(template: Template): { logicalId: string; statements: GrantStatement[] } {
  const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
  const found = policies.filter(([logicalId]) => logicalId.startsWith('CdkPersonalizeProviderPersonalizeAccess'));
  if (found.length !== 1) throw new Error(`expected one handler grants policy, found ${found.length}`);
  const unscoped = policies.filter(([logicalId]) => logicalId.startsWith('CdkPersonalizeProviderResourcelessActions'));
  const [logicalId] = found[0];
  return { logicalId, statements: [...found, ...unscoped].flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement) };
}

/** Every resource the handler's Allow statements grant `action` on (the policy is minimized at synth: a grant may be split over statements). */
export function grantedOn(template: Template, action: string): unknown[] {
  const naming = handlerGrants(template).statements.filter((s) => s.Effect === 'Allow' && asList(s.Action).includes(action));
  if (naming.length === 0) throw new Error(`no handler grant for ${action}`);
  return naming.flatMap((s) => asList(s.Resource));
}

/**
 * The grant these actions share, as one statement: the resources every one of them is allowed on,
 * and their condition. The policy is minimized at synth (statements on the same resources are
 * merged), so the statement is read from the grants, not found as written.
 */
export function statementFor(template: Template, actions: string[]): GrantStatement {
  const statements = handlerGrants(template).statements.filter((s) => s.Effect === 'Allow' && !isOwnedGrant(s));
  const conditions = new Set<string>();
  const resourceSets = actions.map((action) => {
    const naming = statements.filter((s) => asList(s.Action).includes(action));
    if (naming.length === 0) throw new Error(`no handler grant for ${action}`);
    naming.forEach((s) => conditions.add(JSON.stringify(s.Condition ?? null)));
    return naming.flatMap((s) => asList(s.Resource));
  });
  if (conditions.size > 1) throw new Error(`${actions.join(', ')} are granted under several conditions: ${[...conditions].join(' | ')}`);
  const key = (resource: unknown) => JSON.stringify(resource);
  const shared = resourceSets[0].filter((resource) => resourceSets.every((set) => set.some((other) => key(other) === key(resource))));
  if (shared.length === 0) throw new Error(`${actions.join(', ')} share no resource`);
  const condition = JSON.parse([...conditions][0]);
  return {
    Effect: 'Allow',
    Action: actions.length === 1 ? actions[0] : [...actions].sort(),
    Resource: shared.length === 1 ? shared[0] : shared,
    ...(condition ? { Condition: condition } : {}),
  };
}

/** The actions of the grant on the stack's generated schema and metric attribution names, whose tags IAM cannot see. */
const UNTAGGED_KIND_ACTIONS = ['personalize:DeleteMetricAttribution', 'personalize:DeleteSchema', 'personalize:DescribeMetricAttribution',
  'personalize:DescribeSchema'];

/** The reads that prove a resource gone or the stack's own, on every resource of the service. */
const OWNERSHIP_READS = [['personalize:Describe*', 'personalize:ListTagsForResource'], ['rekognition:DescribeDataset', 'rekognition:ListTagsForResource']];

/**
 * Whether a statement is one of the grants on what the stack made, which every kind brings: writes under
 * its owner tag, reads, the List actions of deletes, the copies of generated-name imports, and schemas and
 * attributions by any name (src/private/handler-access.ts, ownedResourcesGrants).
 */
export function isOwnedGrant(statement: GrantStatement): boolean {
  const actions = JSON.stringify([...asList(statement.Action)].sort());
  return JSON.stringify(statement.Condition ?? {}).includes('aws:ResourceTag/cdk-personalize:owner')
    || actions === JSON.stringify(UNTAGGED_KIND_ACTIONS)
    || OWNERSHIP_READS.some((reads) => actions === JSON.stringify(reads))
    || (statement.Resource === '*' && asList(statement.Action).every((action) => action.startsWith('personalize:List')))
    || (actions === '["s3:DeleteObject"]' && JSON.stringify(statement.Resource).includes(':s3:::*/imports/'));
}

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/**
 * The grant on what the stack made, whatever its name: the handler's Allow statement conditioned on
 * this stack's owner tag, on every resource of `service` in the stack's account and region.
 */
export function ownedGrant(template: Template, service: 'personalize' | 'rekognition'): GrantStatement {
  const owned = handlerGrants(template).statements.filter((s) => s.Effect === 'Allow'
    && JSON.stringify(s.Condition ?? {}).includes('aws:ResourceTag/cdk-personalize:owner')
    && JSON.stringify(s.Resource).includes(`:${service}:`));
  if (owned.length !== 1) throw new Error(`expected one owned-resources grant for ${service}, found ${owned.length}`);
  return owned[0];
}

/** Whether an action pattern of a statement (e.g. `personalize:Delete*`) covers `action`. */
export function coversAction(statement: GrantStatement, action: string): boolean {
  return asList(statement.Action).some((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(action));
}
