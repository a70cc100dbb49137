/**
 * Lifecycle scenarios for a whole data model: a dataset group with schemas and
 * datasets, created, updated in place, failed, refused and deleted through
 * CloudFormation, the Provider framework and the bundled handler. See test/README.md.
 */
import {
  CreateDatasetCommand, CreateDatasetGroupCommand, DeleteDatasetCommand, DeleteDatasetGroupCommand,
} from '@aws-sdk/client-personalize';
import { SchemaField } from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { arnOf, dataModelStack, INTERACTIONS_FIELDS, ITEMS_FIELDS, nameIn } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const MODEL = dataModelStack();
const IDS = MODEL.logicalIds;
const ITEMS_ARN = arnOf('dataset/retail/ITEMS');
/** The same model with a nullable PRICE field added to the Items schema: a compatible, in-place change. */
const EXTENDED = dataModelStack({ itemsFields: [...ITEMS_FIELDS, SchemaField.floatField('PRICE').nullable()] });
const schemaArn = (stack: typeof MODEL, path: string) => arnOf(`schema/${nameIn(stack, path)}`);

/** When each resource's request of a type was delivered and answered. */
function timeline(env: LifecycleEnvironment, requestType: string) {
  const spans = new Map<string, { started: number; finished: number }>();
  for (const delivery of env.framework.deliveries.filter((d) => d.request.RequestType === requestType)) {
    spans.set(delivery.request.LogicalResourceId, { started: delivery.startedAt, finished: delivery.finishedAt! });
  }
  return (path: string) => spans.get(IDS[path])!;
}

/** Waits for the event itself, however long a busy machine takes; jest's timeout bounds it. */
async function waitForCall(env: LifecycleEnvironment, operation: string, errorType: string): Promise<void> {
  await until(() => env.service.calls.some((c) => c.operation === operation && c.errorType === errorType));
}

test.concurrent('a full data model is created in dependency order and deleted in reverse order', () => withEnvironment({}, async (env) => {

  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');

  expect(env.service.resources().map((r) => r.kind).sort()).toEqual(['dataset', 'dataset', 'dataset', 'datasetGroup', 'schema', 'schema', 'schema']);
  const created = timeline(env, 'Create');
  for (const type of ['Interactions', 'Items', 'Users']) {
    expect(created(`Group/${type}`).started).toBeGreaterThanOrEqual(created('Group').finished);
    expect(created(`Group/${type}`).started).toBeGreaterThanOrEqual(created(`${type}Schema`).finished);
  }
  expect(env.cloudformation.attributesOf(IDS['Group/Items'])).toEqual({ Arn: ITEMS_ARN, Name: nameIn(MODEL, 'Group/Items'), TrackingId: '' });

  await expectStatus(env.destroy(), 'DELETE_COMPLETE');
  const deleted = timeline(env, 'Delete');
  for (const type of ['Interactions', 'Items', 'Users']) {
    expect(deleted('Group').started).toBeGreaterThanOrEqual(deleted(`Group/${type}`).finished);
    expect(deleted(`${type}Schema`).started).toBeGreaterThanOrEqual(deleted(`Group/${type}`).finished);
  }
  await env.verify();
}));

test.concurrent('a compatible new Items schema is applied in place with UpdateDataset, and the old schema is deleted afterwards', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');

  const result = await expectStatus(env.deploy(EXTENDED.template), 'UPDATE_COMPLETE');

  expect(env.cloudformation.physicalIdOf(IDS['Group/Items'])).toBe(ITEMS_ARN);
  expect(answersTo(env, 'UpdateDataset')).toEqual(['ok']);
  expect(env.service.resources('dataset').find((d) => d.arn === ITEMS_ARN)).toMatchObject({ schemaArn: schemaArn(EXTENDED, 'ItemsSchema'), updateStatus: 'ACTIVE' });
  expect(result.operations.filter((o) => o.phase === 'cleanup').map((o) => [o.requestType, o.physicalId, o.status]))
    .toEqual([['Delete', schemaArn(MODEL, 'ItemsSchema'), 'SUCCESS']]);
  expect(env.service.resources('schema').map((s) => s.arn)).not.toContain(schemaArn(MODEL, 'ItemsSchema'));
  await destroyAndVerify(env);
}));

