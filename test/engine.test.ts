import {
  CreateDatasetGroupCommand,
  DeleteDatasetGroupCommand,
  DescribeDatasetGroupCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { DEFAULT_WAIT_POLICY, IsCompleteResult, LifecycleEvent, outcomeOf, ownerTagValue, pollDelayMs } from '../lambda/engine';
import {
  createGroupEvent, deleteGroupEvent, describedGroup, updateGroupEvent, GROUP_ARN, GROUP_NAME, SHORT_WAIT_POLICY,
} from './support/dataset-group-fixtures';
import { isCompleteEvent, tagged } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { internalError, notFound, serviceError, throttled } from './support/personalize-errors';
import { pollUntilDone as pollWithClock, QUERY_INTERVAL_MS } from './support/polling';
import { conditionOf } from '../lambda/kinds/personalize/common';
import { DEFAULT_RETRY_POLICY } from '../lambda/retry';
import { OWNER_TAG_KEY } from '../src/private/contract';


const { personalizeMock, clock, handlers } = mockedHandlers();

function creatingEvent(startedAt = clock.now()): LifecycleEvent {
  return isCompleteEvent(createGroupEvent(), GROUP_ARN, { operation: 'create', startedAt, settled: false });
}

const pollUntilDone = (isComplete: (event: LifecycleEvent) => Promise<IsCompleteResult>, event: LifecycleEvent) =>
  pollWithClock(clock, isComplete, event);

describe('status outcomes', () => {
  test.each([
    ['ACTIVE', 'done'],
    ['CREATE PENDING', 'wait'],
    ['CREATE IN_PROGRESS', 'wait'],
    ['CREATE STOPPING', 'wait'],
    ['UPDATE PENDING', 'wait'],
    ['UPDATE IN_PROGRESS', 'wait'],
    ['CREATE FAILED', 'fail'],
    ['UPDATE FAILED', 'fail'],
    ['DELETE PENDING', 'fail'],
    ['DELETE IN_PROGRESS', 'fail'],
    ['CREATE STOPPED', 'fail'],
  ])('Personalize %s while creating or updating means %s', (status, outcome) => {
    expect(outcomeOf(conditionOf(status))).toBe(outcome);
  });

  test.each(['CREATE_IN_PROGRESS', 'active', 'CREATE  PENDING', '', 'RETIRED'])(
    'a Personalize status not spelled exactly as the API spells it (%j) means failed', (status) => {
      expect(conditionOf(status)).toBe('failed');
    });

  test.each([['DELETE PENDING', 'deleting'], ['DELETE IN_PROGRESS', 'deleting'], ['DELETE FAILED', 'deleteFailed']])(
    'Personalize %s is the condition %s', (status, condition) => {
      expect(conditionOf(status)).toBe(condition);
    });
});

describe('polling schedule', () => {
  test('looks keep a one-second cadence from each look\'s start, so slow Describe answers do not stretch the schedule', async () => {
    let looks = 0;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).callsFake(async () => {
      clock.advance(400);
      return describedGroup(++looks < 4 ? 'CREATE IN_PROGRESS' : 'ACTIVE');
    });

    await handlers().onEvent(createGroupEvent());

    expect(clock.sleeps).toEqual([1_000, 600, 600, 600]);
  });

  test('the delay is at least 1 s, 4% of the elapsed time after 25 s, and at most 15 s', () => {
    expect(pollDelayMs(DEFAULT_WAIT_POLICY, 0)).toBe(1_000);
    expect(pollDelayMs(DEFAULT_WAIT_POLICY, 25_000)).toBe(1_000);
    expect(pollDelayMs(DEFAULT_WAIT_POLICY, 100_000)).toBe(4_000);
    expect(pollDelayMs(DEFAULT_WAIT_POLICY, 375_000)).toBe(15_000);
    expect(pollDelayMs(DEFAULT_WAIT_POLICY, 30 * 60_000)).toBe(15_000);
  });

  test('onEvent sleeps pollDelayMs of the elapsed time before each Describe and stops within its window', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));

    const result = await handlers().onEvent(createGroupEvent());

    let elapsedMs = 0;
    for (const sleepMs of clock.sleeps) {
      expect(sleepMs).toBe(pollDelayMs(DEFAULT_WAIT_POLICY, elapsedMs));
      elapsedMs += sleepMs;
    }
    expect(clock.sleeps.slice(0, 25)).toEqual(Array(25).fill(1_000));
    expect(Math.max(...clock.sleeps)).toBeGreaterThan(1_000);
    expect(elapsedMs).toBeLessThanOrEqual(DEFAULT_WAIT_POLICY.onEventWindowMs);
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, clock.sleeps.length);
    expect(result.Lifecycle.settled).toBe(false);
  });

  test('over a 30-minute wait Describe is called at most once per second and never less often than every 15 s', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    const { isComplete } = handlers();
    const event = creatingEvent();

    await pollUntilDone(isComplete, event);

    const elapsedSeconds = (clock.now() - event.Lifecycle!.startedAt) / 1_000;
    const describes = personalizeMock.commandCalls(DescribeDatasetGroupCommand).length;
    expect(describes).toBeLessThanOrEqual(elapsedSeconds);
    expect(describes).toBeGreaterThanOrEqual(elapsedSeconds / 15);
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(1_000);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(15_000);
  });

  test('isComplete keeps to the schedule of the whole operation, not of its own invocation', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    const startedAt = clock.now();
    clock.advance(200_000);

    await handlers().isComplete(creatingEvent(startedAt));

    expect(clock.sleeps[0]).toBe(pollDelayMs(DEFAULT_WAIT_POLICY, 200_000));
  });

  test('isComplete returns IsComplete false within its window', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    const invokedAt = clock.now();

    await expect(handlers().isComplete(creatingEvent())).resolves.toEqual({ IsComplete: false });

    expect(clock.now() - invokedAt).toBeLessThanOrEqual(DEFAULT_WAIT_POLICY.isCompleteWindowMs);
    expect(clock.now() - invokedAt).toBeGreaterThan(DEFAULT_WAIT_POLICY.isCompleteWindowMs - pollDelayMs(DEFAULT_WAIT_POLICY, 60_000));
  });
});

