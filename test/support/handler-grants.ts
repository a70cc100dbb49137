import { Template } from 'aws-cdk-lib/assertions';

export interface GrantStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

/** The stack's one policy of Personalize grants for the handler, with its logical ID. */
export function handlerGrants(template: Template): { logicalId: string; statements: GrantStatement[] } {
  const found = Object.entries(template.findResources('AWS::IAM::Policy'))
    .filter(([logicalId]) => logicalId.startsWith('CdkPersonalizeProviderPersonalizeAccess'));
  if (found.length !== 1) throw new Error(`expected one handler grants policy, found ${found.length}`);
  const [logicalId, policy] = found[0];
  return { logicalId, statements: policy.Properties.PolicyDocument.Statement };
}

/** The statement granting exactly these actions (in any order). */
export function statementFor(template: Template, actions: string[]): GrantStatement {
  const wanted = [...actions].sort().join(',');
  const statement = handlerGrants(template).statements.find((s) => [...([] as string[]).concat(s.Action)].sort().join(',') === wanted);
  if (!statement) throw new Error(`no handler grant for ${wanted}`);
  return statement;
}
