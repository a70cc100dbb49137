/**
 * Lifecycle scenarios for recommenders through CloudFormation, the Provider framework
 * and the bundled handler: create in a Domain dataset group after its datasets
 * and after the app's imports into the group have ended ACTIVE,
 * in-place update through UpdateRecommender (and its failure), stop and start,
 * replacement, failure with the service's reason, throttling and a cancelled create.
 */
import * as path from 'path';
import { CreateRecommenderCommand, DescribeRecommenderCommand, StopRecommenderCommand } from '@aws-sdk/client-personalize';
import { Dataset, DatasetGroup, DatasetImportJob, DatasetType, ImportSource, Recommender, RecommenderProps, UseCase } from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { deployCancelledBySibling } from './harness/scenarios';
import { arnOf, nameIn, synthesize } from './harness/stacks';
import { stageImportAsset } from './support/asset-staging';
import { domainGroup } from './support/domain-fixtures';
import { IMPORT_FIXTURES } from './support/import-fixtures';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

/** Events that the domain group's Interactions schema (USER_ID, ITEM_ID, TIMESTAMP, EVENT_TYPE) matches. */
const EVENTS_CSV = path.join(IMPORT_FIXTURES, 'events.csv');

interface RecommenderSpec extends Omit<RecommenderProps, 'datasetGroup' | 'useCase'> {
  readonly useCase?: UseCase;
  readonly failingSibling?: boolean;
  /** The group empties itself on delete. */
  readonly emptyOnDelete?: boolean;
}

/** An e-commerce group 'shop' with Interactions and Items datasets, and a recommender. Paths: Group, Picks. */
function recommenderStack(spec: RecommenderSpec = {}) {
  const { useCase, failingSibling, emptyOnDelete, ...props } = spec;
  return synthesize((stack) => {
    const group = domainGroup(stack, { emptyOnDelete });
    new Recommender(stack, 'Picks', { datasetGroup: group, useCase: useCase ?? UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU, ...props });
    if (failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

const STACK = recommenderStack();
const ID = STACK.logicalIds.Picks;

/** The 'shop' group, an import of 1,000 events into its Interactions dataset from a CSV asset, and a recommender. Paths: Import, Picks. */
const WITH_IMPORT = synthesize((stack) => {
  const group = domainGroup(stack);
  new DatasetImportJob(stack, 'Import', { dataset: group.node.findChild('Interactions') as Dataset, source: ImportSource.fromAsset(EVENTS_CSV) });
  new Recommender(stack, 'Picks', { datasetGroup: group, useCase: UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU });
});

test.concurrent('a recommender is created only once the app\'s import into its group is ACTIVE: it trains on the data', () => withEnvironment({}, async (env) => {
  stageImportAsset(env, WITH_IMPORT, EVENTS_CSV);
  const importing = env.service.holdCreation(nameIn(WITH_IMPORT, 'Import'), 'datasetImportJob');
  const creating = env.service.holdCreation(nameIn(WITH_IMPORT, 'Picks'), 'recommender');

  const deployed = env.deploy(WITH_IMPORT.template);
  await importing.reached;
  // The import's wait condition waits for the job to end: nothing that trains on the data has started.
  await until(() => env.cloudformation.waitingConditions().length === 1);
  expect(env.service.resources('recommender')).toEqual([]);
  expect(env.service.countCalls('CreateRecommender')).toBe(0);
  importing.release();

  await creating.reached;
  expect(env.service.resources('datasetImportJob').map((job) => job.status)).toEqual(['ACTIVE']);
  expect(env.cloudformation.waitingConditions()).toEqual([]);
  creating.release();

  await expectStatus(deployed, 'CREATE_COMPLETE');
  expect(env.service.resources('recommender')).toMatchObject([{ status: 'ACTIVE' }]);
  await destroyAndVerify(env);
}));

test.concurrent('a recommender is created after the datasets, and deleted before them', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  const name = nameIn(STACK, 'Picks');
  expect(env.service.resources('recommender')).toMatchObject([{ name, status: 'ACTIVE' }]);
  expect(env.cloudformation.attributesOf(ID)).toEqual({ Arn: arnOf(`recommender/${name}`), Name: name });
  const creates = env.service.calls.filter((c) => c.operation.startsWith('Create') && c.errorType === undefined).map((c) => c.operation);
  expect(creates.lastIndexOf('CreateDataset')).toBeLessThan(creates.indexOf('CreateRecommender'));

  await destroyAndVerify(env);
  const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined).map((c) => c.operation);
  expect(deletes.indexOf('DeleteRecommender')).toBeLessThan(deletes.indexOf('DeleteDataset'));
}));

test.concurrent('a changed config is applied in place with UpdateRecommender, and the deploy waits for the update', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');
  const hold = env.service.holdUpdate(nameIn(STACK, 'Picks'));
  let settled = false;

  const deployed = env.deploy(recommenderStack({
    minRecommendationRequestsPerSecond: 3, excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['COLOR'] }],
  }).template).then((result) => {
    settled = true;
    return result;
  });
  await hold.reached;
  expect(settled).toBe(false);
  hold.release();
  await expectStatus(deployed, 'UPDATE_COMPLETE');

  expect(env.service.calls.find((c) => c.operation === 'UpdateRecommender')!.input).toMatchObject({
    recommenderConfig: { minRecommendationRequestsPerSecond: 3, trainingDataConfig: { excludedDatasetColumns: { Items: ['COLOR'] } } },
  });
  expect(env.service.countCalls('CreateRecommender')).toBe(1);
  expect(env.cloudformation.physicalIdOf(ID)).toBe(arnOf(`recommender/${nameIn(STACK, 'Picks')}`));
  await destroyAndVerify(env);
}));