describe('timeouts', () => {
  test('a create that never settles fails after 30 minutes with the last status seen', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    const { isComplete } = handlers();
    const event = creatingEvent();

    const failure = await pollUntilDone(isComplete, event);

    expect(String(failure)).toMatch(
      /^Error: Timed out after 18\d\d s waiting for dataset group .* to be ready; last status: CREATE IN_PROGRESS\.$/);
    const elapsedMs = clock.now() - event.Lifecycle!.startedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(DEFAULT_WAIT_POLICY.totalTimeoutMs);
    expect(elapsedMs).toBeLessThan(DEFAULT_WAIT_POLICY.totalTimeoutMs + 20_000);
  });

  test('a delete that never finishes fails after the total timeout, saying it waited for the deletion', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('DELETE IN_PROGRESS'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    const { isComplete } = handlers({ waitPolicy: SHORT_WAIT_POLICY });
    const event = isCompleteEvent(deleteGroupEvent(), GROUP_ARN, { operation: 'delete', startedAt: clock.now(), settled: false });

    const failure = await pollUntilDone(isComplete, event);

    expect(String(failure)).toMatch(/waiting for dataset group .* to be deleted; last status: DELETE IN_PROGRESS\./);
  });

  test('an isComplete invoked after the deadline takes one final look, and its failure is the reason reported', async () => {
    const { isComplete } = handlers({ waitPolicy: SHORT_WAIT_POLICY, retryPolicy: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    const startedAt = clock.now();
    clock.advance(SHORT_WAIT_POLICY.totalTimeoutMs);
    personalizeMock.on(DescribeDatasetGroupCommand).rejects(serviceError('InvalidInputException', 400, 'The ARN is not valid'));

    await expect(isComplete(creatingEvent(startedAt))).rejects.toThrow('The ARN is not valid');
  });

  test('a group that is ACTIVE at the final look after the deadline completes instead of timing out', async () => {
    const { isComplete } = handlers({ waitPolicy: SHORT_WAIT_POLICY });
    const startedAt = clock.now();
    clock.advance(SHORT_WAIT_POLICY.totalTimeoutMs + 5_000);
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    await expect(isComplete(creatingEvent(startedAt))).resolves.toMatchObject({ IsComplete: true, Data: { Arn: GROUP_ARN } });
  });
});

describe('contract version', () => {
  test('a create written for a newer handler contract fails before any call, saying the app holds two library versions', async () => {
    await expect(handlers().onEvent(createGroupEvent({ ContractVersion: '2' })))
      .rejects.toThrow(/synthesized for handler contract 2, but the stack's handler knows contract 1: the app holds two versions/);
    expect(personalizeMock.calls()).toHaveLength(0);
  });

  test('an update written for a newer handler contract fails the same way', async () => {
    await expect(handlers().onEvent(updateGroupEvent({}, { ContractVersion: '2' }))).rejects.toThrow(/handler contract 2/);
    expect(personalizeMock.calls()).toHaveLength(0);
  });

  test('a delete goes ahead whatever contract wrote the resource, so the stack can be removed', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).rejects(notFound());
    await expect(handlers().onEvent(deleteGroupEvent(GROUP_ARN, { ContractVersion: '2' }))).resolves.toBeDefined();
  });

  test('properties of this contract, or of none (written before the field existed), are served', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));
    await expect(handlers().onEvent(createGroupEvent({ ContractVersion: '1' }))).resolves.toMatchObject({ PhysicalResourceId: GROUP_ARN });
    await expect(handlers().onEvent(createGroupEvent({ ContractVersion: undefined }))).resolves.toMatchObject({ PhysicalResourceId: GROUP_ARN });
  });
});

