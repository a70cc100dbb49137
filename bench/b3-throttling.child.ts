/**
 * One B3 run: creates many dataset groups at once through the bundled handler,
 * against a local service that admits a fixed number of requests per second.
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import type { WaitPolicy } from '../lambda/engine';
import type { RetryPolicy } from '../lambda/retry';
import { createGroupEvent, deployThroughFramework, LIBRARY_QUERY_INTERVAL_MS, loadBundledHandler } from './lib/bundled-handler';
import { scaledClock } from './lib/clocks';
import { childMain } from './lib/processes';
import { LocalPersonalize } from '../test/local-personalize/server';

export interface ThrottlingJob {
  readonly groups: number;
  readonly requestsPerSecond: number;
  readonly activeAfterMs: number;
  readonly scale: number;
  /** What-if runs only: settings other than the handler's defaults. */
  readonly retryPolicy?: RetryPolicy;
  readonly waitPolicy?: Partial<WaitPolicy>;
}

export interface ThrottlingRun {
  readonly succeeded: number;
  readonly failures: string[];
  /** From the first onEvent to the last completion signal, unscaled. */
  readonly totalMs: number;
  readonly admitted: Record<string, number>;
  readonly throttled: number;
  /** The most CreateDatasetGroup requests any one group sent, throttled ones included. */
  readonly createAttemptsWorst: number;
  /** When the last CreateDatasetGroup was admitted, unscaled, from the start. */
  readonly lastCreateAdmittedMs: number;
  /** The 99th percentile of the event loop's delay, in unscaled ms: how far the scaled clock could be off. */
  readonly eventLoopDelayP99Ms: number;
}

childMain<ThrottlingJob, ThrottlingRun>(async (job) => {
  await warmUp();
  const clock = scaledClock(job.scale);
  const server = await LocalPersonalize.start({
    activeAfterMs: job.activeAfterMs,
    requestsPerSecond: job.requestsPerSecond,
    maxDatasetGroups: job.groups + 1,
    now: clock.now,
  });
  const handler = loadBundledHandler(server.endpoint);
  const waitPolicy = job.waitPolicy ? { ...handler.DEFAULT_WAIT_POLICY, ...job.waitPolicy } : undefined;
  const handlers = handler.createHandlers({ clock, retryPolicy: job.retryPolicy, waitPolicy });
  return async () => {
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const startedAt = clock.now();
    const outcomes = await Promise.allSettled(Array.from({ length: job.groups }, (_, index) =>
      deployThroughFramework(handlers, createGroupEvent(`Group${index}`, `bench-group-${index}`), clock, LIBRARY_QUERY_INTERVAL_MS)));
    const totalMs = clock.now() - startedAt;
    loopDelay.disable();

    const admitted: Record<string, number> = {};
    let throttled = 0;
    let lastCreateAdmittedMs = 0;
    const createAttempts = new Map<string, number>();
    for (const call of server.calls) {
      if (call.operation === 'CreateDatasetGroup') createAttempts.set(call.input.name, (createAttempts.get(call.input.name) ?? 0) + 1);
      if (call.errorType === 'LimitExceededException') {
        throttled++;
        continue;
      }
      admitted[call.operation] = (admitted[call.operation] ?? 0) + 1;
      if (call.operation === 'CreateDatasetGroup') lastCreateAdmittedMs = Math.max(lastCreateAdmittedMs, call.at - startedAt);
    }
    await server.stop();
    return {
      succeeded: outcomes.filter((outcome) => outcome.status === 'fulfilled').length,
      failures: outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [String((outcome.reason as Error).message)] : [])),
      totalMs,
      admitted,
      throttled,
      createAttemptsWorst: Math.max(0, ...createAttempts.values()),
      lastCreateAdmittedMs,
      eventLoopDelayP99Ms: loopDelay.percentile(99) / 1e6 / job.scale,
    };
  };
});

/** Loads the SDK's lazily required parts before anything is timed. */
async function warmUp(): Promise<void> {
  const clock = scaledClock(0.01);
  const server = await LocalPersonalize.start({ activeAfterMs: 0, now: clock.now });
  await deployThroughFramework(loadBundledHandler(server.endpoint).createHandlers({ clock }), createGroupEvent('WarmUp', 'warm-up'), clock, 1);
  await server.stop();
}
