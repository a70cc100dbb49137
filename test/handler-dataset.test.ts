import {
  CreateDatasetCommand,
  DeleteDatasetCommand,
  DeleteFilterCommand,
  DescribeDatasetCommand,
  DescribeSchemaCommand,
  ListMetricAttributionMetricsCommand,
  ListMetricAttributionsCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { WaitPolicy } from '../lambda/engine';
import {
  avro, createDatasetEvent as createEvent, DATASET_GROUP_ARN as GROUP_ARN, DATASET_NAME, deleteDatasetEvent as deleteEvent,
  describedDataset as described, ITEMS_ARN, ITEMS_FIELDS, SCHEMA_V1, SCHEMA_V2, updateDatasetEvent as updateEvent,
} from './support/dataset-fixtures';
import { ACCOUNT } from './support/dataset-group-fixtures';
import { isCompleteEvent, OWNER, tagged } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { Neighbours } from './support/neighbours';
import { alreadyExists, inUse, notFound, serviceError } from './support/personalize-errors';
import { pollUntilDone, runToCompletion } from './support/polling';
import { SHORT_WAIT_POLICY } from './support/wait-policy';
import { OWNER_TAG_KEY } from '../src/private/contract';


/** DescribeSchema answers with these definitions, by schema ARN. */
function schemasAre(definitions: Record<string, string>): void {
  for (const [arn, definition] of Object.entries(definitions)) {
    personalizeMock.on(DescribeSchemaCommand, { schemaArn: arn }).resolves({ schema: { schemaArn: arn, schema: definition } });
  }
}

const mocked = mockedHandlers();
const { personalizeMock, clock } = mocked;
const handlers = (waitPolicy?: WaitPolicy) => mocked.handlers({ waitPolicy });

describe('Create', () => {
  test('calls CreateDataset with the name, group, type, schema and tags plus the owner tag', async () => {
    personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));

    await handlers().onEvent(createEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetCommand, 1);
    expect(personalizeMock.commandCalls(CreateDatasetCommand)[0].args[0].input).toEqual({
      name: DATASET_NAME,
      datasetGroupArn: GROUP_ARN,
      datasetType: 'Items',
      schemaArn: SCHEMA_V1,
      tags: [{ tagKey: 'team', tagValue: 'recsys' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
  });

  test('waits through CREATE PENDING and CREATE IN_PROGRESS, then returns the ARN with Arn, Name and an empty TrackingId', async () => {
    personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
    personalizeMock.on(DescribeDatasetCommand)
      .resolvesOnce(described('CREATE PENDING'))
      .resolvesOnce(described('CREATE IN_PROGRESS'))
      .resolves(described('ACTIVE'));

    const result = await handlers().onEvent(createEvent());

    expect(result).toEqual({
      PhysicalResourceId: ITEMS_ARN,
      Data: { Arn: ITEMS_ARN, Name: DATASET_NAME, TrackingId: '' },
      Lifecycle: expect.objectContaining({ operation: 'create', settled: true }),
    });
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetCommand, 3);
    expect(personalizeMock).toHaveReceivedCommandWith(DescribeDatasetCommand, { datasetArn: ITEMS_ARN });
  });

  test('an Action_Interactions dataset returns its tracking ID with NoEcho, by isComplete only (onEvent\'s result is the waiter\'s input)', async () => {
    const arn = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset/retail/ACTION_INTERACTIONS`;
    personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: arn });
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { arn, datasetType: 'Action_Interactions', trackingId: 'a1b2c3d4-tracker' }));

    const { started, failure, response } = await runToCompletion(clock, handlers(), createEvent({ DatasetType: 'Action_Interactions' }));

    expect(failure).toBeUndefined();
    expect(started.NoEcho).toBe(true);
    expect(JSON.stringify(started)).not.toContain('a1b2c3d4-tracker');
    expect(response).toEqual({ NoEcho: true, Data: { Arn: arn, Name: DATASET_NAME, TrackingId: 'a1b2c3d4-tracker' } });
  });

  test('a dataset of another type has no tracking ID to hide: no NoEcho, so its ARN stays readable in stack outputs', async () => {
    personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));

    const { started, response } = await runToCompletion(clock, handlers(), createEvent());

    expect(started.NoEcho).toBeUndefined();
    expect(response).toEqual({ NoEcho: undefined, Data: { Arn: ITEMS_ARN, Name: DATASET_NAME, TrackingId: '' } });
  });

  test('hands over unsettled to isComplete when the dataset is still creating at the end of the onEvent window', async () => {
    personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
    personalizeMock.on(DescribeDatasetCommand).resolves(described('CREATE IN_PROGRESS'));

    const result = await handlers(SHORT_WAIT_POLICY).onEvent(createEvent());

    expect(result.PhysicalResourceId).toBe(ITEMS_ARN);
    expect(result.Data).toBeUndefined();
    expect(result.Lifecycle).toMatchObject({ operation: 'create', settled: false });
  });

  test('a group or schema that does not exist fails the create with the service\'s message', async () => {
    personalizeMock.on(CreateDatasetCommand).rejects(serviceError('ResourceNotFoundException', 400, 'Could not find schema.'));

    await expect(handlers().onEvent(createEvent())).rejects.toThrow('Could not find schema.');
  });

  describe('when the group already has a dataset of this type', () => {
    beforeEach(() => {
      personalizeMock.on(CreateDatasetCommand).rejects(alreadyExists());
    });

    test('adopts it when it is this stack resource\'s own dataset with the same name and schema (a retried Create)', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());

      const result = await handlers().onEvent(createEvent());

      expect(result.PhysicalResourceId).toBe(ITEMS_ARN);
      expect(result.Lifecycle.settled).toBe(true);
      expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ITEMS_ARN });
    });

    test('refuses, saying why, when it is this stack resource\'s dataset with another schema (a replacement cannot coexist with it)', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { schemaArn: SCHEMA_V2 }));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());

      await expect(handlers().onEvent(createEvent())).rejects.toThrow('This change needs a new dataset of type Items, but dataset group '
        + `${GROUP_ARN} holds one dataset of each type and this stack resource's current dataset ${ITEMS_ARN} (named '${DATASET_NAME}', `
        + `schema ${SCHEMA_V2}) still holds that place.`);
    });

    test('refuses, naming the dataset in the way, when another stack resource or someone else created it', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { name: 'hand-made' }));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({}, 'OtherStack/Items'));

      await expect(handlers().onEvent(createEvent())).rejects.toThrow(`Dataset group ${GROUP_ARN} already has a dataset of type Items, `
        + `${ITEMS_ARN} (named 'hand-made', schema ${SCHEMA_V1}), which this stack resource did not create`);
    });
  });
});