describe('retries', () => {
  test('a throttled Create is retried after a jittered backoff and then succeeds', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejectsOnce(throttled()).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    const result = await handlers().onEvent(createGroupEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 2);
    expect(clock.sleeps[0]).toBe(125); // random 0.5 x the first ceiling of 250 ms
    expect(result).toMatchObject({ PhysicalResourceId: GROUP_ARN, Lifecycle: { settled: true } });
  });

  test('a 5xx answer to Create is retried and then succeeds', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejectsOnce(internalError()).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    const result = await handlers().onEvent(createGroupEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 2);
    expect(result.Lifecycle.settled).toBe(true);
  });

  test('a dropped connection during Create is retried and then succeeds', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    personalizeMock.on(CreateDatasetGroupCommand).rejectsOnce(reset).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    await handlers().onEvent(createGroupEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 2);
  });

  test('AccessDenied on Create is retried, since a grant made moments earlier may not have reached IAM yet', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejectsOnce(serviceError('AccessDeniedException')).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    await handlers().onEvent(createGroupEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 2);
  });

  test('persistent throttling fails after the retry budget with a message naming the call and the quota hint', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(throttled());

    await expect(handlers().onEvent(createGroupEvent())).rejects.toThrow(
      /^CreateDatasetGroup still failed after 25 attempts in 98 s: LimitExceededException \(HTTP 400\): .*the account may have reached a quota \(see Service Quotas\)\.$/);
    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 25);
    expect(clock.sleeps).toEqual([125, 250, 500, 1_000, 2_000, 4_000, ...Array(18).fill(5_000)]);
  });

  test('retries stop once the next one would start past the time budget, so a call cannot outlive its Lambda', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(throttled());
    const retryPolicy = { maxAttempts: 100, baseDelayMs: 1_000, maxDelayMs: 10_000, maxElapsedMs: 20_000 };

    await expect(handlers({ retryPolicy }).onEvent(createGroupEvent())).rejects.toThrow(/still failed after 7 attempts in 18 s/);
    expect(clock.sleeps).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  test('the retry budget comes from the retry policy', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(throttled());

    await expect(handlers({ retryPolicy: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 } }).onEvent(createGroupEvent()))
      .rejects.toThrow(/still failed after 3 attempts/);
    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 3);
  });

  test('a final error such as InvalidInputException fails at once, unchanged, without a retry', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(serviceError('InvalidInputException', 400, 'Domain is not valid'));

    await expect(handlers().onEvent(createGroupEvent())).rejects.toThrow('Domain is not valid');
    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 1);
    expect(clock.sleeps).toEqual([]);
  });

  test('a throttled Describe while waiting only delays the answer', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand)
      .resolvesOnce(describedGroup('CREATE IN_PROGRESS'))
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves(describedGroup('ACTIVE'));

    const result = await handlers().onEvent(createGroupEvent());

    expect(result).toMatchObject({ Data: { Arn: GROUP_ARN, Name: GROUP_NAME }, Lifecycle: { settled: true } });
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, 4);
  });

  test('a throttled DeleteDatasetGroup is retried and the delete completes', async () => {
    personalizeMock.on(DeleteDatasetGroupCommand).rejectsOnce(throttled()).resolves({});
    personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('ACTIVE')).rejects(notFound());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());

    const result = await handlers().onEvent(deleteGroupEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 2);
    expect(result.Lifecycle.settled).toBe(true);
  });
});

