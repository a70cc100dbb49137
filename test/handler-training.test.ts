/**
 * The long wait's look (lambda/long-wait), the solution version kind and the solution kind over a mocked
 * Personalize client and a virtual clock: one look at a time and its decisions (signal, look again later,
 * give up, report a broken wait), and the kinds' own status decisions. Signals go through a local S3 to
 * the harness's wait-condition endpoint, as the handler sends them to S3 in AWS.
 */
import {
  DescribeSolutionCommand, DescribeSolutionVersionCommand, ListTagsForResourceCommand, StopSolutionVersionCreationCommand, UpdateSolutionCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { SignalEndpoint } from './harness/signals';
import { useLocalS3 } from './local-s3/server';
import { mockedHandlers } from './support/mocked-handlers';
import { ALL_KINDS } from '../lambda/kinds';
import { solutionKind } from '../lambda/kinds/personalize/solution';
import { solutionVersionKind } from '../lambda/kinds/personalize/solution-version';
import { sendSignal, waitConditionBucket } from '../lambda/long-wait/signal';
import { createLongWait, DEFAULT_LONG_WAIT_POLICY, LongWaitState } from '../lambda/long-wait/step';
import { KindContext } from '../lambda/resource-kind';
import { ResourceTypes } from '../src/private/contract';

const { personalizeMock, clock } = mockedHandlers();
const VERSION_ARN = 'arn:aws:personalize:us-east-1:123456789012:solution/recs/ab12cd34';
const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/Shop/1';
const HOUR = 3_600_000;

const s3 = useLocalS3();
let signals: SignalEndpoint;
beforeEach(() => {
  signals = new SignalEndpoint(STACK_ID, 'us-east-1');
  s3().route(signals.bucket, signals);
});

const look = createLongWait({
  kinds: ALL_KINDS, clock, policy: DEFAULT_LONG_WAIT_POLICY, retryPolicy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 },
});
const invocation = () => {
  const endsAt = clock.now() + 60_000;
  return { getRemainingTimeInMillis: () => endsAt - clock.now() };
};
function waitState(overrides: Partial<LongWaitState> = {}): LongWaitState {
  return {
    resourceType: ResourceTypes.SOLUTION_VERSION,
    arn: VERSION_ARN,
    signalUrl: signals.newHandle(),
    startedAt: clock.now(),
    giveUpAt: clock.now() + 12 * HOUR - 5 * 60_000,
    next: 'look',
    delaySeconds: 0,
    ...overrides,
  };
}
const version = (status: string, failureReason?: string) => ({ solutionVersion: { solutionVersionArn: VERSION_ARN, status, failureReason } });
const signalled = (state: LongWaitState) => [...signals.signalsOf(state.signalUrl).values()].map((s) => [s.Status, s.Reason]);

