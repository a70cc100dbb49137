/**
 * The watcher: follows an operation that outlasts a custom resource (training takes
 * hours) and signals its CloudFormation wait condition when it ends, with the
 * service's reason on failure. Each invocation polls until shortly before its Lambda
 * timeout, then invokes itself again asynchronously, so one watch can last the 12
 * hours a wait condition may. It is idempotent: every signal carries the resource
 * ARN as its UniqueId, so a second watcher, or a delivery Lambda repeats, signals the
 * same thing once more, which the wait condition counts once.
 */
import * as http from 'http';
import * as https from 'https';
import { invokeAsync, WatchRequest } from './invoke';
import { ResourceTypes } from '../../src/private/contract';
import { Clock } from '../clock';
import type { WaitPolicy } from '../engine';
import { trainingOutcome } from '../kinds/personalize/solution-version';
import { log } from '../log';
import type { KindContext } from '../resource-kind';
import { OutOfInvocationTime, RetryPolicy, withRetries } from '../retry';

/** A wait condition times out after at most 12 hours; a watch never needs to last longer (plus a margin for clock skew). */
export const LONGEST_WATCH_MS = 12 * 60 * 60 * 1000 + 10 * 60 * 1000;

export interface Outcome {
  readonly success: boolean;
  readonly reason: string;
}

/** How to tell, for each watched resource type, whether what it waits for has ended. */
const WATCHED: Record<string, (context: KindContext, arn: string) => Promise<Outcome | undefined>> = {
  [ResourceTypes.SOLUTION_VERSION]: trainingOutcome,
};

export interface WatcherInvocation {
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

export interface WatcherOptions {
  readonly clock: Clock;
  readonly waitPolicy: WaitPolicy;
  readonly retryPolicy?: RetryPolicy;
}

export function createWatcher(options: WatcherOptions) {
  const { clock, waitPolicy, retryPolicy } = options;
  const watch = async (request: WatchRequest, invocation: WatcherInvocation): Promise<void> => {
    const observe = WATCHED[request.resourceType];
    if (!observe) throw new Error(`No watcher for resource type '${request.resourceType}'`);
    const deadline = clock.now() + invocation.getRemainingTimeInMillis() - waitPolicy.invocationMarginMs;
    const [, partition, , region, account] = request.arn.split(':');
    const context: KindContext = {
      clock,
      partition,
      region,
      account,
      owner: '',
      call: (operation, attempt) => withRetries(operation, clock, attempt, retryPolicy, deadline),
    };
    for (;;) {
      if (clock.now() - request.startedAt > LONGEST_WATCH_MS) {
        log('warn', 'giving up: every wait condition this watch could signal has timed out', { arn: request.arn });
        return;
      }
      let outcome: Outcome | undefined;
      try {
        outcome = await observe(context, request.arn);
      } catch (error) {
        if (!(error instanceof OutOfInvocationTime)) throw error;
      }
      if (outcome) {
        await signal(request, outcome, clock, deadline);
        log('info', 'signalled the wait condition', { arn: request.arn, success: outcome.success });
        return;
      }
      const delayMs = Math.min(waitPolicy.maxDelayMs, Math.max(waitPolicy.minDelayMs, (clock.now() - request.startedAt) * waitPolicy.delayFraction));
      if (clock.now() + delayMs > deadline) {
        // Out of time in this invocation: the next one goes on watching.
        await invokeAsync({ call: (operation, attempt) => withRetries(operation, clock, attempt, retryPolicy) },
          invocation.invokedFunctionArn, request);
        return;
      }
      await clock.sleep(delayMs);
    }
  };
  return async (request: WatchRequest, invocation: WatcherInvocation): Promise<void> => {
    try {
      await watch(request, invocation);
    } catch (error) {
      // Unsignalled, the stack would wait for the wait condition's timeout (hours): fail it now, saying why.
      log('error', 'the watcher failed', { arn: request.arn, error: (error as Error).message });
      await signal(request, { success: false, reason: `The training watcher failed: ${(error as Error).message}` }, clock, undefined);
    }
  };
}

/**
 * Signals the wait condition: an HTTP PUT of the signal to its presigned URL, with an
 * empty Content-Type, as the URL was signed. The resource ARN is the UniqueId and the Data.
 */
async function signal(request: WatchRequest, outcome: Outcome, clock: Clock, deadline: number | undefined): Promise<void> {
  const body = JSON.stringify({
    Status: outcome.success ? 'SUCCESS' : 'FAILURE',
    // CloudFormation shows the reason of a failure in the stack's events; keep it readable.
    Reason: outcome.reason.slice(0, 1000),
    UniqueId: request.arn,
    Data: request.arn,
  });
  await withRetries('SignalWaitCondition', clock, () => put(request.signalUrl, body), undefined, deadline);
}

function put(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, {
      method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 20_000,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(Object.assign(new Error(`The wait condition handle answered HTTP ${status}`), { $metadata: { httpStatusCode: status } }));
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('The wait condition handle did not answer'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}
