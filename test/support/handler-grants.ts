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
  const statements = handlerGrants(template).statements.filter((s) => s.Effect === 'Allow');
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

function asList<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}