describe('isComplete while creating', () => {
  const waiting = () => isCompleteEvent(createEvent(), ITEMS_ARN, { operation: 'create', startedAt: clock.now(), settled: false });

  test('ACTIVE completes with the Arn, Name and TrackingId data', async () => {
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));

    await expect(handlers().isComplete(waiting())).resolves.toEqual({ IsComplete: true, Data: { Arn: ITEMS_ARN, Name: DATASET_NAME, TrackingId: '' } });
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('%s keeps waiting: IsComplete false at the end of the window', async (status) => {
    personalizeMock.on(DescribeDatasetCommand).resolves(described(status));

    await expect(handlers(SHORT_WAIT_POLICY).isComplete(waiting())).resolves.toEqual({ IsComplete: false });
  });

  test('CREATE FAILED fails; the Dataset API gives no reason, and the message says so', async () => {
    personalizeMock.on(DescribeDatasetCommand).resolves(described('CREATE FAILED'));

    await expect(handlers().isComplete(waiting())).rejects.toThrow(`Personalize reported CREATE FAILED for dataset ${ITEMS_ARN}: no reason given`);
  });

  test.each(['DELETE PENDING', 'DELETE IN_PROGRESS', 'SOMETHING NEW'])('%s while creating fails, naming the status', async (status) => {
    personalizeMock.on(DescribeDatasetCommand).resolves(described(status));

    await expect(handlers().isComplete(waiting())).rejects.toThrow(`Personalize reported ${status} for dataset ${ITEMS_ARN}`);
  });

  test('a dataset that disappears while creating fails, saying so', async () => {
    personalizeMock.on(DescribeDatasetCommand).rejects(notFound());

    await expect(handlers().isComplete(waiting())).rejects.toThrow(`Dataset ${ITEMS_ARN} disappeared while waiting for it to be ready`);
  });
});

