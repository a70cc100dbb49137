/**
 * Every identity policy a stack with every construct holds is checked against AWS's
 * service authorization reference: each action exists, and each of its statement's
 * resources can be a resource of that action (an action without resource-level
 * permissions must be granted on "*", or the grant never matches a request).
 */
import { LocalIam, matchingResourceTypes, PolicyStatement, referenceAction, referenceResourceType, supplementedTypes } from './local-iam';
import { everyConstructStack } from './support/every-construct';

// Loading AWS's authorization reference and synthesizing stacks take real time, more on a busy machine: a bound
// on it would test the machine's speed, not the code.
jest.setTimeout(120_000);

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

let iam: LocalIam;
let statements: Array<{ policy: string; statement: PolicyStatement }>;

beforeAll(async () => {
  iam = await LocalIam.forTemplate(everyConstructStack().template);
  statements = iam.policies.roles().flatMap((role) => role.policies.flatMap((policy) =>
    policy.document.Statement.map((statement) => ({ policy: policy.name, statement }))));
});

test('the stack has identity policies for the handler, the long wait, the service roles and the app\'s own role', () => {
  const roles = iam.policies.roles().filter((role) => role.policies.length > 0).map((role) => role.logicalId);
  expect(roles).toEqual(expect.arrayContaining([
    expect.stringMatching(/^CdkPersonalizeProviderHandlerRole/), expect.stringMatching(/^CdkPersonalizeProviderLongWaitRole/),
    expect.stringMatching(/^CdkPersonalizeProviderLongWaitStateMachineRole/),
    expect.stringMatching(/^Api/), expect.stringMatching(/^EncryptedCreatedRoleServiceRole/),
  ]));
  expect(statements.length).toBeGreaterThan(20);
});

test('every action granted is an action of AWS\'s service authorization reference', () => {
  const unknown = statements.flatMap(({ policy, statement }) => asList(statement.Action)
    .filter((action) => !action.includes('*') && referenceAction(action) === undefined)
    .map((action) => `${policy}: ${action}`));
  expect(unknown).toEqual([]);
});

test('each action of a statement matches at least one of its resources, and an action without resource-level permissions is on "*"', () => {
  const mismatches = statements.flatMap(({ policy, statement }) => asList(statement.Action).filter((action) => !action.includes('*'))
    .filter((action) => {
      const resources = asList(statement.Resource);
      if (referenceAction(action)!.wildcardOnly) return !resources.includes('*');
      return !resources.some((resource) => resource === '*' || matchingResourceTypes(action, resource).length > 0
        || supplementedTypes(action, resource).length > 0);
    })
    .map((action) => {
      const reference = referenceAction(action)!;
      const expected = reference.wildcardOnly ? '"*" only'
        : reference.resourceTypes.map((type) => referenceResourceType(action.split(':')[0], type.name)?.arnFormat).join(' | ');
      return `${policy}: ${action} on ${asList(statement.Resource).join(', ')} (reference: ${expected})`;
    }));
  expect(mismatches).toEqual([]);
});

test('the handler\'s policy of actions on "*" holds only actions without resource-level permissions, and its other policies grant nothing on "*"', () => {
  const handler = iam.policies.roles().find((role) => role.logicalId.startsWith('CdkPersonalizeProviderHandlerRole'))!;
  const onEverything = handler.policies.flatMap((policy) => policy.document.Statement
    .filter((statement) => statement.Effect === 'Allow' && asList(statement.Resource).includes('*'))
    .map((statement) => ({ policy: policy.name, actions: asList(statement.Action) })));

  expect(onEverything.length).toBeGreaterThan(0);
  expect(onEverything.filter(({ policy }) => !policy.startsWith('CdkPersonalizeProviderResourcelessActions'))).toEqual([]);
  expect(onEverything.flatMap(({ actions }) => actions).filter((action) => !referenceAction(action)?.wildcardOnly)).toEqual([]);
});
