/**
 * Each kind's facts are written once (src/private/declaration.ts): the handler's grants come
 * from its kind's declaration, the handler's calls are checked against it, and the timings and
 * contract both sides share live in one place.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Filter, FilterExpression } from '../src';
import { destroyAndVerify, expectStatus } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { FUNCTION_KEYS, HarnessIam } from './harness/iam';
import { addRetailGroup, synthesize } from './harness/stacks';
import { batchStack, everyConstructStack, rekognitionStack } from './support/every-construct';
import { coversAction, GrantStatement, grantedOn, handlerGrants, isOwnedGrant } from './support/handler-grants';
import { DEFAULT_WAIT_POLICY } from '../lambda/engine';
import { DATASET_IMPORT_JOB, FILTER, PERSONALIZE_KINDS } from '../src/personalize/private/declarations';
import { call, KindDeclaration } from '../src/private/declaration';
import { declaredGrants } from '../src/private/handler-access';
import { HANDLER_TIMINGS } from '../src/private/handler-timings';
import { REKOGNITION_DATASET } from '../src/rekognition/private/declarations';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const KINDS: readonly KindDeclaration[] = [...PERSONALIZE_KINDS, REKOGNITION_DATASET];
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Every action some kind declares for the handler on a scope other than `owned` (those come from ownedResourcesGrants). */
function declaredActions(): Set<string> {
  return new Set(KINDS.flatMap((kind) => kind.calls.filter((declared) => (declared.by ?? 'handler') === 'handler')
    .flatMap((declared) => declared.permissions.filter((permission) => permission.on.some((scope) => scope !== 'owned')))
    .map((permission) => permission.action)));
}

function allowStatements(template: Template): GrantStatement[] {
  return handlerGrants(template).statements.filter((statement) => statement.Effect === 'Allow');
}

/** A stack holding every kind and option: the handler's grants of both services' kinds. */
const STACKS = [everyConstructStack(), rekognitionStack(), batchStack()].map((synthesized) => Template.fromJSON(synthesized.template));

describe('grants come from the declarations', () => {
  test('every action of the handler\'s grants policies is declared by a kind, or is one of the owned-resources grants', () => {
    const declared = declaredActions();
    const granted = STACKS.flatMap((template) => allowStatements(template).filter((statement) => !isOwnedGrant(statement))
      .flatMap((statement) => asList(statement.Action)));
    expect(new Set(granted).size).toBeGreaterThan(40);
    expect(granted.filter((action) => !declared.has(action))).toEqual([]);
  });

  test('every action a kind declares for the handler is granted in a stack that holds every kind', () => {
    const statements = STACKS.flatMap(allowStatements);
    const ungranted = [...declaredActions()].filter((action) => !statements.some((statement) => coversAction(statement, action)));
    expect(ungranted).toEqual([]);
  });

  test('a permission added to a kind\'s declaration reaches the handler, on the resources of its scope', () => {
    const arn = (resource: string) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':personalize:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:${resource}`]],
    });
    const added = call('personalize:DescribeFilter', 'group');
    const changed = synthesizedWith({ FILTER: { ...FILTER, calls: [...FILTER.calls, added] } }, (library) => filterStack('top-sellers', library));
    expect(grantedOn(changed, 'personalize:DescribeFilter')).toEqual([arn('dataset-group/retail'), arn('filter/top-sellers')]);
    // As declared, DescribeFilter is granted on the filter alone.
    expect(grantedOn(Template.fromStack(filterStack('top-sellers')), 'personalize:DescribeFilter')).toEqual([arn('filter/top-sellers')]);
  });

  test('a construct that leaves out a scope its kind declares fails synth, naming the scopes', () => {
    const stack = new Stack();
    expect(() => declaredGrants(stack, DATASET_IMPORT_JOB, { self: ['arn'] }))
      .toThrow(/dataset import job construct must name the resources of the scopes its declaration uses: missing dataset, role, assetObject, copy, copies, not declared none/);
    expect(() => declaredGrants(stack, FILTER, { self: ['arn'], group: ['arn'], bucket: ['arn'] }))
      .toThrow(/missing none, not declared bucket/);
  });

  test('a kind may declare on `owned` only what the owned-resources grants give', () => {
    const kind: KindDeclaration = { ...FILTER, calls: [call('personalize:CreateFilter', 'owned')] };
    expect(() => declaredGrants(new Stack(), kind, { self: ['arn'] }))
      .toThrow(/The filter kind declares personalize:CreateFilter on 'owned', which the owned-resources grants do not give/);
  });
});

/** What builds a filter stack: this file's copy of the library, or a fresh one (`synthesizedWith`). */
interface Library {
  readonly Stack: typeof Stack;
  readonly Filter: typeof Filter;
  readonly FilterExpression: typeof FilterExpression;
  readonly addRetailGroup: typeof addRetailGroup;
}

function filterStack(filterName: string, library: Library = { Stack, Filter, FilterExpression, addRetailGroup }): Stack {
  const stack = new library.Stack();
  const group = library.addRetailGroup(stack);
  new library.Filter(stack, 'Filter', {
    datasetGroup: group, filterName, expression: library.FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'),
  });
  return stack;
}