test.concurrent('a recommender is stopped and started in place, and a stopped one is deleted', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  await expectStatus(env.deploy(recommenderStack({ running: false }).template), 'UPDATE_COMPLETE');
  expect(env.service.resources('recommender')).toMatchObject([{ status: 'INACTIVE' }]);

  await expectStatus(env.deploy(STACK.template), 'UPDATE_COMPLETE');
  expect(env.service.resources('recommender')).toMatchObject([{ status: 'ACTIVE' }]);
  expect(answersTo(env, 'StopRecommender')).toEqual(['ok']);
  expect(answersTo(env, 'StartRecommender')).toEqual(['ok']);

  await expectStatus(env.deploy(recommenderStack({ running: false }).template), 'UPDATE_COMPLETE');
  await destroyAndVerify(env);
}));

test.concurrent('a recommender created stopped is stopped once ACTIVE, before the deploy completes', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(recommenderStack({ running: false }).template), 'CREATE_COMPLETE');

  expect(env.service.resources('recommender')).toMatchObject([{ status: 'INACTIVE' }]);
  await destroyAndVerify(env);
}));

test.concurrent('an update that ends failed fails the deploy with the service\'s reason, and the rollback keeps the config', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');
  env.service.failUpdate(nameIn(STACK, 'Picks'), 'Column COLOR is needed by the use case');

  const result = await env.deploy(recommenderStack({ excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['COLOR'] }] }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for recommender \S+: Column COLOR is needed by the use case/);
  expect(answersTo(env, 'UpdateRecommender')).toEqual(['ok']);
  env.service.clearBehaviours();
  await destroyAndVerify(env);
}));

test.concurrent('another use case replaces the recommender: the new one is created, then the old one deleted', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');
  const changed = recommenderStack({ useCase: UseCase.ECOMMERCE_BEST_SELLERS });

  await expectStatus(env.deploy(changed.template), 'UPDATE_COMPLETE');

  expect(env.service.resources('recommender').map((r) => r.name)).toEqual([nameIn(changed, 'Picks')]);
  expect(nameIn(changed, 'Picks')).not.toBe(nameIn(STACK, 'Picks'));
  expect(answersTo(env, 'DeleteRecommender')).toEqual(['ok']);
  await destroyAndVerify(env);
}));

test.concurrent('a recommender that ends CREATE FAILED fails the deploy with the service\'s reason', () => withEnvironment({}, async (env) => {
  env.service.failCreation(nameIn(STACK, 'Picks'), 'Not enough interactions to train', 'recommender');

  const result = await env.deploy(STACK.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for recommender \S+: Not enough interactions to train/);
  await env.verify();
}));

