import {
  CreateSchemaCommand,
  DeleteDatasetCommand,
  DeleteSchemaCommand,
  DescribeDatasetCommand,
  ListDatasetsCommand,
  DescribeSchemaCommand,
  DescribeSchemaCommandOutput,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { WaitPolicy } from '../lambda/engine';
import { isCompleteEvent } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { alreadyExists, inUse, notFound, serviceError } from './support/personalize-errors';
import { runToCompletion } from './support/polling';
import {
  createSchemaEvent as createEvent, DEFINITION, deleteSchemaEvent as deleteEvent, describedSchema as existingSchema, EXTENDED_DEFINITION,
  SCHEMA_ARN, SCHEMA_NAME, schemaArn, updateSchemaEvent as updateEvent,
} from './support/schema-fixtures';
import { SHORT_WAIT_POLICY } from './support/wait-policy';


/** DescribeSchema's answer; the schema was created `ageMs` before now on the test's clock. */
function describedSchema(definition = DEFINITION, domain?: string, name = SCHEMA_NAME, ageMs = 0): DescribeSchemaCommandOutput {
  return existingSchema({ definition, domain, name, createdAt: clock.now() - ageMs });
}

/** The schema exists until DeleteSchema succeeds, which it does after refusing `refusals` times (a dataset still uses it). */
function schemaDeletedAfter(refusals: number, existing = describedSchema): void {
  let deletes = 0;
  personalizeMock.on(DeleteSchemaCommand).callsFake(async () => {
    if (++deletes <= refusals) throw inUse();
    return {};
  });
  personalizeMock.on(DescribeSchemaCommand).callsFake(async () => {
    if (deletes > refusals) throw notFound();
    return existing();
  });
}

const THEIRS = 'arn:aws:personalize:us-east-1:123456789012:dataset/theirs/USERS';
const MOVING = 'arn:aws:personalize:us-east-1:123456789012:dataset/theirs/ITEMS';

/** The account's datasets, as ListDatasets and DescribeDataset answer; a dataset not listed does not exist. */
function datasetsAre(datasets: Record<string, { schemaArn: string; status: string; update?: { schemaArn: string; status: string } }>): void {
  personalizeMock.on(ListDatasetsCommand)
    .resolves({ datasets: Object.entries(datasets).map(([datasetArn, { status }]) => ({ datasetArn, status })) });
  personalizeMock.on(DescribeDatasetCommand).callsFake(async ({ datasetArn }) => {
    const found = datasets[datasetArn];
    if (!found) throw notFound();
    return { dataset: { datasetArn, schemaArn: found.schemaArn, status: found.status, latestDatasetUpdate: found.update } };
  });
}

const mocked = mockedHandlers();
const { personalizeMock, clock } = mocked;
const handlers = (waitPolicy?: WaitPolicy) => mocked.handlers({ waitPolicy });

describe('Create', () => {
  test('calls CreateSchema with the name, definition and domain, and no tags (the API has none for schemas)', async () => {
    personalizeMock.on(CreateSchemaCommand).resolves({ schemaArn: SCHEMA_ARN });
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema(DEFINITION, 'ECOMMERCE'));

    await handlers().onEvent(createEvent({ Domain: 'ECOMMERCE' }));

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateSchemaCommand, 1);
    expect(personalizeMock.commandCalls(CreateSchemaCommand)[0].args[0].input).toEqual({ name: SCHEMA_NAME, schema: DEFINITION, domain: 'ECOMMERCE' });
  });

  test('leaves domain out of CreateSchema when the properties have none', async () => {
    personalizeMock.on(CreateSchemaCommand).resolves({ schemaArn: SCHEMA_ARN });
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());

    await handlers().onEvent(createEvent());

    expect(personalizeMock.commandCalls(CreateSchemaCommand)[0].args[0].input.domain).toBeUndefined();
  });

  test('settles at once: one DescribeSchema with no delay, returning the ARN as physical ID with Arn and Name data', async () => {
    personalizeMock.on(CreateSchemaCommand).resolves({ schemaArn: SCHEMA_ARN });
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());

    const result = await handlers().onEvent(createEvent());

    expect(result).toEqual({
      PhysicalResourceId: SCHEMA_ARN,
      Data: { Arn: SCHEMA_ARN, Name: SCHEMA_NAME },
      Lifecycle: expect.objectContaining({ operation: 'create', settled: true }),
    });
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeSchemaCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(DescribeSchemaCommand, { schemaArn: SCHEMA_ARN });
    expect(clock.sleeps).toEqual([0]);
  });

  test('isComplete after a settled onEvent completes without calling Personalize', async () => {
    personalizeMock.on(CreateSchemaCommand).resolves({ schemaArn: SCHEMA_ARN });
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());
    const { onEvent, isComplete } = handlers();
    const request = createEvent();
    const started = await onEvent(request);
    personalizeMock.resetHistory();

    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).resolves.toEqual({ IsComplete: true });
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('a definition the service refuses fails the create with the service\'s message', async () => {
    personalizeMock.on(CreateSchemaCommand).rejects(serviceError('InvalidInputException', 400, 'Schema is not valid Avro.'));

    await expect(handlers().onEvent(createEvent())).rejects.toThrow('Schema is not valid Avro.');
  });

  test('a schema that is gone when first described fails, saying it disappeared', async () => {
    personalizeMock.on(CreateSchemaCommand).resolves({ schemaArn: SCHEMA_ARN });
    personalizeMock.on(DescribeSchemaCommand).rejects(notFound());
    const { onEvent, isComplete } = handlers();
    const request = createEvent();

    const started = await onEvent(request);

    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).rejects.toThrow(/disappeared/);
  });

  describe('when the name is already taken (the API has no tags for schemas, so content and creation time decide)', () => {
    beforeEach(() => {
      personalizeMock.on(CreateSchemaCommand).rejects(alreadyExists());
    });

    test('adopts the existing schema, created by this request, when its definition is the same JSON, whatever its formatting and key order', async () => {
      const reordered = JSON.stringify({
        fields: JSON.parse(DEFINITION).fields,
        version: '1.0',
        type: 'record',
        namespace: 'com.amazonaws.personalize.schema',
        name: 'Interactions',
      }, undefined, 2);
      personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema(reordered, 'ECOMMERCE'));

      const result = await handlers().onEvent(createEvent({ Domain: 'ECOMMERCE' }));

      expect(result.PhysicalResourceId).toBe(SCHEMA_ARN);
      expect(result.Lifecycle.settled).toBe(true);
    });

    test('refuses, naming schemaName, when the existing schema has another definition', async () => {
      personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema(EXTENDED_DEFINITION));

      await expect(handlers().onEvent(createEvent())).rejects.toThrow(`A schema named '${SCHEMA_NAME}' already exists (${SCHEMA_ARN}) and this `
        + 'stack resource cannot prove it made it. Choose another schemaName (or remove it to let the library generate one), or delete '
        + 'the existing schema if nothing else uses it.');
    });

    test('refuses when the existing schema has another domain', async () => {
      personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema(DEFINITION, 'VIDEO_ON_DEMAND'));

      await expect(handlers().onEvent(createEvent({ Domain: 'ECOMMERCE' }))).rejects.toThrow(/already exists .* cannot prove it made it/);
    });
  });
});

