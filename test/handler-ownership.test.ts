/**
 * Ownership: a Delete removes only what this stack resource provably made (owner tag,
 * or for schemas identical content and a plausible creation time), in the stack's
 * account and region; a Delete whose physical ID CloudFormation made up finds the
 * resource by its deterministic name; a Create adopts an existing resource only when
 * it is provably its own.
 */
import {
  CreateDatasetGroupCommand,
  CreateSchemaCommand,
  DeleteDatasetCommand,
  DeleteDatasetGroupCommand,
  DeleteSchemaCommand,
  DescribeDatasetCommand,
  DescribeDatasetGroupCommand,
  DescribeSchemaCommand,
  ListDatasetsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { DEFAULT_WAIT_POLICY, LifecycleEvent } from '../lambda/engine';
import { deleteDatasetEvent, describedDataset, ITEMS_ARN } from './support/dataset-fixtures';
import {
  ACCOUNT, createGroupEvent, deleteGroupEvent, describedGroup, GROUP_ARN, GROUP_NAME, KEY_ARN, ROLE_ARN,
} from './support/dataset-group-fixtures';
import { isCompleteEvent, OWNER, tagged } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { alreadyExists, inUse, notFound } from './support/personalize-errors';
import { runToCompletion as runWithClock } from './support/polling';
import {
  createSchemaEvent, DEFINITION, deleteSchemaEvent, describedSchema, EXTENDED_DEFINITION, SCHEMA_ARN, SCHEMA_NAME,
} from './support/schema-fixtures';


const { personalizeMock, clock, handlers } = mockedHandlers();

/** The physical ID CloudFormation gives a resource whose Create it cancelled: STACK-LOGICALID-SUFFIX. */
const INVENTED_ID = 'TestStack-Resource-1XK2M3N4P5Q6R';

const runToCompletion = (request: LifecycleEvent) => runWithClock(clock, handlers(), request);

interface GroupTimeline {
  /** When a cancelled Create's group appears, after the delete started; never when undefined. */
  readonly appearsAfterMs?: number;
  /** How long it stays in CREATE IN_PROGRESS once it appears. */
  readonly creatingForMs?: number;
  readonly owner?: string | null;
}

/**
 * The dataset group as the service holds it over virtual time: absent, then CREATE
 * IN_PROGRESS (DeleteDatasetGroup refused), then ACTIVE; once deleted, DELETE PENDING
 * for one look, then gone. Returns how each DeleteDatasetGroup was answered.
 */
function groupOverTime({ appearsAfterMs, creatingForMs = 0, owner = OWNER }: GroupTimeline): string[] {
  const deleteAnswers: string[] = [];
  const start = clock.now();
  let deleting = false;
  let looksSinceDelete = 0;
  const status = () => {
    const age = clock.now() - start;
    if (appearsAfterMs === undefined || age < appearsAfterMs) return undefined;
    return age < appearsAfterMs + creatingForMs ? 'CREATE IN_PROGRESS' : 'ACTIVE';
  };
  personalizeMock.on(DescribeDatasetGroupCommand).callsFake(async () => {
    if (deleting && ++looksSinceDelete > 1) throw notFound();
    const now = deleting ? 'DELETE PENDING' : status();
    if (now === undefined) throw notFound();
    return describedGroup(now);
  });
  personalizeMock.on(DeleteDatasetGroupCommand).callsFake(async () => {
    const now = status();
    deleteAnswers.push(now === undefined || deleting ? 'not found' : now === 'ACTIVE' ? 'started' : 'in use');
    if (now === undefined || deleting) throw notFound();
    if (now !== 'ACTIVE') throw inUse();
    deleting = true;
    return {};
  });
  personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({}, owner));
  return deleteAnswers;
}