describe('the invocation deadline (Lambda\'s remaining time less invocationMarginMs)', () => {
  const { invocationMarginMs } = DEFAULT_WAIT_POLICY;

  test('isComplete returns IsComplete false by the deadline when it comes before the end of its window', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    const invokedAt = clock.now();

    await expect(handlers().isComplete(creatingEvent(), clock.invocation(45_000))).resolves.toEqual({ IsComplete: false });

    expect(clock.now() - invokedAt).toBeLessThanOrEqual(45_000 - invocationMarginMs);
    expect(clock.now() - invokedAt).toBeGreaterThan(45_000 - invocationMarginMs - 2_000);
  });

  test('onEvent hands over to isComplete by the deadline when it comes before the end of its window', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));

    const result = await handlers().onEvent(createGroupEvent(), clock.invocation(60_000));

    expect(result.Lifecycle).toMatchObject({ operation: 'create', settled: false });
    expect(clock.now() - result.Lifecycle.startedAt).toBeLessThanOrEqual(60_000 - invocationMarginMs);
  });

  test('a 5xx storm late in an isComplete invocation is an inconclusive look: IsComplete false before the deadline, and the next invocation goes on', async () => {
    const invokedAt = clock.now();
    const stormFrom = invokedAt + 45_000;
    let failedDescribes = 0;
    personalizeMock.on(DescribeDatasetGroupCommand).callsFake(async () => {
      if (clock.now() < stormFrom) return describedGroup('CREATE IN_PROGRESS');
      failedDescribes++;
      throw internalError();
    });
    const { isComplete } = handlers();
    const invocation = clock.invocation(90_000);

    await expect(isComplete(creatingEvent(), invocation)).resolves.toEqual({ IsComplete: false });

    // The failing Describe was retried until the next retry would have ended past the deadline, and no further.
    expect(failedDescribes).toBeGreaterThan(3);
    expect(clock.now() - invokedAt).toBeLessThanOrEqual(90_000 - invocationMarginMs);
    expect(invocation.getRemainingTimeInMillis()).toBeGreaterThanOrEqual(invocationMarginMs);

    clock.advance(QUERY_INTERVAL_MS);
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    await expect(isComplete(creatingEvent(invokedAt), clock.invocation(90_000))).resolves.toMatchObject({ IsComplete: true });
  });

  test('a 5xx storm on DeleteDatasetGroup late in an isComplete invocation is inconclusive too: IsComplete false, and the next invocation deletes', async () => {
    const invokedAt = clock.now();
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    // Refused while children are deleted, then the service fails for the rest of the invocation.
    personalizeMock.on(DeleteDatasetGroupCommand).callsFake(async () => {
      throw clock.now() < invokedAt + 40_000 ? serviceError('ResourceInUseException') : internalError();
    });
    const { isComplete } = handlers();
    const event = isCompleteEvent(deleteGroupEvent(), GROUP_ARN, { operation: 'delete', startedAt: invokedAt, settled: false });
    const invocation = clock.invocation(90_000);

    await expect(isComplete(event, invocation)).resolves.toEqual({ IsComplete: false });
    expect(invocation.getRemainingTimeInMillis()).toBeGreaterThanOrEqual(invocationMarginMs);

    clock.advance(QUERY_INTERVAL_MS);
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('ACTIVE')).rejects(notFound());
    await expect(isComplete(event, clock.invocation(90_000))).resolves.toEqual({ IsComplete: true });
  });

  test('a call whose retries would outlive the invocation fails before Lambda\'s timeout, saying the invocation ran out of time', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(throttled());
    const invocation = clock.invocation(40_000);

    await expect(handlers().onEvent(createGroupEvent(), invocation)).rejects.toThrow(
      /^CreateDatasetGroup was still failing when the handler invocation ran out of time, after \d+ attempts in \d+ s: LimitExceededException/);
    expect(invocation.getRemainingTimeInMillis()).toBeGreaterThanOrEqual(invocationMarginMs);
  });
});

