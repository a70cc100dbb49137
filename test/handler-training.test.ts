/**
 * The training watcher, the solution version kind and the solution kind over a mocked Personalize client
 * and a virtual clock: what a lifecycle scenario cannot reach in seconds (a watch of
 * many hours, its 12-hour end) and the kind's own status decisions. The watcher's
 * signals go to the harness's signal endpoint, its self-invocations to the local Lambda.
 */
import {
  DescribeSolutionCommand, DescribeSolutionVersionCommand, ListTagsForResourceCommand, StopSolutionVersionCreationCommand, UpdateSolutionCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { SignalEndpoint } from './harness/signals';
import { LocalLambda } from './local-lambda/server';
import { mockedHandlers } from './support/mocked-handlers';
import { SHORT_WAIT_POLICY } from './support/wait-policy';
import { solutionKind } from '../lambda/kinds/personalize/solution';
import { solutionVersionKind } from '../lambda/kinds/personalize/solution-version';
import { KindContext } from '../lambda/resource-kind';
import { WatchRequest } from '../lambda/watchers/invoke';
import { createWatcher, LONGEST_WATCH_MS } from '../lambda/watchers/training-watcher';
import { ResourceTypes } from '../src/private/contract';

const { personalizeMock, clock } = mockedHandlers();
const VERSION_ARN = 'arn:aws:personalize:us-east-1:123456789012:solution/recs/ab12cd34';
const WATCHER_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:watcher';
const FIFTEEN_MINUTES = 15 * 60 * 1000;

let signals: SignalEndpoint;
let lambda: LocalLambda;
const reinvoked: unknown[] = [];

beforeAll(async () => {
  signals = new SignalEndpoint();
  lambda = await LocalLambda.start();
  lambda.attach(async (_handler, payload) => {
    reinvoked.push(payload);
  }, (arn) => (arn === WATCHER_ARN ? { handler: 'watchTraining', timeoutMs: 1_000 } : undefined));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_LAMBDA: lambda.endpoint, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test',
  });
});
afterAll(async () => {
  await signals.stop();
  await lambda.stop();
});
beforeEach(() => {
  reinvoked.length = 0;
});

const watch = createWatcher({ clock, waitPolicy: SHORT_WAIT_POLICY, retryPolicy: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 10 } });
const invocation = () => {
  const endsAt = clock.now() + FIFTEEN_MINUTES;
  return { invokedFunctionArn: WATCHER_ARN, getRemainingTimeInMillis: () => endsAt - clock.now() };
};
async function request(startedAt = clock.now()): Promise<WatchRequest> {
  return { resourceType: ResourceTypes.SOLUTION_VERSION, arn: VERSION_ARN, signalUrl: await signals.newHandle(), startedAt };
}
const version = (status: string, failureReason?: string) => ({ solutionVersion: { solutionVersionArn: VERSION_ARN, status, failureReason } });

describe('training watcher', () => {
  test('signals SUCCESS with the version ARN as UniqueId and Data once the version is ACTIVE', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand)
      .resolvesOnce(version('CREATE PENDING')).resolvesOnce(version('CREATE IN_PROGRESS')).resolves(version('ACTIVE'));
    const watched = await request();

    await watch(watched, invocation());

    expect([...signals.signalsOf(watched.signalUrl).values()]).toEqual([
      { Status: 'SUCCESS', Reason: expect.stringContaining('is trained'), UniqueId: VERSION_ARN, Data: VERSION_ARN },
    ]);
    expect(reinvoked).toEqual([]);
  });

  test('signals FAILURE with the service\'s reason when training fails', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE FAILED', 'Not enough data'));
    const watched = await request();

    await watch(watched, invocation());

    expect([...signals.signalsOf(watched.signalUrl).values()].map((s) => [s.Status, s.Reason]))
      .toEqual([['FAILURE', `Training of solution version ${VERSION_ARN} ended CREATE FAILED: Not enough data`]]);
  });

  test('hands over to a new invocation of itself, with the same request, before its Lambda timeout', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE IN_PROGRESS'));
    const watched = await request();
    const started = clock.now();

    await watch(watched, invocation());
    await lambda.settled();

    expect(reinvoked).toEqual([watched]);
    expect(signals.signalsOf(watched.signalUrl).size).toBe(0);
    // It watched until its margin before the 15-minute timeout, no longer.
    expect(clock.now() - started).toBeLessThanOrEqual(FIFTEEN_MINUTES - SHORT_WAIT_POLICY.invocationMarginMs);
    expect(clock.now() - started).toBeGreaterThan(FIFTEEN_MINUTES - SHORT_WAIT_POLICY.invocationMarginMs - SHORT_WAIT_POLICY.maxDelayMs);
  });

  test('gives up, without a signal, once every wait condition it could signal has timed out', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).resolves(version('CREATE IN_PROGRESS'));
    const watched = await request(clock.now() - LONGEST_WATCH_MS - 1);

    await watch(watched, invocation());
    await lambda.settled();

    expect(reinvoked).toEqual([]);
    expect(signals.signalsOf(watched.signalUrl).size).toBe(0);
  });

  test('an error of its own fails the wait condition at once, saying what went wrong', async () => {
    personalizeMock.on(DescribeSolutionVersionCommand).rejects(Object.assign(new Error('not allowed'), { name: 'AccessDenied' }));
    const watched = await request();

    await watch(watched, invocation());

    expect([...signals.signalsOf(watched.signalUrl).values()].map((s) => [s.Status, s.Reason]))
      .toEqual([['FAILURE', 'The training watcher failed: not allowed']]);
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
