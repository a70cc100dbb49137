import {
  CreateDatasetGroupCommand,
  DeleteDatasetGroupCommand,
  DescribeDatasetGroupCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { DEFAULT_WAIT_POLICY, IsCompleteResult, LifecycleEvent, outcomeOf, ownerTagValue, pollDelayMs } from '../lambda/engine';
import {
  createGroupEvent, deleteGroupEvent, describedGroup, GROUP_ARN, GROUP_NAME, SHORT_WAIT_POLICY,
} from './support/dataset-group-fixtures';
import { isCompleteEvent, tagged } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { internalError, notFound, serviceError, throttled } from './support/personalize-errors';
import { pollUntilDone as pollWithClock } from './support/polling';
import { conditionOf } from '../lambda/kinds/personalize/common';
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

describe('events', () => {
  test('an unknown ResourceType fails onEvent with a message naming it and the known types', async () => {
    const event = { ...createGroupEvent(), ResourceType: 'Custom::PersonalizeRecommender' };

    await expect(handlers().onEvent(event)).rejects.toThrow(
      /^This handler does not manage resource type 'Custom::PersonalizeRecommender' \(known: .*Custom::PersonalizeDatasetGroup.*\)$/);
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('an unknown ResourceType fails isComplete too', async () => {
    const event = { ...creatingEvent(), ResourceType: 'Custom::PersonalizeRecommender' };

    await expect(handlers().isComplete(event)).rejects.toThrow(/does not manage resource type 'Custom::PersonalizeRecommender'/);
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