describe('isComplete while creating', () => {
  test('an existing schema is ACTIVE: completes with the Arn and Name data', async () => {
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());
    const event = isCompleteEvent(createEvent(), SCHEMA_ARN, { operation: 'create', startedAt: clock.now(), settled: false });

    await expect(handlers().isComplete(event)).resolves.toEqual({ IsComplete: true, Data: { Arn: SCHEMA_ARN, Name: SCHEMA_NAME } });
  });

  test('a schema that is not found fails, saying it disappeared', async () => {
    personalizeMock.on(DescribeSchemaCommand).rejects(notFound());
    const event = isCompleteEvent(createEvent(), SCHEMA_ARN, { operation: 'create', startedAt: clock.now(), settled: false });

    await expect(handlers().isComplete(event)).rejects.toThrow(`Schema ${SCHEMA_ARN} disappeared while waiting for it to be ready`);
  });
});

describe('Update', () => {
  test('a new definition under a new name creates the new schema and returns its ARN: a replacement', async () => {
    const newName = 'TestStack-Schema-9f8e7d6c';
    personalizeMock.on(CreateSchemaCommand).resolves({ schemaArn: schemaArn(newName) });
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema(EXTENDED_DEFINITION, undefined, newName));

    const result = await handlers().onEvent(updateEvent({}, { Name: newName, Definition: EXTENDED_DEFINITION }));

    expect(personalizeMock).toHaveReceivedCommandWith(CreateSchemaCommand, { name: newName, schema: EXTENDED_DEFINITION });
    expect(result.PhysicalResourceId).toBe(schemaArn(newName));
    expect(result.Data).toEqual({ Arn: schemaArn(newName), Name: newName });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });

  test('a new definition under the same name is refused at once, naming definition and schemaName', async () => {
    await expect(handlers().onEvent(updateEvent({}, { Definition: EXTENDED_DEFINITION })))
      .rejects.toThrow(`Changing definition of schema '${SCHEMA_NAME}' needs a replacement, but the replacement would have the same `
        + 'name as the schema it replaces, and names are unique. Change schemaName');
    // Reads only: the refusal first checks that the schema is not already what is asked (a rollback of a refused change).
    expect(personalizeMock).not.toHaveReceivedCommand(CreateSchemaCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });

  test('a new domain under the same name is refused, naming domain', async () => {
    await expect(handlers().onEvent(updateEvent({}, { Domain: 'ECOMMERCE' }))).rejects.toThrow(/^Changing domain of schema/);
  });

  test('the rollback of a replacement CloudFormation cancelled keeps the schema it knows, however old, and deletes the replacement', async () => {
    const newName = 'TestStack-Schema-9f8e7d6c';
    const deleted = new Set<string>();
    personalizeMock.on(CreateSchemaCommand).rejects(alreadyExists());
    personalizeMock.on(DescribeSchemaCommand).callsFake(async (input) => {
      if (deleted.has(input.schemaArn)) throw notFound();
      // The schema CloudFormation knows was made by the first deployment, a month ago; the replacement a minute ago.
      return input.schemaArn === SCHEMA_ARN
        ? describedSchema(DEFINITION, undefined, SCHEMA_NAME, 30 * 86_400_000)
        : describedSchema(EXTENDED_DEFINITION, undefined, newName, 60_000);
    });
    personalizeMock.on(DeleteSchemaCommand).callsFake(async (input) => {
      deleted.add(input.schemaArn);
      return {};
    });
    // Rolling back: the old properties are the cancelled update's, the new ones what CloudFormation knows.
    const request = updateEvent({ Name: newName, Definition: EXTENDED_DEFINITION }, {});

    const { started, failure } = await runToCompletion(clock, handlers(), request);

    expect(started).toMatchObject({ PhysicalResourceId: SCHEMA_ARN, Lifecycle: { orphan: schemaArn(newName) } });
    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteSchemaCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteSchemaCommand, { schemaArn: schemaArn(newName) });
  });

  test('the same definition formatted differently is no change: no create, same physical ID', async () => {
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());

    const result = await handlers().onEvent(updateEvent({}, { Definition: JSON.stringify(JSON.parse(DEFINITION), undefined, 2) }));

    expect(result.PhysicalResourceId).toBe(SCHEMA_ARN);
    expect(result.Lifecycle).toMatchObject({ operation: 'update', settled: true });
    expect(personalizeMock).not.toHaveReceivedCommand(CreateSchemaCommand);
  });
});