test.concurrent('UPDATE FAILED of the Items dataset fails the update with the service reason and rolls back to the old schema', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
  env.service.failUpdate(nameIn(MODEL, 'Group/Items'), 'Internal error while updating the dataset schema');

  const result = await env.deploy(EXTENDED.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure).toMatchObject({ logicalId: IDS['Group/Items'], physicalId: ITEMS_ARN });
  expect(result.firstFailure?.reason).toMatch(new RegExp(`^Personalize reported UPDATE FAILED for dataset ${ITEMS_ARN}: Internal error while updating the dataset schema`));
  expect(env.service.resources('dataset').find((d) => d.arn === ITEMS_ARN)).toMatchObject({ schemaArn: schemaArn(MODEL, 'ItemsSchema'), status: 'ACTIVE' });
  expect((await env.settledResources()).filter((r) => r.kind === 'schema').map((r) => r.arn).sort()).toEqual(
    ['InteractionsSchema', 'ItemsSchema', 'UsersSchema'].map((path) => schemaArn(MODEL, path)).sort());
  await destroyAndVerify(env);
}));

test.concurrent('an incompatible Items schema is refused with the field that breaks it, and the stack rolls back', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
  const narrowed = dataModelStack({ itemsFields: [SchemaField.stringField('ITEM_ID'), SchemaField.intField('GENRES')] });

  const result = await env.deploy(narrowed.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.logicalId).toBe(IDS['Group/Items']);
  expect(result.firstFailure?.reason).toMatch(new RegExp(`^Dataset ${ITEMS_ARN} \\(Items\\) uses schema ${schemaArn(MODEL, 'ItemsSchema')}, `
    + `and schema ${schemaArn(narrowed, 'ItemsSchema')} cannot replace it in place: .*GENRES`));
  expect(env.service.countCalls('UpdateDataset')).toBe(0);
  expect(env.service.resources('dataset').find((d) => d.arn === ITEMS_ARN)?.schemaArn).toBe(schemaArn(MODEL, 'ItemsSchema'));
  await destroyAndVerify(env);
}));

test.concurrent('a new Interactions schema is refused because the type\'s place is taken, and the rollback re-adopts the old dataset', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
  const before = (await env.settledResources()).map((r) => r.arn).sort();
  const withEventType = dataModelStack({ interactionsFields: [...INTERACTIONS_FIELDS, SchemaField.stringField('EVENT_TYPE').nullable()] });

  const result = await env.deploy(withEventType.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^This change needs a new dataset of type Interactions, but dataset group \S+ holds one dataset of each type/);
  expect(env.cloudformation.physicalIdOf(IDS['Group/Interactions'])).toBe(arnOf('dataset/retail/INTERACTIONS'));
  expect((await env.settledResources()).map((r) => r.arn).sort()).toEqual(before);
  await destroyAndVerify(env);
}));

test.concurrent('deleting a schema that a dataset outside the stack still uses waits until that dataset is gone', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
  const client = env.client();
  const other = await client.send(new CreateDatasetGroupCommand({ name: 'other' }));
  await waitForStatus(env, other.datasetGroupArn!, 'ACTIVE');
  const foreign = await client.send(new CreateDatasetCommand({
    name: 'borrowed', datasetGroupArn: other.datasetGroupArn, datasetType: 'Items', schemaArn: schemaArn(MODEL, 'ItemsSchema'),
  }));
  await waitForStatus(env, foreign.datasetArn!, 'ACTIVE');

  const destroyed = env.destroy();
  await waitForCall(env, 'DeleteSchema', 'ResourceInUseException');
  await client.send(new DeleteDatasetCommand({ datasetArn: foreign.datasetArn }));

  await expectStatus(destroyed, 'DELETE_COMPLETE');
  expect(answersTo(env, 'DeleteSchema').filter((a) => a === 'ResourceInUseException').length).toBeGreaterThan(0);
  await waitForStatus(env, foreign.datasetArn!, undefined);
  await client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: other.datasetGroupArn }));
  await env.verify();
}));