describe('a Delete removes only what this stack resource provably made', () => {
  test.each([
    ['another stack resource\'s owner tag', 'OtherStack/Resource'],
    ['no owner tag', null],
  ])('a dataset group with %s is left alone: no DeleteDatasetGroup, and the delete succeeds', async (_label, owner) => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }, owner));

    const result = await handlers().onEvent(deleteGroupEvent());

    expect(result).toMatchObject({ PhysicalResourceId: GROUP_ARN, Lifecycle: { operation: 'delete', settled: true } });
    expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: GROUP_ARN });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test('a dataset with another stack resource\'s owner tag is left alone: no DeleteDataset, and the delete succeeds', async () => {
    personalizeMock.on(DescribeDatasetCommand).resolves(describedDataset('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({}, 'OtherStack/Items'));

    const result = await handlers().onEvent(deleteDatasetEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: ITEMS_ARN });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetCommand);
  });

  test.each([
    ['another definition', { definition: EXTENDED_DEFINITION }],
    ['another domain', { domain: 'ECOMMERCE' }],
    ['another name (the ARN was reused by hand)', { name: 'SomeoneElsesSchema' }],
  ])('a schema with %s than the stack asks for is left alone: no DeleteSchema, and the delete succeeds', async (_label, differs) => {
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema({ createdAt: clock.now(), ...differs }));

    const result = await handlers().onEvent(deleteSchemaEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });

  test('a schema is deleted whatever its age when the physical ID CloudFormation recorded names it', async () => {
    personalizeMock.on(DescribeSchemaCommand).resolvesOnce(describedSchema({ createdAt: clock.now() - 365 * 86_400_000 }))
      .resolvesOnce(describedSchema({ createdAt: clock.now() - 365 * 86_400_000 }))
      .rejects(notFound());
    personalizeMock.on(DeleteSchemaCommand).resolves({});

    const result = await handlers().onEvent(deleteSchemaEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteSchemaCommand, { schemaArn: SCHEMA_ARN });
  });

  test.each([
    ['a dataset group in another account', deleteGroupEvent(GROUP_ARN.replace(ACCOUNT, '210987654321'))],
    ['a dataset group in another region', deleteGroupEvent(GROUP_ARN.replace('us-east-1', 'eu-west-1'))],
    ['a dataset in another account', deleteDatasetEvent(ITEMS_ARN.replace(ACCOUNT, '210987654321'))],
    ['a schema in another region', deleteSchemaEvent(SCHEMA_ARN.replace('us-east-1', 'eu-west-1'))],
  ])('the ARN of %s than the stack\'s succeeds with no API call', async (_label, request) => {
    const { onEvent, isComplete } = handlers();

    const started = await onEvent(request);
    const completed = await isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle));

    expect(started.Lifecycle).toMatchObject({ operation: 'delete', settled: true });
    expect(completed).toEqual({ IsComplete: true });
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('isComplete without onEvent\'s handoff, for the ARN of another account than the stack\'s, succeeds with no API call', async () => {
    const request = deleteGroupEvent(GROUP_ARN.replace(ACCOUNT, '210987654321'));

    await expect(handlers().isComplete(request)).resolves.toEqual({ IsComplete: true });
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });
});

describe('a Delete whose physical ID CloudFormation made up (a Create it cancelled) finds the resource by its name', () => {
  test('the group is looked up by the name in the properties, at once, and the handoff carries its ARN', async () => {
    groupOverTime({ appearsAfterMs: 0 });

    const started = await handlers().onEvent(deleteGroupEvent(INVENTED_ID));

    expect(clock.sleeps[0]).toBe(0);
    expect(personalizeMock.commandCalls(DescribeDatasetGroupCommand)[0].args[0].input).toEqual({ datasetGroupArn: GROUP_ARN });
    expect(started).toMatchObject({
      PhysicalResourceId: INVENTED_ID,
      Lifecycle: { operation: 'delete', target: GROUP_ARN, cancelledCreate: true },
    });
  });

  test('a group still being created is waited for (its delete refused while it is), then deleted, then watched until gone', async () => {
    const deleteAnswers = groupOverTime({ appearsAfterMs: 0, creatingForMs: DEFAULT_WAIT_POLICY.blockedDeleteGraceMs + 30_000 });

    const { failure } = await runToCompletion(deleteGroupEvent(INVENTED_ID));

    expect(failure).toBeUndefined();
    expect(deleteAnswers.length).toBeGreaterThan(2);
    expect(deleteAnswers).toEqual([...Array(deleteAnswers.length - 1).fill('in use'), 'started']);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
    // Refusals while the group is being created are not blamed on children, however long creation takes.
    expect(personalizeMock).not.toHaveReceivedCommand(ListDatasetsCommand);
  });

  test('a group that never appears is watched for cancelledCreateGraceMs, then the delete succeeds without deleting anything', async () => {
    groupOverTime({});

    const { started, failure, elapsedMs } = await runToCompletion(deleteGroupEvent(INVENTED_ID));

    expect(started.Lifecycle.settled).toBe(false);
    expect(failure).toBeUndefined();
    expect(elapsedMs).toBeGreaterThanOrEqual(DEFAULT_WAIT_POLICY.cancelledCreateGraceMs);
    expect(elapsedMs).toBeLessThan(DEFAULT_WAIT_POLICY.cancelledCreateGraceMs + 20_000);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test('a group that a cancelled Create makes during the grace is deleted', async () => {
    const deleteAnswers = groupOverTime({ appearsAfterMs: 60_000, creatingForMs: 10_000 });

    const { failure } = await runToCompletion(deleteGroupEvent(INVENTED_ID));

    expect(failure).toBeUndefined();
    expect(deleteAnswers).toContain('started');
  });

  test('a group of that name that another stack resource owns is left alone', async () => {
    groupOverTime({ appearsAfterMs: 0, owner: 'OtherStack/Resource' });

    const started = await handlers().onEvent(deleteGroupEvent(INVENTED_ID));

    expect(started.Lifecycle.settled).toBe(true);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test('the dataset is looked up as the group\'s dataset of the type, and deleted when it carries the owner tag', async () => {
    personalizeMock.on(DescribeDatasetCommand).resolvesOnce(describedDataset('ACTIVE')).rejects(notFound());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DeleteDatasetCommand).resolves({});

    const { started, failure } = await runToCompletion(deleteDatasetEvent(INVENTED_ID));

    expect(started.Lifecycle).toMatchObject({ target: ITEMS_ARN, cancelledCreate: true });
    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetCommand, { datasetArn: ITEMS_ARN });
  });

  test('a schema of that name with the same content, created within cancelledCreateMaxAgeMs, is deleted', async () => {
    const createdAt = clock.now() - DEFAULT_WAIT_POLICY.cancelledCreateMaxAgeMs + 60_000;
    personalizeMock.on(DescribeSchemaCommand).resolvesOnce(describedSchema({ createdAt }))
      .resolvesOnce(describedSchema({ createdAt }))
      .rejects(notFound());
    personalizeMock.on(DeleteSchemaCommand).resolves({});

    const { started, failure } = await runToCompletion(deleteSchemaEvent(INVENTED_ID));

    expect(started.Lifecycle).toMatchObject({ target: SCHEMA_ARN, cancelledCreate: true });
    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteSchemaCommand, { schemaArn: SCHEMA_ARN });
  });

  test('a schema of that name with the same content but older than cancelledCreateMaxAgeMs is someone else\'s: left alone', async () => {
    const createdAt = clock.now() - DEFAULT_WAIT_POLICY.cancelledCreateMaxAgeMs - 60_000;
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema({ createdAt }));

    const { failure } = await runToCompletion(deleteSchemaEvent(INVENTED_ID));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandWith(DescribeSchemaCommand, { schemaArn: SCHEMA_ARN });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteSchemaCommand);
  });
});