describe('long wait: one look', () => {
  test('signals SUCCESS with the version ARN as UniqueId and Data once the version is ACTIVE, and ends the loop', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('ACTIVE'));
    const state = waitState();

    const next = await look(state, invocation());

    expect(next).toMatchObject({ next: 'done' });
    expect([...signals.signalsOf(state.signalUrl).values()]).toEqual([
      { Status: 'SUCCESS', Reason: expect.stringContaining('is trained'), UniqueId: VERSION_ARN, Data: VERSION_ARN },
    ]);
  });

  test('signals FAILURE with the service\'s reason when training fails', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE FAILED', 'Not enough data'));
    const state = waitState();

    await look(state, invocation());

    expect(signalled(state)).toEqual([['FAILURE', `Training of solution version ${VERSION_ARN} ended CREATE FAILED: Not enough data`]]);
  });

  test.each([
    ['at first', 0, 10],
    ['after an hour: 4% of the wait', HOUR, 144],
    ['after ten hours: at most 5 minutes', 10 * HOUR, 300],
  ])('while training runs, asks to be called again later (%s)', async (_when, waitedMs, seconds) => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE IN_PROGRESS'));
    const state = waitState({ startedAt: clock.now() - waitedMs });

    expect(await look(state, invocation())).toMatchObject({ next: 'look', delaySeconds: seconds });
    expect(signals.signalsOf(state.signalUrl).size).toBe(0);
  });

  test('a throttled look is inconclusive: no signal, and the loop goes on', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'LimitExceededException' }));
    const state = waitState();

    expect(await look(state, invocation())).toMatchObject({ next: 'look' });
    expect(signals.signalsOf(state.signalUrl).size).toBe(0);
  });

  test('a look past the give-up time signals FAILURE saying so, with what to do', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE IN_PROGRESS'));
    const state = waitState({ startedAt: clock.now() - 12 * HOUR, giveUpAt: clock.now() - 1 });

    expect(await look(state, invocation())).toMatchObject({ next: 'done' });
    expect(signalled(state)).toEqual([['FAILURE', expect.stringMatching(
      /^Gave up waiting for solution version \S+ after 12\.0 h: it is still running.*Raise trainingTimeout \(at most 12 hours\)/)]]);
  });

  test('never waits past the give-up time: the last delay ends there', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE IN_PROGRESS'));
    const state = waitState({ startedAt: clock.now() - 10 * HOUR, giveUpAt: clock.now() + 42_000 });

    expect(await look(state, invocation())).toMatchObject({ next: 'look', delaySeconds: 42 });
  });

  test('an error of its own is thrown, for the state machine\'s retries and then its Catch', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).rejects(Object.assign(new Error('not allowed'), { name: 'ValidationException' }));

    await expect(look(waitState(), invocation())).rejects.toThrow('not allowed');
  });

  test('reports a broken wait from the Catch: FAILURE with the Lambda error\'s message', async () => {
    const state = waitState({ failure: { Error: 'Error', Cause: JSON.stringify({ errorMessage: 'DescribeSolutionVersion still failed' }) } });

    expect(await look(state, invocation())).toMatchObject({ next: 'done' });
    expect(signalled(state)).toEqual([['FAILURE', `The wait for solution version ${VERSION_ARN} failed: Error: DescribeSolutionVersion still failed`]]);
  });

  test('refuses a resource type without long work', async () => {
    await expect(look(waitState({ resourceType: ResourceTypes.DATASET_GROUP }), invocation())).rejects.toThrow(
      "No long wait for resource type 'Custom::PersonalizeDatasetGroup'");
  });
});

describe('long wait: signals', () => {
  test.each([
    ['the regional wait-condition bucket', true, 'https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/arn/x?Signature=s'],
    ['its regional host name', true, 'https://cloudformation-waitcondition-us-east-1.s3.us-east-1.amazonaws.com/arn/x?Signature=s'],
    ['another region\'s bucket', false, 'https://cloudformation-waitcondition-eu-west-1.s3.amazonaws.com/arn/x?Signature=s'],
    ['any other bucket', false, 'https://attacker.s3.amazonaws.com/x'],
    ['a bucket name as a prefix of another host', false, 'https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com.evil.example/x'],
    ['plain HTTP', false, 'http://cloudformation-waitcondition-us-east-1.s3.amazonaws.com/arn/x'],
    ['another port', false, 'https://cloudformation-waitcondition-us-east-1.s3.amazonaws.com:8443/arn/x'],
    ['no URL at all', false, 'not a url'],
  ])('a signal to %s is allowed: %s', (_case, allowed, url) => {
    expect(waitConditionBucket(url, 'us-east-1') !== undefined).toBe(allowed);
  });

  test('refuses to send a signal anywhere but the wait-condition endpoint of its region', async () => {
    await expect(sendSignal('https://attacker.example/collect', 'us-east-1', { success: true, reason: 'x', uniqueId: 'u', data: 'd' }, clock))
      .rejects.toThrow("Refusing to signal 'https://attacker.example': not the wait-condition endpoint of region us-east-1");
  });
});