describe('Update', () => {
  describe.each(['Items', 'Users'])('a new schema for the %s dataset type is applied in place', (datasetType) => {
    const compatible = avro([...ITEMS_FIELDS, { name: 'COLOR', type: ['null', 'string'], categorical: true }]);

    test('after checking both schemas, with UpdateDataset, following latestDatasetUpdate to ACTIVE, keeping the physical ID', async () => {
      schemasAre({ [SCHEMA_V1]: avro(ITEMS_FIELDS), [SCHEMA_V2]: compatible });
      personalizeMock.on(UpdateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));
      const pending = { schemaArn: SCHEMA_V2 };
      personalizeMock.on(DescribeDatasetCommand)
        .resolvesOnce(described('ACTIVE', { datasetType })) // the engine's look before it updates
        .resolvesOnce(described('ACTIVE', { datasetType })) // the schema the dataset holds, to compare with
        .resolvesOnce(described('ACTIVE', { datasetType, update: { ...pending, status: 'UPDATE PENDING' } }))
        .resolvesOnce(described('ACTIVE', { datasetType, update: { ...pending, status: 'UPDATE IN_PROGRESS' } }))
        .resolves(described('ACTIVE', { datasetType, schemaArn: SCHEMA_V2, update: { ...pending, status: 'ACTIVE' } }));

      const result = await handlers().onEvent(updateEvent({ DatasetType: datasetType }, { DatasetType: datasetType, SchemaArn: SCHEMA_V2 }));

      expect(personalizeMock).toHaveReceivedCommandWith(DescribeSchemaCommand, { schemaArn: SCHEMA_V1 });
      expect(personalizeMock).toHaveReceivedCommandWith(DescribeSchemaCommand, { schemaArn: SCHEMA_V2 });
      expect(personalizeMock).toHaveReceivedCommandTimes(UpdateDatasetCommand, 1);
      expect(personalizeMock).toHaveReceivedCommandWith(UpdateDatasetCommand, { datasetArn: ITEMS_ARN, schemaArn: SCHEMA_V2 });
      expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetCommand);
      expect(result).toMatchObject({ PhysicalResourceId: ITEMS_ARN, Lifecycle: { operation: 'update', settled: true } });
      expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetCommand, 5);
      expect(personalizeMock).not.toHaveReceivedCommand(TagResourceCommand);
    });
  });

  describe('an incompatible schema is refused before UpdateDataset, naming the field', () => {
    test.each([
      ['a removed field', avro([ITEMS_FIELDS[0]]), 'field GENRES is removed; an updated schema must keep every existing field'],
      ['a field whose type changes', avro([ITEMS_FIELDS[0], { name: 'GENRES', type: 'string', categorical: true }]),
        'field GENRES changes type from ["null", "string"] to "string"; existing fields must keep their type'],
      ['a new field that does not allow null', avro([...ITEMS_FIELDS, { name: 'PRICE', type: 'float' }]),
        'new field PRICE is float without null; fields added by an update must allow null, e.g. ["null", "float"]'],
    ])('%s', async (_label, replacement, problem) => {
      schemasAre({ [SCHEMA_V1]: avro(ITEMS_FIELDS), [SCHEMA_V2]: replacement });
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));

      await expect(handlers().onEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 })))
        .rejects.toThrow(`Dataset ${ITEMS_ARN} (Items) uses schema ${SCHEMA_V1}, and schema ${SCHEMA_V2} cannot replace it in place: `
          + `${problem}. Personalize can only add nullable fields`);
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });
  });

  test('UPDATE FAILED on latestDatasetUpdate fails the update with its failureReason', async () => {
    schemasAre({ [SCHEMA_V1]: avro(ITEMS_FIELDS), [SCHEMA_V2]: avro([...ITEMS_FIELDS, { name: 'COLOR', type: ['null', 'string'] }]) });
    personalizeMock.on(UpdateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
    personalizeMock.on(DescribeDatasetCommand)
      .resolvesOnce(described('ACTIVE'))
      .resolves(described('ACTIVE', { update: { schemaArn: SCHEMA_V2, status: 'UPDATE FAILED', failureReason: 'Schema replacement rejected.' } }));
    const { onEvent, isComplete } = handlers();
    const request = updateEvent({}, { SchemaArn: SCHEMA_V2 });

    const started = await onEvent(request);

    expect(started.PhysicalResourceId).toBe(ITEMS_ARN);
    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle)))
      .rejects.toThrow(`Personalize reported UPDATE FAILED for dataset ${ITEMS_ARN}: Schema replacement rejected.`);
  });

  test('an update still running at the end of the window keeps isComplete waiting', async () => {
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { update: { schemaArn: SCHEMA_V2, status: 'UPDATE IN_PROGRESS' } }));
    const event = isCompleteEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }), ITEMS_ARN, { operation: 'update', startedAt: clock.now(), settled: false });

    await expect(handlers(SHORT_WAIT_POLICY).isComplete(event)).resolves.toEqual({ IsComplete: false });
  });

  test('a repeated event while the same update is running does not call UpdateDataset again', async () => {
    personalizeMock.on(DescribeDatasetCommand)
      .resolvesOnce(described('ACTIVE', { update: { schemaArn: SCHEMA_V2, status: 'UPDATE IN_PROGRESS' } }))
      .resolves(described('ACTIVE', { schemaArn: SCHEMA_V2, update: { schemaArn: SCHEMA_V2, status: 'ACTIVE' } }));

    const result = await handlers().onEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }));

    expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    expect(result.Lifecycle.settled).toBe(true);
  });

  test('the rollback after a failed update, back to the schema the dataset still has, calls nothing and succeeds', async () => {
    const failedEarlier = { schemaArn: SCHEMA_V2, status: 'UPDATE FAILED', failureReason: 'Schema replacement rejected.' };
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { schemaArn: SCHEMA_V1, update: failedEarlier }));

    const result = await handlers().onEvent(updateEvent({ SchemaArn: SCHEMA_V2 }, { SchemaArn: SCHEMA_V1 }));

    expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(DescribeSchemaCommand);
    // The dataset does not hold what the failed request asked for, so the rollback keeps it matching for a while.
    expect(result).toMatchObject({ PhysicalResourceId: ITEMS_ARN, Lifecycle: { operation: 'update', guardUntil: expect.any(Number) } });
  });

  test('a tags-only change untags removed keys and tags added ones, without UpdateDataset', async () => {
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys', stage: 'beta' }));

    const result = await handlers().onEvent(updateEvent(
      { Tags: [{ Key: 'team', Value: 'recsys' }, { Key: 'stage', Value: 'beta' }] },
      { Tags: [{ Key: 'team', Value: 'search' }] },
    ));

    expect(personalizeMock).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ITEMS_ARN, tagKeys: ['stage'] });
    expect(personalizeMock).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ITEMS_ARN, tags: [{ tagKey: 'team', tagValue: 'search' }] });
    expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    expect(result).toMatchObject({ PhysicalResourceId: ITEMS_ARN, Lifecycle: { settled: true } });
  });

  test('a tags-only change is not failed by an update that failed in an earlier deployment', async () => {
    const failedEarlier = { schemaArn: SCHEMA_V2, status: 'UPDATE FAILED', failureReason: 'Schema replacement rejected.' };
    personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { update: failedEarlier }));
    const { onEvent, isComplete } = handlers();
    const request = updateEvent({}, { Tags: [{ Key: 'team', Value: 'search' }] });

    const started = await onEvent(request);

    expect(started.Lifecycle).toMatchObject({ operation: 'update' });
    expect(started.Lifecycle.failure).toBeUndefined();
    await expect(isComplete(isCompleteEvent(request, ITEMS_ARN, { operation: 'update', startedAt: clock.now(), settled: false })))
      .resolves.toMatchObject({ IsComplete: true });
  });

  describe('against what the service holds, after an update CloudFormation cancelled', () => {
    const EXTENDED = avro([...ITEMS_FIELDS, { name: 'COLOR', type: ['null', 'string'], categorical: true }]);
    /** The dataset while the cancelled update to `schemaArn` runs, and once it has landed. */
    const updating = (from: string, to: string) => described('ACTIVE', { schemaArn: from, update: { schemaArn: to, status: 'UPDATE IN_PROGRESS' } });
    const landed = (to: string) => described('ACTIVE', { schemaArn: to, update: { schemaArn: to, status: 'ACTIVE' } });

    test('an update that finds a schema update in flight waits for it to settle, then applies the change', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolvesOnce(updating(SCHEMA_V2, SCHEMA_V1)).resolvesOnce(updating(SCHEMA_V2, SCHEMA_V1))
        .resolves(landed(SCHEMA_V1));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));

      const result = await handlers().onEvent(updateEvent({}, { Tags: [{ Key: 'team', Value: 'search' }] }));

      expect(result).toMatchObject({ PhysicalResourceId: ITEMS_ARN, Lifecycle: { operation: 'update', applyPending: true, settled: true } });
      expect(personalizeMock).toHaveReceivedCommandTimes(TagResourceCommand, 1);
      const calls = personalizeMock.calls().map((call) => call.args[0].constructor.name);
      // Two looks see the update in flight; the third sees it settled, and only then is the change made against what the service holds.
      expect(calls.slice(0, 6)).toEqual(['DescribeDatasetCommand', 'DescribeDatasetCommand', 'DescribeDatasetCommand',
        'DescribeDatasetCommand', 'ListTagsForResourceCommand', 'TagResourceCommand']);
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });

    test('onEvent hands the pending change to isComplete, which applies it once the update in flight has settled', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(updating(SCHEMA_V1, SCHEMA_V1));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));
      const { onEvent, isComplete } = handlers(SHORT_WAIT_POLICY);
      const request = updateEvent({}, { Tags: [{ Key: 'team', Value: 'search' }] });

      const started = await onEvent(request);
      expect(started.Lifecycle).toMatchObject({ operation: 'update', applyPending: true, settled: false });
      expect(personalizeMock).not.toHaveReceivedCommand(TagResourceCommand);

      personalizeMock.on(DescribeDatasetCommand).resolves(landed(SCHEMA_V1));
      const failure = await pollUntilDone(clock, isComplete, isCompleteEvent(request, ITEMS_ARN, started.Lifecycle));

      expect(failure).toBeUndefined();
      expect(personalizeMock).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ITEMS_ARN, tags: [{ tagKey: 'team', tagValue: 'search' }] });
    });

    test('the rollback of a cancelled update that extended the schema fails once it lands, pointing to continue-update-rollback', async () => {
      schemasAre({ [SCHEMA_V1]: avro(ITEMS_FIELDS), [SCHEMA_V2]: EXTENDED });
      personalizeMock.on(DescribeDatasetCommand).resolvesOnce(updating(SCHEMA_V1, SCHEMA_V2)).resolves(landed(SCHEMA_V2));
      const { onEvent, isComplete } = handlers();
      const request = updateEvent({ SchemaArn: SCHEMA_V2 }, { SchemaArn: SCHEMA_V1 });

      const started = await onEvent(request);

      expect(started.Lifecycle).toMatchObject({ applyPending: true, failure: expect.stringContaining('continue-update-rollback') });
      await expect(isComplete(isCompleteEvent(request, ITEMS_ARN, started.Lifecycle))).rejects.toThrow(
        `Dataset ${ITEMS_ARN} (Items) uses schema ${SCHEMA_V2}, and schema ${SCHEMA_V1} cannot replace it in place: field COLOR is removed`);
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });

    test('a new schema the dataset already holds (the cancelled update landed) calls neither DescribeSchema nor UpdateDataset', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(landed(SCHEMA_V2));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));

      const result = await handlers().onEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }));

      // The dataset no longer holds what the previous request asked for: it guards against that request's late calls.
      expect(result.Lifecycle).toMatchObject({ operation: 'update', guardUntil: expect.any(Number) });
      expect(personalizeMock).not.toHaveReceivedCommand(DescribeSchemaCommand);
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });

    test('tags are compared with the tags the dataset has, not with the previous deployment\'s properties', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'search', stage: 'beta' }));

      await handlers().onEvent(updateEvent({ Tags: [{ Key: 'team', Value: 'recsys' }] }, { Tags: [{ Key: 'team', Value: 'recsys' }] }));

      expect(personalizeMock).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: ITEMS_ARN, tagKeys: ['stage'] });
      expect(personalizeMock).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: ITEMS_ARN, tags: [{ tagKey: 'team', tagValue: 'recsys' }] });
    });

    test('a ready dataset with another schema than the stack asks for fails the update, saying which it uses', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { schemaArn: SCHEMA_V1 }));
      const event = isCompleteEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }), ITEMS_ARN, { operation: 'update', startedAt: clock.now(), settled: false });

      await expect(handlers().isComplete(event)).rejects.toThrow(
        `Personalize reported ACTIVE for dataset ${ITEMS_ARN}: the dataset uses schema ${SCHEMA_V1}, not ${SCHEMA_V2} as the stack asks`);
    });
  });

  describe('UpdateDataset edge cases', () => {
    beforeEach(() => {
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));
    });

    test('UpdateDataset refused because a retry\'s first attempt already started the same update is success', async () => {
      schemasAre({ [SCHEMA_V1]: avro(ITEMS_FIELDS), [SCHEMA_V2]: avro([...ITEMS_FIELDS, { name: 'COLOR', type: ['null', 'string'] }]) });
      personalizeMock.on(UpdateDatasetCommand).rejects(inUse());
      personalizeMock.on(DescribeDatasetCommand)
        .resolvesOnce(described('ACTIVE'))
        .resolvesOnce(described('ACTIVE'))
        .resolvesOnce(described('ACTIVE', { update: { schemaArn: SCHEMA_V2, status: 'UPDATE IN_PROGRESS' } }))
        .resolves(described('ACTIVE', { schemaArn: SCHEMA_V2, update: { schemaArn: SCHEMA_V2, status: 'ACTIVE' } }));

      const result = await handlers().onEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }));

      expect(result.Lifecycle).toMatchObject({ operation: 'update', settled: true });
      expect(personalizeMock).toHaveReceivedCommandTimes(UpdateDatasetCommand, 1);
    });

    test('UpdateDataset refused for another reason fails the update with the service\'s error', async () => {
      schemasAre({ [SCHEMA_V1]: avro(ITEMS_FIELDS), [SCHEMA_V2]: avro([...ITEMS_FIELDS, { name: 'COLOR', type: ['null', 'string'] }]) });
      personalizeMock.on(UpdateDatasetCommand).rejects(serviceError('ResourceInUseException', 400, 'An import job is running.'));
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));

      await expect(handlers().onEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }))).rejects.toThrow('An import job is running.');
    });

    test('when a schema cannot be read, the compatibility check is left to UpdateDataset', async () => {
      personalizeMock.on(DescribeSchemaCommand).rejects(notFound());
      personalizeMock.on(UpdateDatasetCommand).resolves({ datasetArn: ITEMS_ARN });
      personalizeMock.on(DescribeDatasetCommand).resolvesOnce(described('ACTIVE')).resolvesOnce(described('ACTIVE'))
        .resolves(described('ACTIVE', { schemaArn: SCHEMA_V2 }));

      await handlers().onEvent(updateEvent({}, { SchemaArn: SCHEMA_V2 }));

      expect(personalizeMock).toHaveReceivedCommandWith(UpdateDatasetCommand, { datasetArn: ITEMS_ARN, schemaArn: SCHEMA_V2 });
    });

    test('an in-place update of an Interactions dataset that holds another schema than asked fails: that schema cannot change in place', async () => {
      const interactionsArn = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset/retail/INTERACTIONS`;
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { arn: interactionsArn, datasetType: 'Interactions', schemaArn: SCHEMA_V2 }));
      const interactions = { DatasetType: 'Interactions' };

      await expect(handlers().onEvent(updateEvent(interactions, { ...interactions, Tags: [] }, interactionsArn))).rejects.toThrow(
        `Dataset ${interactionsArn} uses schema ${SCHEMA_V2}, and the schema of a Interactions dataset cannot change in place to ${SCHEMA_V1}.`);
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });
  });

  describe('changes that need a new dataset', () => {
    const INTERACTIONS_ARN = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset/retail/INTERACTIONS`;
    const interactions = { DatasetType: 'Interactions' };

    test('a new schema for an Interactions dataset under a new name tries a replacement, which is refused with what to do', async () => {
      personalizeMock.on(CreateDatasetCommand).rejects(alreadyExists());
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { arn: INTERACTIONS_ARN, datasetType: 'Interactions' }));
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());

      await expect(handlers().onEvent(updateEvent(interactions, { ...interactions, Name: 'TestStack-Interactions-9f8e7d6c', SchemaArn: SCHEMA_V2 },
        INTERACTIONS_ARN))).rejects.toThrow(/Only the schema of Items and Users datasets can change in place. To replace the dataset, remove it from the app and deploy, then add it back/);
      expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetCommand, { datasetType: 'Interactions', schemaArn: SCHEMA_V2 });
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
      expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetCommand);
    });

    test('a new schema for an Interactions dataset under the same name is refused at once, naming schema and datasetName', async () => {
      await expect(handlers().onEvent(updateEvent(interactions, { ...interactions, SchemaArn: SCHEMA_V2 }, INTERACTIONS_ARN)))
        .rejects.toThrow(`Changing schema of dataset '${DATASET_NAME}' needs a replacement, but the replacement would have the same name `
          + 'as the dataset it replaces, and names are unique. Change datasetName');
      // Reads only: the refusal first checks that the dataset is not already what is asked (a rollback of a refused change).
      expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetCommand);
      expect(personalizeMock).not.toHaveReceivedCommand(UpdateDatasetCommand);
    });

    test('a new type creates a dataset of that type and returns its ARN: a replacement', async () => {
      const usersArn = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset/retail/USERS`;
      personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: usersArn });
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { arn: usersArn, datasetType: 'Users', name: 'TestStack-Users-1' }));

      const result = await handlers().onEvent(updateEvent({}, { DatasetType: 'Users', Name: 'TestStack-Users-1' }));

      expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetCommand, { datasetType: 'Users', name: 'TestStack-Users-1' });
      expect(result.PhysicalResourceId).toBe(usersArn);
    });

    test('a new group creates the dataset in that group and returns its ARN: a replacement', async () => {
      const otherGroup = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset-group/retail-v2`;
      const movedArn = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset/retail-v2/ITEMS`;
      personalizeMock.on(CreateDatasetCommand).resolves({ datasetArn: movedArn });
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE', { arn: movedArn, name: 'TestStack-Items-2' }));

      const result = await handlers().onEvent(updateEvent({}, { DatasetGroupArn: otherGroup, Name: 'TestStack-Items-2' }));

      expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetCommand, { datasetGroupArn: otherGroup });
      expect(result.PhysicalResourceId).toBe(movedArn);
    });

    test('the type is compared as the API does, without regard to case', async () => {
      personalizeMock.on(DescribeDatasetCommand).resolves(described('ACTIVE'));

      const result = await handlers().onEvent(updateEvent({ DatasetType: 'Items' }, { DatasetType: 'ITEMS' }));

      expect(result.PhysicalResourceId).toBe(ITEMS_ARN);
      expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetCommand);
    });
  });
});

describe('Delete', () => {
  beforeEach(() => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
  });

  test('proves the owner tag, calls DeleteDataset, then waits through DELETE PENDING and DELETE IN_PROGRESS until the dataset is gone', async () => {
    personalizeMock.on(DeleteDatasetCommand).resolves({});
    personalizeMock.on(DescribeDatasetCommand)
      .resolvesOnce(described('ACTIVE'))
      .resolvesOnce(described('DELETE PENDING'))
      .resolvesOnce(described('DELETE IN_PROGRESS'))
      .rejects(notFound());

    const result = await handlers().onEvent(deleteEvent());

    expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ITEMS_ARN });
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetCommand, { datasetArn: ITEMS_ARN });
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetCommand, 4);
    expect(result).toMatchObject({ PhysicalResourceId: ITEMS_ARN, Lifecycle: { operation: 'delete', settled: true } });
    expect(result.Data).toBeUndefined();
  });

  test('does not report the delete done while the dataset still exists, so the group\'s delete comes only after', async () => {
    personalizeMock.on(DeleteDatasetCommand).resolves({});
    personalizeMock.on(DescribeDatasetCommand).resolvesOnce(described('ACTIVE')).resolves(described('DELETE IN_PROGRESS'));
    const { onEvent, isComplete } = handlers(SHORT_WAIT_POLICY);
    const request = deleteEvent();

    const started = await onEvent(request);
    const stillDeleting = await isComplete(isCompleteEvent(request, ITEMS_ARN, started.Lifecycle));
    personalizeMock.on(DescribeDatasetCommand).rejects(notFound());
    const gone = await isComplete(isCompleteEvent(request, ITEMS_ARN, started.Lifecycle));

    expect(started.Lifecycle.settled).toBe(false);
    expect(stillDeleting).toEqual({ IsComplete: false });
    expect(gone).toEqual({ IsComplete: true });
  });

  test('deleting a dataset that is already gone succeeds after one Describe, without DeleteDataset', async () => {
    personalizeMock.on(DescribeDatasetCommand).rejects(notFound());

    const result = await handlers().onEvent(deleteEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetCommand, 1);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetCommand);
  });

  test('ResourceInUseException (an import job still running) keeps waiting and retries the delete until it succeeds', async () => {
    personalizeMock.on(DeleteDatasetCommand).rejectsOnce(inUse()).rejectsOnce(inUse()).resolves({});
    personalizeMock.on(DescribeDatasetCommand)
      .resolvesOnce(described('ACTIVE'))
      .resolvesOnce(described('ACTIVE'))
      .resolvesOnce(described('ACTIVE'))
      .resolvesOnce(described('DELETE PENDING'))
      .rejects(notFound());

    const result = await handlers().onEvent(deleteEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetCommand, 3);
    expect(result.Lifecycle.settled).toBe(true);
  });

  test('a physical ID that is not a dataset ARN (a failed create\'s placeholder) makes the delete look for the group\'s dataset of the type', async () => {
    personalizeMock.on(DescribeDatasetCommand).rejects(notFound());

    const result = await handlers().onEvent(deleteEvent('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'));

    expect(result.Lifecycle).toMatchObject({ operation: 'delete', target: ITEMS_ARN, cancelledCreate: true });
    expect(personalizeMock).toHaveReceivedCommandWith(DescribeDatasetCommand, { datasetArn: ITEMS_ARN });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetCommand);
  });
});

describe('Delete that what lives in the group blocks', () => {
  const INTERACTIONS_ARN = ITEMS_ARN.replace(/ITEMS$/, 'INTERACTIONS');
  const OTHER_STACK = 'OtherStack/Filter';
  const THIS_STACK = 'TestStack/Filter';
  const SOLUTION = `arn:aws:personalize:us-east-1:${ACCOUNT}:solution/outside`;

  /**
   * The dataset at `arn` is ACTIVE and DeleteDataset is refused while any of `blocking()` still blocks it, as
   * the service judges (the test says which); once accepted it is DELETE PENDING, then gone.
   */
  function datasetRefusedWhile(arn: string, blocking: () => boolean): void {
    let deleted = false;
    personalizeMock.on(DescribeDatasetCommand).callsFake(async () => {
      if (deleted) throw notFound();
      return described('ACTIVE', { arn });
    });
    personalizeMock.on(DeleteDatasetCommand).callsFake(async () => {
      if (blocking()) throw inUse();
      deleted = true;
      return {};
    });
  }

  const run = (request = deleteEvent()) => runToCompletion(clock, handlers(SHORT_WAIT_POLICY), request);

  test('without GroupEmptyOnDelete, blockers nobody deletes fail the delete after the grace, listed with what to do; nothing is deleted', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const filter = group.add('filter', 'no-repeats');
    const leaving = group.add('filter', 'leaving');
    group.add('eventTracker', 'web'); // blocks the Interactions dataset only
    const attribution = group.add('metricAttribution', 'revenue', { expressions: ['SAMPLECOUNT()', 'SUM(Items.PRICE)'] });
    const solution = group.add('solution', 'outside');
    const campaign = group.add('campaign', 'live', { solutionArn: solution });
    group.add('campaign', 'broken', { solutionArn: solution, status: 'CREATE FAILED' });
    group.startDeleting(leaving, SHORT_WAIT_POLICY.totalTimeoutMs);
    datasetRefusedWhile(ITEMS_ARN, () => true);

    const { failure, elapsedMs } = await run();

    expect(String(failure)).toBe(`Error: Personalize refused to delete dataset ${ITEMS_ARN}: 3 resource(s) that nobody is deleting still `
      + `block it: ${filter}, ${attribution}, ${campaign}. Delete them (every filter of the group, its event tracker, metric attributions `
      + 'that reference the dataset and campaigns block a dataset), or set emptyOnDelete on the DatasetGroup so that the stack deletes '
      + 'those it does not manage first, then delete again.');
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(elapsedMs).toBeLessThan(SHORT_WAIT_POLICY.totalTimeoutMs);
    // Someone else is deleting 'leaving': it is waited for, not listed; nothing is deleted or stopped.
    expect(group.deletes).toEqual([]);
    expect(group.stopped).toEqual([]);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteFilterCommand);
  });

  test('an event tracker blocks the Interactions dataset; a metric attribution that only counts events blocks it, and no Items dataset', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const tracker = group.add('eventTracker', 'web');
    const attribution = group.add('metricAttribution', 'clicks', { expressions: ['SAMPLECOUNT()'] });
    datasetRefusedWhile(INTERACTIONS_ARN, () => true);

    const interactions = await run(deleteEvent(INTERACTIONS_ARN, { DatasetType: 'Interactions' }));

    expect(String(interactions.failure)).toContain(`2 resource(s) that nobody is deleting still block it: ${tracker}, ${attribution}.`);
    datasetRefusedWhile(ITEMS_ARN, () => true);
    const items = await run();
    // Nothing the delete page names blocks the Items dataset: the refusal is retried until the total timeout.
    expect(String(items.failure)).toContain(`Timed out after ${SHORT_WAIT_POLICY.totalTimeoutMs / 1000} s waiting for dataset ${ITEMS_ARN}`);
  });

  test('import jobs, batch jobs, trainings and recommenders still being created are waited for: they stop blocking by themselves', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const job = group.add('importJob', 'load', { status: 'CREATE IN_PROGRESS' });
    const solution = group.add('solution', 'outside');
    const training = group.add('solutionVersion', 'v1', { solutionArn: solution, status: 'CREATE IN_PROGRESS' });
    const trained = group.add('solutionVersion', 'v0', { solutionArn: solution });
    const batch = group.add('batchInferenceJob', 'nightly', { solutionVersionArn: trained, status: 'IN PROGRESS' });
    const segments = group.add('batchSegmentJob', 'audiences', { solutionVersionArn: trained, status: 'PENDING' });
    const recommender = group.add('recommender', 'top-picks', { status: 'CREATE PENDING' });
    const settlesAfterMs = SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000;
    const settlesAt = clock.now() + settlesAfterMs;
    datasetRefusedWhile(ITEMS_ARN, () => clock.now() < settlesAt);

    const { failure, elapsedMs } = await run();

    expect(failure).toBeUndefined();
    expect(elapsedMs).toBeGreaterThanOrEqual(settlesAfterMs);
    expect([job, training, recommender, batch, segments].every((arn) => group.has(arn))).toBe(true);
    // Without emptyOnDelete, nobody else's training is stopped.
    expect(group.stopped).toEqual([]);
  });

  test('with GroupEmptyOnDelete, what blocks it and carries no owner tag of this stack is deleted or stopped first, then the dataset', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const filter = group.add('filter', 'no-repeats');
    const otherStacks = group.add('filter', 'theirs', { owner: OTHER_STACK });
    const tracker = group.add('eventTracker', 'web');
    const attribution = group.add('metricAttribution', 'clicks');
    const campaign = group.add('campaign', 'live', { solutionArn: group.add('solution', 'outside') });
    const training = group.add('solutionVersion', 'v2', { solutionArn: SOLUTION, status: 'CREATE IN_PROGRESS' });
    const blockers = [filter, otherStacks, tracker, attribution, campaign];
    datasetRefusedWhile(INTERACTIONS_ARN, () => blockers.some((arn) => group.has(arn)) || group.statusOf(training) === 'CREATE IN_PROGRESS');

    const { failure } = await run(deleteEvent(INTERACTIONS_ARN, { DatasetType: 'Interactions', GroupEmptyOnDelete: 'true' }));

    expect(failure).toBeUndefined();
    expect(new Set(group.deletes)).toEqual(new Set(blockers));
    expect(group.stopped).toEqual([training]);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetCommand, { datasetArn: INTERACTIONS_ARN });
  });

  test('with GroupEmptyOnDelete, a blocker this stack manages is left to the stack; the delete fails after the grace, saying why', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const foreign = group.add('filter', 'outside');
    const ours = group.add('filter', 'ours', { owner: THIS_STACK });
    datasetRefusedWhile(ITEMS_ARN, () => group.has(ours) || group.has(foreign));

    const { failure } = await run(deleteEvent(ITEMS_ARN, { GroupEmptyOnDelete: 'true' }));

    expect(group.deletes).toEqual([foreign]);
    expect(String(failure)).toBe(`Error: Personalize refused to delete dataset ${ITEMS_ARN}: 1 resource(s) that nobody is deleting still `
      + `block it: ${ours}. They carry this stack's owner tag, so emptyOnDelete leaves them: the stack retains them, or they stay in the `
      + 'app while this dataset leaves it. Remove them from the app together with the dataset, or delete them, then delete again.');
  });

  test('with GroupEmptyOnDelete, a training of this stack\'s solution is not stopped, even one automatic training started untagged', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const ours = group.add('solution', 'ours', { owner: 'TestStack/Solution' });
    const training = group.add('solutionVersion', 'auto', { solutionArn: ours, status: 'CREATE IN_PROGRESS' });
    const settlesAt = clock.now() + SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000;
    datasetRefusedWhile(ITEMS_ARN, () => clock.now() < settlesAt);

    const { failure } = await run(deleteEvent(ITEMS_ARN, { GroupEmptyOnDelete: 'true' }));

    expect(failure).toBeUndefined();
    expect(group.stopped).toEqual([]);
    expect(group.statusOf(training)).toBe('CREATE IN_PROGRESS');
  });

  test('properties of constructs from before GroupEmptyOnDelete mean false, and a value other than true or false is refused, naming it', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const filter = group.add('filter', 'outside');
    datasetRefusedWhile(ITEMS_ARN, () => group.has(filter));

    const { failure } = await run(deleteEvent(ITEMS_ARN, { GroupEmptyOnDelete: undefined }));

    expect(String(failure)).toContain(`1 resource(s) that nobody is deleting still block it: ${filter}.`);
    expect(group.deletes).toEqual([]);
    await expect(handlers().onEvent(createEvent({ GroupEmptyOnDelete: 'yes' }))).rejects.toThrow('Property \'GroupEmptyOnDelete\' must be \'true\' or \'false\', got \'yes\'');
  });

  test('a metric attribution deleted by a sibling dataset between the two List calls is no blocker', async () => {
    const group = new Neighbours(personalizeMock, clock);
    const attribution = group.add('metricAttribution', 'revenue', { expressions: ['SUM(Items.PRICE)'] });
    let listed = 0;
    personalizeMock.on(ListMetricAttributionsCommand).callsFake(async () => {
      // The first listing still shows it; by the time its metrics are read, it is gone.
      if (++listed === 1) return { metricAttributions: [{ metricAttributionArn: attribution, status: 'ACTIVE' }] };
      return { metricAttributions: [] };
    });
    personalizeMock.on(ListMetricAttributionMetricsCommand).rejects(serviceError('InvalidInputException'));
    datasetRefusedWhile(ITEMS_ARN, () => true);

    const { failure } = await run();

    expect(String(failure)).toContain(`Timed out after ${SHORT_WAIT_POLICY.totalTimeoutMs / 1000} s`);
    expect(String(failure)).not.toContain(attribution);
  });
});

describe('any request type', () => {
  test.each(['DatasetGroupArn', 'DatasetType', 'SchemaArn'])('a missing %s property fails, naming the property', async (property) => {
    await expect(handlers().onEvent(createEvent({ [property]: undefined }))).rejects.toThrow(`Missing required property '${property}'`);
  });

  test.each([
    ['a list SchemaArn', { SchemaArn: [SCHEMA_V1, SCHEMA_V2] }, 'Property \'SchemaArn\' must be a string, got a list'],
    ['a number DatasetType', { DatasetType: 3 }, 'Property \'DatasetType\' must be a string, got a number'],
    ['a tag whose Key is empty', { Tags: [{ Key: '', Value: 'x' }] }, 'Property \'Tags\' item 1 must be {Key: string, Value: string}'],
    ['the reserved owner tag', { Tags: [{ Key: OWNER_TAG_KEY, Value: OWNER }] }, `Property 'Tags' sets the tag '${OWNER_TAG_KEY}', which is reserved`],
  ])('a Create with %s fails, naming the property, before any API call', async (_label, overrides, message) => {
    await expect(handlers().onEvent(createEvent(overrides))).rejects.toThrow(message);
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });
});
