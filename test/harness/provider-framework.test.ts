/**
 * The harness's Provider framework against aws-cdk-lib's runtime/framework.js and
 * cfn-response.js on NoEcho: the response carries the NoEcho onEvent returned (the
 * framework reads it from the event the waiter carries, `{ noEcho: event.NoEcho }`), never
 * one isComplete returns; a FAILED response carries none. The waiter's input, which Step
 * Functions keeps in its execution history, is onEvent's request merged with its result.
 */
import { BundledHandlers } from './bundle';
import { CfnRequest, ProviderFramework } from './provider-framework';
import { SimClock } from './sim-clock';
import { HARNESS_PROVIDER_TIMING } from './timing';
import type { IsCompleteResult, OnEventResult } from '../../lambda/engine';

const REQUEST: CfnRequest = {
  RequestType: 'Create',
  ServiceToken: 'arn:aws:lambda:us-east-1:123456789012:function:framework-onEvent',
  ResponseURL: 'http://localhost/response',
  StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/Stack/guid',
  RequestId: 'request-1',
  LogicalResourceId: 'Tracker',
  ResourceType: 'Custom::PersonalizeEventTracker',
  ResourceProperties: {},
};
const HANDOFF = { operation: 'create' as const, startedAt: 0, settled: false };

let clock: SimClock;
beforeEach(() => {
  clock = new SimClock();
});
afterEach(() => clock.stop());

/** Delivers REQUEST to a framework around user functions that answer as given. */
function frameworkAround(onEvent: () => OnEventResult, isComplete: () => IsCompleteResult | Error) {
  const handlers: BundledHandlers = {
    onEvent: async () => onEvent(),
    isComplete: async () => {
      const result = isComplete();
      if (result instanceof Error) throw result;
      return result;
    },
  };
  const framework = new ProviderFramework(handlers, HARNESS_PROVIDER_TIMING, clock);
  return { framework, response: framework.deliver(REQUEST) };
}

test('the response carries the NoEcho onEvent returned, with isComplete\'s Data', async () => {
  const { response } = frameworkAround(() => ({ PhysicalResourceId: 'arn:tracker', NoEcho: true, Lifecycle: HANDOFF }),
    () => ({ IsComplete: true, Data: { TrackingId: 'secret' } }));

  await expect(response).resolves.toMatchObject({ Status: 'SUCCESS', NoEcho: true, Data: { TrackingId: 'secret' } });
});

test('a NoEcho that only isComplete returns is not honoured, as framework.js answers with the event\'s', async () => {
  const { response } = frameworkAround(() => ({ PhysicalResourceId: 'arn:tracker', Lifecycle: HANDOFF }),
    () => ({ IsComplete: true, NoEcho: true, Data: { TrackingId: 'secret' } }) as IsCompleteResult);

  expect((await response).NoEcho).toBeUndefined();
});

test('a FAILED response carries no NoEcho', async () => {
  const { response } = frameworkAround(() => ({ PhysicalResourceId: 'arn:tracker', NoEcho: true, Lifecycle: HANDOFF }),
    () => new Error('CREATE FAILED'));

  const answered = await response;
  expect(answered.Status).toBe('FAILED');
  expect(answered.NoEcho).toBeUndefined();
});

test('the waiter\'s input (its execution history) is the request merged with onEvent\'s result, without isComplete\'s Data', async () => {
  const { framework, response } = frameworkAround(() => ({ PhysicalResourceId: 'arn:tracker', NoEcho: true, Data: { Arn: 'arn:tracker' }, Lifecycle: HANDOFF }),
    () => ({ IsComplete: true, Data: { TrackingId: 'secret' } }));
  await response;

  const [delivery] = framework.deliveries;
  expect(delivery.waiterInput).toMatchObject({ PhysicalResourceId: 'arn:tracker', NoEcho: true, Data: { Arn: 'arn:tracker' } });
  expect(JSON.stringify(delivery.waiterInput)).not.toContain('secret');
});