test.concurrent('deleting a schema that a dataset outside the stack keeps using fails within the grace, naming that dataset', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
  const client = env.client();
  const other = await client.send(new CreateDatasetGroupCommand({ name: 'other' }));
  await waitForStatus(env, other.datasetGroupArn!, 'ACTIVE');
  const foreign = await client.send(new CreateDatasetCommand({
    name: 'borrowed', datasetGroupArn: other.datasetGroupArn, datasetType: 'Items', schemaArn: schemaArn(MODEL, 'ItemsSchema'),
  }));
  await waitForStatus(env, foreign.datasetArn!, 'ACTIVE');

  const result = await env.destroy();

  expect(result.status).toBe('DELETE_FAILED');
  expect(result.firstFailure?.logicalId).toBe(IDS.ItemsSchema);
  // Refused for a dataset nobody deletes: judged after the blocked-delete grace, not left to the timeout.
  expect(result.firstFailure?.reason).toMatch(new RegExp(`^Personalize refused to delete schema ${schemaArn(MODEL, 'ItemsSchema')}: `
    + `1 resource\\(s\\) that nobody is deleting still block it: ${foreign.datasetArn}\\. Delete those datasets`));
  expect(answersTo(env, 'DeleteDataset').length).toBe(3); // the stack's own three datasets, and not the borrowed one

  await client.send(new DeleteDatasetCommand({ datasetArn: foreign.datasetArn }));
  await waitForStatus(env, foreign.datasetArn!, undefined);
  await client.send(new DeleteDatasetGroupCommand({ datasetGroupArn: other.datasetGroupArn }));
  await destroyAndVerify(env);
}));

async function waitForStatus(env: LifecycleEnvironment, arn: string, status: string | undefined): Promise<void> {
  await until(() => env.service.resources().find((r) => r.arn === arn)?.status === status);
}

test.concurrent('throttled Describes while waiting back off, even for schemas, which are looked at without delay', () => withEnvironment({}, async (env) => {
  const throttledUntil = env.clock.now() + 400;
  env.service.inject('DescribeSchema', { kind: 'throttle', always: true, when: () => env.clock.now() < throttledUntil });

  await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');

  // Three schemas looked at for 400 ms: a poll loop that did not back off would call thousands of times.
  expect(answersTo(env, 'DescribeSchema').filter((a) => a === 'LimitExceededException').length).toBeLessThan(60);
  env.service.clearFaults();
  await destroyAndVerify(env);
}));

describe('lost responses and repeated events', () => {
  test.concurrent.each(['CreateSchema', 'CreateDataset', 'DeleteSchema', 'DeleteDataset'] as const)(
    'a %s whose response is lost is retried, and the data model still deploys and deletes', (operation) => withEnvironment({}, async (env) => {
      env.service.inject(operation, { kind: 'reset', afterProcessing: true });

      await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
      await destroyAndVerify(env);

      expect(env.service.faultsRemaining()).toBe(0);
    }));

  test.concurrent('an UpdateDataset whose response is lost is retried, meets the update it started, and the in-place update completes', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
    env.service.inject('UpdateDataset', { kind: 'reset', afterProcessing: true });
    // The update stays in flight until the retry has met it, however slow the machine.
    const update = env.service.holdUpdate(nameIn(MODEL, 'Group/Items'));
    const deployed = env.deploy(EXTENDED.template);
    await until(() => answersTo(env, 'UpdateDataset').length >= 2);
    update.release();

    await expectStatus(deployed, 'UPDATE_COMPLETE');

    expect(answersTo(env, 'UpdateDataset')).toEqual(['reset', 'ResourceInUseException']);
    expect(env.service.resources('dataset').find((d) => d.arn === ITEMS_ARN)).toMatchObject({ schemaArn: schemaArn(EXTENDED, 'ItemsSchema'), updateStatus: 'ACTIVE' });
    await destroyAndVerify(env);
  }));

  test.concurrent('an in-place schema update delivered twice at once starts one UpdateDataset and both deliveries succeed', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(MODEL.template), 'CREATE_COMPLETE');
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Update' && request.LogicalResourceId === IDS['Group/Items']
      ? { times: 2, concurrent: true } : { times: 1 });
    // The update stays in flight until both deliveries' onEvent have met it, however slow the machine.
    const update = env.service.holdUpdate(nameIn(MODEL, 'Group/Items'));
    const deployed = env.deploy(EXTENDED.template);
    await until(() => env.framework.invocations.filter((i) => i.fn === 'onEvent' && i.logicalId === IDS['Group/Items']
      && i.requestType === 'Update').length === 2);
    update.release();

    await expectStatus(deployed, 'UPDATE_COMPLETE');

    const record = env.cloudformation.requests.find((r) => r.request.LogicalResourceId === IDS['Group/Items'] && r.request.RequestType === 'Update')!;
    expect(record.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', ITEMS_ARN], ['SUCCESS', ITEMS_ARN]]);
    expect(answersTo(env, 'UpdateDataset').filter((a) => a === 'ok')).toHaveLength(1);
    await destroyAndVerify(env);
  }));
});