describe('Delete', () => {
  test('proves the content is the stack\'s, calls DeleteSchema, then completes when DescribeSchema answers ResourceNotFoundException', async () => {
    schemaDeletedAfter(0);

    const result = await handlers().onEvent(deleteEvent());

    expect(clock.sleeps[0]).toBe(0);
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteSchemaCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteSchemaCommand, { schemaArn: SCHEMA_ARN });
    expect(result).toMatchObject({ PhysicalResourceId: SCHEMA_ARN, Lifecycle: { operation: 'delete', settled: true } });
    expect(result.Data).toBeUndefined();
  });

  test('deleting a schema that is already gone succeeds after one DescribeSchema, without DeleteSchema', async () => {
    personalizeMock.on(DescribeSchemaCommand).rejects(notFound());

    const result = await handlers().onEvent(deleteEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeSchemaCommand, 1);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });

  test('while a dataset still uses the schema (ResourceInUseException) it waits and retries the delete until it succeeds', async () => {
    schemaDeletedAfter(3);

    const result = await handlers().onEvent(deleteEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteSchemaCommand, 4);
    expect(result.Lifecycle.settled).toBe(true);
    expect(clock.sleeps.slice(1).every((ms) => ms >= 1_000)).toBe(true);
  });

  test('a schema still in use at the end of the onEvent window is deleted by isComplete once the dataset is gone', async () => {
    personalizeMock.on(DeleteSchemaCommand).rejects(inUse());
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());
    const { onEvent, isComplete } = handlers(SHORT_WAIT_POLICY);
    const request = deleteEvent();

    const started = await onEvent(request);
    expect(started.Lifecycle.settled).toBe(false);

    personalizeMock.on(DeleteSchemaCommand).resolves({});
    personalizeMock.on(DescribeSchemaCommand).resolvesOnce(describedSchema()).rejects(notFound());
    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).resolves.toEqual({ IsComplete: true });
  });

  test('a schema whose datasets are still being deleted at the total timeout fails, saying it could not be deleted', async () => {
    personalizeMock.on(DeleteSchemaCommand).rejects(inUse());
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());
    datasetsAre({ [THEIRS]: { schemaArn: SCHEMA_ARN, status: 'DELETE IN_PROGRESS' } });
    const event = isCompleteEvent(deleteEvent(), SCHEMA_ARN, { operation: 'delete', startedAt: clock.now() - 60_000, settled: false });

    await expect(handlers(SHORT_WAIT_POLICY).isComplete(event)).rejects.toThrow(`waiting for schema ${SCHEMA_ARN} to be deleted; last status: ACTIVE.`);
  });

  test('datasets of any group that use the schema and that nobody deletes fail the delete after the grace, listed with what to do', async () => {
    schemaDeletedAfter(Number.MAX_SAFE_INTEGER);
    const other = 'arn:aws:personalize:us-east-1:123456789012:dataset/elsewhere/ITEMS';
    datasetsAre({
      [THEIRS]: { schemaArn: SCHEMA_ARN, status: 'ACTIVE' },
      [other]: { schemaArn: schemaArn('another'), status: 'ACTIVE' },
      [MOVING]: { schemaArn: schemaArn('another'), status: 'ACTIVE', update: { schemaArn: SCHEMA_ARN, status: 'UPDATE IN_PROGRESS' } },
    });

    const { failure, elapsedMs } = await runToCompletion(clock, handlers(SHORT_WAIT_POLICY), deleteEvent());

    expect(String(failure)).toBe(`Error: Personalize refused to delete schema ${SCHEMA_ARN}: 1 resource(s) that nobody is deleting still `
      + `block it: ${THEIRS}. Delete those datasets, or move Items and Users datasets to another schema with UpdateDataset, then delete again.`);
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(elapsedMs).toBeLessThan(SHORT_WAIT_POLICY.totalTimeoutMs);
    expect(personalizeMock).toHaveReceivedCommandWith(ListDatasetsCommand, { maxResults: 100 });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetCommand);
  });

  test('a physical ID that is not a schema ARN (a failed create\'s placeholder) makes the delete look for the schema by its name', async () => {
    personalizeMock.on(DescribeSchemaCommand).rejects(notFound());

    const result = await handlers().onEvent(deleteEvent('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'));

    expect(result.Lifecycle).toMatchObject({ operation: 'delete', target: SCHEMA_ARN, cancelledCreate: true });
    expect(personalizeMock).toHaveReceivedCommandWith(DescribeSchemaCommand, { schemaArn: SCHEMA_ARN });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });
});

describe('any request type', () => {
  test('a missing Definition property fails, naming the property', async () => {
    await expect(handlers().onEvent(createEvent({ Definition: undefined }))).rejects.toThrow('Missing required property \'Definition\'');
  });

  test.each([
    ['an object Definition (not JSON text)', { Definition: JSON.parse(DEFINITION) }, 'Property \'Definition\' must be a string, got an object'],
    ['a number Domain', { Domain: 1 }, 'Property \'Domain\' must be a string, got a number'],
  ])('a Create with %s fails, naming the property, before any API call', async (_label, overrides, message) => {
    await expect(handlers().onEvent(createEvent(overrides))).rejects.toThrow(message);
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('a Delete whose properties do not parse cannot prove the schema is the stack\'s, and leaves it alone', async () => {
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema());

    const result = await handlers().onEvent(deleteEvent(SCHEMA_ARN, { Definition: { type: 'record' } }));

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });
});