describe('a Create that meets ResourceAlreadyExists adopts only what it provably made', () => {
  test.each([
    ['another KMS key and role', { KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN }, {}],
    ['another domain', {}, { domain: 'ECOMMERCE' as const }],
  ])('a dataset group with this stack resource\'s owner tag but %s is refused, not adopted', async (_label, asked, held) => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(alreadyExists());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { ...describedGroup('ACTIVE').datasetGroup, ...held } });

    await expect(handlers().onEvent(createGroupEvent(asked))).rejects.toThrow(
      `A dataset group named '${GROUP_NAME}' already exists (${GROUP_ARN}) and this stack resource cannot prove it made it.`);
  });

  test('a schema with the same content created before this request started (beyond clockSkewMs) is refused, not adopted', async () => {
    personalizeMock.on(CreateSchemaCommand).rejects(alreadyExists());
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema({ createdAt: clock.now() - DEFAULT_WAIT_POLICY.clockSkewMs - 1_000 }));

    await expect(handlers().onEvent(createSchemaEvent())).rejects.toThrow(
      `A schema named '${SCHEMA_NAME}' already exists (${SCHEMA_ARN}) and this stack resource cannot prove it made it. Choose another `
      + 'schemaName (or remove it to let the library generate one), or delete the existing schema if nothing else uses it.');
  });

  test('a schema with the same content created by this request (within clockSkewMs of its start) is adopted', async () => {
    personalizeMock.on(CreateSchemaCommand).rejects(alreadyExists());
    personalizeMock.on(DescribeSchemaCommand).resolves(describedSchema({ createdAt: clock.now() - DEFAULT_WAIT_POLICY.clockSkewMs + 1_000 }));

    const result = await handlers().onEvent(createSchemaEvent());

    expect(result).toMatchObject({ PhysicalResourceId: SCHEMA_ARN, Lifecycle: { settled: true } });
  });

  test('a schema with the same content but no creation time is refused, not adopted', async () => {
    personalizeMock.on(CreateSchemaCommand).rejects(alreadyExists());
    personalizeMock.on(DescribeSchemaCommand).resolves({ schema: { name: SCHEMA_NAME, schemaArn: SCHEMA_ARN, schema: DEFINITION } });

    await expect(handlers().onEvent(createSchemaEvent())).rejects.toThrow(/cannot prove it made it/);
  });
});