describe('solution version kind', () => {
  const context: KindContext = {
    clock, partition: 'aws', region: 'us-east-1', account: '123456789012', owner: 'Stack/Training', call: (_operation, attempt) => attempt(),
  };

  test.each([
    ['CREATE PENDING', 'ready', 'busy'],
    ['CREATE IN_PROGRESS', 'ready', 'busy'],
    ['ACTIVE', 'ready', 'ready'],
    ['CREATE FAILED', 'failed', 'failed'],
    ['CREATE STOPPING', 'busy', 'busy'],
    ['CREATE STOPPED', 'failed', 'failed'],
  ])('%s is %s for a create (the wait condition waits for training) and %s for a delete', async (status, forCreate, forDelete) => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version(status));

    expect((await solutionVersionKind.observe(context, VERSION_ARN, 'create'))?.condition).toBe(forCreate);
    expect((await solutionVersionKind.observe(context, VERSION_ARN, 'delete'))?.condition).toBe(forDelete);
  });

  test('a delete stops a training under way, waits while it stops, and leaves a finished version to its solution', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolvesOnce(version('CREATE IN_PROGRESS'))
      .resolvesOnce(version('CREATE STOPPING')).resolves(version('CREATE STOPPED'));
    personalizeMock.on(StopSolutionVersionCreationCommand).resolves({});

    await solutionVersionKind.delete(context, VERSION_ARN);
    await expect(solutionVersionKind.delete(context, VERSION_ARN)).rejects.toMatchObject({ name: 'ResourceInUseException' });
    await expect(solutionVersionKind.delete(context, VERSION_ARN)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });

    expect(personalizeMock).toHaveReceivedCommandTimes(StopSolutionVersionCreationCommand, 1);
  });
});

describe('solution kind', () => {
  const SOLUTION_ARN = 'arn:aws:personalize:us-east-1:123456789012:solution/recs';
  const context: KindContext = {
    clock, partition: 'aws', region: 'us-east-1', account: '123456789012', owner: 'Stack/Solution', call: (_operation, attempt) => attempt(),
  };
  const spec = solutionKind.parse({
    Name: 'recs',
    DatasetGroupArn: 'arn:aws:personalize:us-east-1:123456789012:dataset-group/retail',
    RecipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
    PerformAutoTraining: 'true',
    AutoTrainingSchedule: 'rate(7 days)',
  });
  const described = (extra: Record<string, unknown>) => ({
    solution: { solutionArn: SOLUTION_ARN, name: 'recs', status: 'ACTIVE', performAutoTraining: false, ...extra },
  });

  test('an update in flight (latestSolutionUpdate) keeps the solution busy', async () => {
    personalizeMock.on(DescribeSolutionCommand).resolves(described({ latestSolutionUpdate: { status: 'CREATE IN_PROGRESS' } }));

    expect(await solutionKind.observe(context, SOLUTION_ARN, 'update', spec)).toMatchObject({ status: 'update CREATE IN_PROGRESS', condition: 'busy' });
  });

  test('a failed update is a failure with the update\'s reason', async () => {
    personalizeMock.on(DescribeSolutionCommand).resolves(described({ latestSolutionUpdate: { status: 'CREATE FAILED', failureReason: 'quota' } }));

    expect(await solutionKind.observe(context, SOLUTION_ARN, 'update', spec)).toMatchObject({ condition: 'failed', failureReason: 'quota' });
  });

  test('a ready solution holding other settings is a failure that says what it holds', async () => {
    personalizeMock.on(DescribeSolutionCommand).resolves(described({}));

    expect(await solutionKind.observe(context, SOLUTION_ARN, 'update', spec))
      .toMatchObject({ condition: 'failed', failureReason: 'the solution holds performAutoTraining=false, not what the stack asks for' });
  });

  test('an update sends UpdateSolution only for what differs from what the solution holds, and says whether it held the old settings', async () => {
    personalizeMock.on(DescribeSolutionCommand).resolves(described({
      performAutoTraining: true, solutionConfig: { autoTrainingConfig: { schedulingExpression: 'rate(7 days)' } },
    }));
    personalizeMock.on(ListTagsForResourceCommand).resolves({ tags: [] });
    personalizeMock.on(UpdateSolutionCommand).resolves({ solutionArn: SOLUTION_ARN });

    expect(await solutionKind.update(context, SOLUTION_ARN, spec, spec)).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandTimes(UpdateSolutionCommand, 0);

    const daily = { ...spec, updatable: { ...spec.updatable, schedule: 'rate(1 day)' } };
    await solutionKind.update(context, SOLUTION_ARN, spec, daily);
    expect(personalizeMock).toHaveReceivedCommandWith(UpdateSolutionCommand, {
      solutionArn: SOLUTION_ARN, performAutoTraining: true, solutionUpdateConfig: { autoTrainingConfig: { schedulingExpression: 'rate(1 day)' } },
    });
  });
});