describe('final errors and their hints', () => {
  test('AccessDenied is retried for accessDeniedBudgetMs only, then fails with the IAM hint and no quota hint', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(serviceError('AccessDeniedException', 400, 'not authorized'));
    const startedAt = clock.now();

    const failure = await handlers().onEvent(createGroupEvent()).catch((error: Error) => error);

    expect(String(failure)).toMatch(/^Error: CreateDatasetGroup still failed after \d+ attempts in \d+ s: AccessDeniedException \(HTTP 400\): not authorized\. The denial outlasted IAM propagation: the handler's role, a permissions boundary or an SCP does not allow this call\.$/);
    expect(String(failure)).not.toMatch(/quota/);
    expect(clock.now() - startedAt).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.accessDeniedBudgetMs!);
    expect(clock.now() - startedAt).toBeGreaterThan(DEFAULT_RETRY_POLICY.accessDeniedBudgetMs! - DEFAULT_RETRY_POLICY.maxDelayMs);
  });

  test.each([
    ['ThrottlingException', serviceError('ThrottlingException')],
    ['a 5xx answer', internalError()],
  ])('%s that persists fails after the retry budget without the quota hint, which is for LimitExceededException only', async (_label, error) => {
    personalizeMock.on(CreateDatasetGroupCommand).rejects(error);

    const failure = await handlers().onEvent(createGroupEvent()).catch((e: Error) => e);

    expect(String(failure)).toMatch(/^Error: CreateDatasetGroup still failed after \d+ attempts in \d+ s: /);
    expect(String(failure)).not.toMatch(/quota|IAM/);
  });
});