test.concurrent('throttled calls are retried until the recommender is ready', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateRecommender', { kind: 'throttle', times: 2 });
  env.service.inject('DescribeRecommender', { kind: 'throttle', times: 2 });

  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateRecommender')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  await destroyAndVerify(env);
}));

test.concurrent('a recommender still creating when a sibling fails is found by name on the rollback Delete and deleted', () => withEnvironment({}, async (env) => {
  await deployCancelledBySibling(env, recommenderStack({ failingSibling: true }), 'Picks', 'recommender');

  expect(answersTo(env, 'DeleteRecommender')).toContain('ok');
  await env.verify();
}));

test.concurrent('emptyOnDelete deletes a stopped recommender made outside the stack before the group', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(recommenderStack({ emptyOnDelete: true }).template), 'CREATE_COMPLETE');
  const client = env.client();
  const { recommenderArn } = await client.send(new CreateRecommenderCommand({
    name: 'outside', datasetGroupArn: arnOf('dataset-group/shop'), recipeArn: UseCase.ECOMMERCE_BEST_SELLERS.recipeArn,
  }));
  await until(() => env.service.resources('recommender').every((r) => r.status === 'ACTIVE'));
  await client.send(new StopRecommenderCommand({ recommenderArn }));
  await until(() => env.service.resources('recommender').some((r) => r.status === 'INACTIVE'));

  await destroyAndVerify(env);

  const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined);
  expect(deletes.filter((c) => c.operation === 'DeleteRecommender').map((c) => c.input.recommenderArn)).toContain(recommenderArn);
  expect(deletes.map((c) => c.operation).lastIndexOf('DeleteRecommender')).toBeLessThan(deletes.map((c) => c.operation).indexOf('DeleteDatasetGroup'));
}));

test.concurrent('an update cancelled by a failing sibling is met by the rollback, which waits for it and restores the config', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');
  const update = env.service.holdUpdate(nameIn(STACK, 'Picks'));
  const doomed = env.service.holdCreation('doomed');
  env.service.failCreation('doomed', 'Quota of dataset groups reached');
  env.cloudformation.onCancel = () => update.release();

  const deployed = env.deploy(recommenderStack({ minRecommendationRequestsPerSecond: 5, failingSibling: true }).template);
  await update.reached;
  doomed.release();
  const result = await deployed;

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.operations.find((o) => o.logicalId === ID && o.phase === 'update')).toMatchObject({ status: 'FAILED' });
  expect(env.service.calls.filter((c) => c.operation === 'UpdateRecommender').map((c) => c.input.recommenderConfig.minRecommendationRequestsPerSecond))
    .toEqual([5, 1]);
  const { recommender } = await env.client().send(new DescribeRecommenderCommand({ recommenderArn: arnOf(`recommender/${nameIn(STACK, 'Picks')}`) }));
  expect(recommender?.recommenderConfig?.minRecommendationRequestsPerSecond).toBe(1);
  await destroyAndVerify(env);
}));

test.concurrent('a new config for a stopped recommender is refused with the two deploys, and the rollback keeps it stopped', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(recommenderStack({ running: false }).template), 'CREATE_COMPLETE');

  const result = await env.deploy(recommenderStack({ running: false, minRecommendationRequestsPerSecond: 2 }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/is stopped \(INACTIVE\), and Personalize changes a recommender's config only while it runs. Deploy twice/);
  expect(env.service.countCalls('UpdateRecommender')).toBe(0);
  expect(env.service.resources('recommender')).toMatchObject([{ status: 'INACTIVE' }]);
  await destroyAndVerify(env);
}));

test.concurrent('a lost CreateRecommender response is adopted by its owner tag, not created twice', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateRecommender', { kind: 'reset', afterProcessing: true });

  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateRecommender')).toEqual(['reset', 'ResourceAlreadyExistsException']);
  expect(env.service.resources('recommender')).toHaveLength(1);
  await destroyAndVerify(env);
}));