/**
 * The template `build` synthesizes with a fresh copy of the library, whose Personalize declarations have `changed`
 * in place of theirs: the declarations every other test reads stay as they are.
 */
function synthesizedWith(changed: Record<string, KindDeclaration>, build: (library: Library) => Stack): Template {
  let template: Template | undefined;
  jest.isolateModules(() => {
    jest.doMock('../src/personalize/private/declarations', () => ({
      ...jest.requireActual<Record<string, unknown>>('../src/personalize/private/declarations'), ...changed,
    }));
    const library: Library = {
      Stack: jest.requireActual<typeof import('aws-cdk-lib')>('aws-cdk-lib').Stack,
      ...jest.requireActual<typeof import('../src')>('../src'),
      addRetailGroup: jest.requireActual<typeof import('./harness/stacks')>('./harness/stacks').addRetailGroup,
    };
    template = jest.requireActual<typeof import('aws-cdk-lib/assertions')>('aws-cdk-lib/assertions').Template.fromStack(build(library));
  });
  return template!;
}

describe('the harness checks every call against the kind that made it', () => {
  const harnessIam = (resourceType: string | undefined) => new HarnessIam(() => {
    throw new Error('a refused call never reaches IAM');
  }, () => resourceType);

  test('a handler call its kind does not declare is refused as AccessDenied, naming the kind and the call', () => {
    const iam = harnessIam(FILTER.resourceType);
    expect(iam.check(FUNCTION_KEYS.handler, 'personalize', 'DeleteDatasetGroup', {}, undefined, 'root')).toEqual({
      code: 'AccessDeniedException',
      message: 'UndeclaredCall: the filter kind (Custom::PersonalizeFilter) called personalize:DeleteDatasetGroup, which its declaration does not name',
    });
    expect(iam.summary().denied).toBe(1);
  });

  test('a long-wait call that no kind declares for the long wait is refused', () => {
    expect(harnessIam(undefined).check(FUNCTION_KEYS.longWait, 'personalize', 'DescribeFilter', {})?.message)
      .toBe('UndeclaredCall: the long wait called personalize:DescribeFilter, which no kind declares as a long-wait call');
  });

  test('in a deploy and destroy, each handler call is checked against the declaration of the resource type it served', () =>
    withEnvironment({}, async (env) => {
      const stack = synthesize((app) => {
        const group = addRetailGroup(app);
        new Filter(app, 'Filter', { datasetGroup: group, expression: FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")') });
      });
      await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
      await destroyAndVerify(env);

      const checked = [...env.iam.checkedAgainstDeclarations];
      expect(checked).toEqual(expect.arrayContaining([
        'Custom::PersonalizeDatasetGroup personalize:CreateDatasetGroup',
        'Custom::PersonalizeFilter personalize:CreateFilter',
        'Custom::PersonalizeFilter personalize:DeleteFilter',
        'Custom::PersonalizeDataset personalize:DeleteDataset',
      ]));
      expect(env.iam.summary().denials).toEqual([]);
    }));
});

describe('facts both sides share', () => {
  test('the engine waits by the timings the provider gives its functions, each window ending before its Lambda timeout', () => {
    expect(DEFAULT_WAIT_POLICY).toMatchObject({
      onEventWindowMs: HANDLER_TIMINGS.onEventWindowMs,
      isCompleteWindowMs: HANDLER_TIMINGS.isCompleteWindowMs,
      totalTimeoutMs: HANDLER_TIMINGS.operationTimeoutMs,
      invocationMarginMs: HANDLER_TIMINGS.invocationMarginMs,
    });
    expect(HANDLER_TIMINGS.onEventWindowMs + HANDLER_TIMINGS.invocationMarginMs).toBeLessThan(HANDLER_TIMINGS.onEventTimeoutMs);
    expect(HANDLER_TIMINGS.isCompleteWindowMs + HANDLER_TIMINGS.invocationMarginMs).toBeLessThanOrEqual(HANDLER_TIMINGS.isCompleteTimeoutMs);
    expect(HANDLER_TIMINGS.operationTimeoutMs).toBeLessThan(HANDLER_TIMINGS.providerTotalTimeoutMs);
  });

  test('the provider\'s functions time out as the shared timings say', () => {
    const timeouts = Object.values(STACKS[0].findResources('AWS::Lambda::Function'))
      .map((fn) => [fn.Properties.Handler, fn.Properties.Timeout]);
    expect(timeouts).toEqual(expect.arrayContaining([
      ['index.onEvent', HANDLER_TIMINGS.onEventTimeoutMs / 1000],
      ['index.isComplete', HANDLER_TIMINGS.isCompleteTimeoutMs / 1000],
    ]));
  });

  test('every kind has one declaration per resource type', () => {
    const types = KINDS.map((kind) => kind.resourceType);
    expect(new Set(types).size).toBe(types.length);
  });
});