describe('handoffs', () => {
  test('a handoff whose operation contradicts the RequestType is ignored: a Create is polled as a create, and nothing is deleted', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    const event = isCompleteEvent(createGroupEvent(), GROUP_ARN, { operation: 'delete', startedAt: clock.now(), settled: false });

    await expect(handlers().isComplete(event)).resolves.toEqual({ IsComplete: true, Data: { Arn: GROUP_ARN, Name: GROUP_NAME } });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(ListTagsForResourceCommand);
  });

  test('a settled handoff of another operation does not complete a Delete: it is deleted afresh', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('ACTIVE')).rejects(notFound());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    const event = isCompleteEvent(deleteGroupEvent(), GROUP_ARN, { operation: 'create', startedAt: clock.now(), settled: true });

    await expect(handlers().isComplete(event)).resolves.toEqual({ IsComplete: true });
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
  });

  test.each([
    ['not an object', 'settled'],
    ['a startedAt that is not a number', { operation: 'create', startedAt: 'yesterday', settled: false, failure: 'boom' }],
    ['a settled that is not a boolean', { operation: 'create', startedAt: 0, settled: 'no', failure: 'boom' }],
    ['no operation', { startedAt: 0, settled: false, failure: 'boom' }],
  ])('a malformed handoff (%s) is ignored: isComplete starts afresh from the request', async (_label, lifecycle) => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    const event = { ...createGroupEvent(), PhysicalResourceId: GROUP_ARN, Lifecycle: lifecycle } as unknown as LifecycleEvent;

    await expect(handlers().isComplete(event)).resolves.toEqual({ IsComplete: true, Data: { Arn: GROUP_ARN, Name: GROUP_NAME } });
  });

  test('an Update\'s handoff of a replacement\'s create is honoured: its failure is reported and the replacement deleted', async () => {
    const replacementArn = `${GROUP_ARN}-v2`;
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    const request = { ...createGroupEvent(), RequestType: 'Update' as const, OldResourceProperties: createGroupEvent().ResourceProperties };
    const event = isCompleteEvent(request, replacementArn,
      { operation: 'create', startedAt: clock.now(), settled: false, replacement: true, failure: 'Role cannot use the key' });

    await expect(handlers().isComplete(event)).rejects.toThrow(`Role cannot use the key The replacement ${replacementArn} is being deleted.`);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: replacementArn });
  });
});

describe('events', () => {
  test('an unknown ResourceType fails onEvent with a message naming it and the known types', async () => {
    const event = { ...createGroupEvent(), ResourceType: 'Custom::PersonalizeNoSuchKind' };

    await expect(handlers().onEvent(event)).rejects.toThrow(
      /^This handler does not manage resource type 'Custom::PersonalizeNoSuchKind' \(known: .*Custom::PersonalizeDatasetGroup.*\)$/);
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('an unknown ResourceType fails isComplete too', async () => {
    const event = { ...creatingEvent(), ResourceType: 'Custom::PersonalizeNoSuchKind' };

    await expect(handlers().isComplete(event)).rejects.toThrow(/does not manage resource type 'Custom::PersonalizeNoSuchKind'/);
  });

  test('an unknown RequestType fails with a message naming it', async () => {
    const event = { ...createGroupEvent(), RequestType: 'Rename' } as unknown as LifecycleEvent;

    await expect(handlers().onEvent(event)).rejects.toThrow('Unknown RequestType \'Rename\'');
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('the region, account and partition of new resources come from the StackId', async () => {
    const event = {
      ...createGroupEvent(),
      StackId: 'arn:aws-cn:cloudformation:cn-north-1:210987654321:stack/ChinaStack/5b6a3c10-0000-11ef-8000-0a1b2c3d4e5f',
    };
    const arn = `arn:aws-cn:personalize:cn-north-1:210987654321:dataset-group/${GROUP_NAME}`;
    personalizeMock.on(CreateDatasetGroupCommand).rejects(serviceError('ResourceAlreadyExistsException'));

    await expect(handlers().onEvent(event)).rejects.toThrow(`already exists (${arn})`);
  });

  test('the owner tag is STACK/LOGICALID from the event', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    const event = {
      ...createGroupEvent({ Tags: [] }),
      LogicalResourceId: 'RecsGroupC77FDACD',
      StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/recs-prod/5b6a3c10-0000-11ef-8000-0a1b2c3d4e5f',
    };

    await handlers().onEvent(event);

    expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetGroupCommand, {
      tags: [{ tagKey: OWNER_TAG_KEY, tagValue: 'recs-prod/RecsGroupC77FDACD' }],
    });
  });

  test('the owner tag value is cut to the 256 characters a tag value allows', () => {
    const value = ownerTagValue('s'.repeat(128), 'L'.repeat(255));

    expect(value).toHaveLength(256);
    expect(value.startsWith(`${'s'.repeat(128)}/L`)).toBe(true);
  });
});
