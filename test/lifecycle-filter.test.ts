/**
 * Lifecycle scenarios for filters through CloudFormation, the Provider framework and
 * the bundled handler: create after the datasets, replacement on a changed expression,
 * a refused same-name replacement, tag updates, failure with the service's reason,
 * throttling and a cancelled create.
 */
import { Tags } from 'aws-cdk-lib';
import { DatasetGroup, Filter, FilterExpression } from '../src';
import { answersTo, destroyAndVerify, expectStatus } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { deployCancelledBySibling } from './harness/scenarios';
import { addRetailGroup, arnOf, nameIn, synthesize } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const PURCHASED = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")';
const GENRE = 'INCLUDE ItemID WHERE Items.GENRES IN ($GENRE)';

interface FilterSpec {
  readonly expression?: string;
  readonly name?: string;
  readonly tags?: Record<string, string>;
  readonly failingSibling?: boolean;
}

/** Group 'retail' with Interactions and Items datasets and a filter. Paths: Group, Group/Interactions, Group/Items, Filter. */
function filterStack(spec: FilterSpec = {}) {
  return synthesize((stack) => {
    const group = addRetailGroup(stack);
    const filter = new Filter(stack, 'Filter', {
      datasetGroup: group, expression: FilterExpression.fromText(spec.expression ?? PURCHASED), filterName: spec.name,
    });
    for (const [key, value] of Object.entries(spec.tags ?? {})) Tags.of(filter).add(key, value);
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

const FILTER = filterStack();
const FILTER_ID = FILTER.logicalIds.Filter;

test.concurrent('a filter is created after the datasets with its expression, and deleted before them', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(FILTER.template), 'CREATE_COMPLETE');

  const name = nameIn(FILTER, 'Filter');
  expect(env.service.resources('filter').map((f) => [f.name, f.tags])).toEqual([[name, { 'cdk-personalize:owner': env.ownerOf(FILTER_ID) }]]);
  expect(env.cloudformation.attributesOf(FILTER_ID)).toEqual({ Arn: arnOf(`filter/${name}`), Name: name });

  await destroyAndVerify(env);
  // DeleteDataset is refused while the group has filters; the filter went first, so no dataset delete was refused.
  expect(answersTo(env, 'DeleteDataset')).toEqual(['ok', 'ok']);
}));

test.concurrent('a changed expression creates a filter under a new generated name, then deletes the old one', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(FILTER.template), 'CREATE_COMPLETE');
  const changed = filterStack({ expression: GENRE });

  const result = await expectStatus(env.deploy(changed.template), 'UPDATE_COMPLETE');

  const [oldName, newName] = [nameIn(FILTER, 'Filter'), nameIn(changed, 'Filter')];
  expect(newName).not.toBe(oldName);
  expect(env.service.resources('filter').map((f) => f.name)).toEqual([newName]);
  expect(result.operations.filter((o) => o.logicalId === FILTER_ID).map((o) => [o.phase, o.requestType, o.physicalId])).toEqual([
    ['update', 'Update', arnOf(`filter/${newName}`)],
    ['cleanup', 'Delete', arnOf(`filter/${oldName}`)],
  ]);
  await destroyAndVerify(env);
}));

test.concurrent('a changed expression under an explicit name is refused, saying to change the name', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(filterStack({ name: 'shop-filter' }).template), 'CREATE_COMPLETE');

  const result = await env.deploy(filterStack({ name: 'shop-filter', expression: GENRE }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Changing expression of filter 'shop-filter' needs a replacement, but the replacement would have the same name/);
  expect(env.service.resources('filter').map((f) => f.name)).toEqual(['shop-filter']);
  await destroyAndVerify(env);
}));

test.concurrent('changed tags are applied in place', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(FILTER.template), 'CREATE_COMPLETE');

  await expectStatus(env.deploy(filterStack({ tags: { team: 'recs' } }).template), 'UPDATE_COMPLETE');

  expect(env.service.resources('filter').map((f) => f.tags)).toEqual([{ 'team': 'recs', 'cdk-personalize:owner': env.ownerOf(FILTER_ID) }]);
  expect(env.service.countCalls('CreateFilter')).toBe(1);
  await destroyAndVerify(env);
}));

test.concurrent('a filter that ends CREATE FAILED fails the deploy with the service\'s reason', () => withEnvironment({}, async (env) => {
  env.service.failCreation(nameIn(FILTER, 'Filter'), 'Dataset field Items.GENRES has too many distinct values', 'filter');

  const result = await env.deploy(FILTER.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason?.split('\n')[0]).toBe(`Personalize reported CREATE FAILED for filter ${arnOf(`filter/${nameIn(FILTER, 'Filter')}`)}: `
    + 'Dataset field Items.GENRES has too many distinct values');
  await env.verify();
}));

test.concurrent('throttled calls are retried until the filter is ready', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateFilter', { kind: 'throttle', times: 2 });
  env.service.inject('DescribeFilter', { kind: 'throttle', times: 2 });

  await expectStatus(env.deploy(FILTER.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateFilter')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  await destroyAndVerify(env);
}));

test.concurrent('a filter still creating when a sibling fails is found by name on the rollback Delete and deleted', () => withEnvironment({}, async (env) => {
  await deployCancelledBySibling(env, filterStack({ failingSibling: true }), 'Filter', 'filter');

  expect(answersTo(env, 'DeleteFilter')).toContain('ok');
  await env.verify();
}));
