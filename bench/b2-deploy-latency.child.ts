/**
 * The B2 worker: for each activation time, starts a local service, creates one
 * dataset group through the Provider framework flow and measures when the
 * completion signal comes. One create at a time, on a clock whose sleeps take
 * no time (lib/clocks.ts).
 */
import { CreateDatasetGroupCommand, DescribeDatasetGroupCommand, PersonalizeClient } from '@aws-sdk/client-personalize';
import {
  createGroupEvent, CustomResourceHandlers, deployThroughFramework,
  FRAMEWORK_DEFAULT_QUERY_INTERVAL_MS, LIBRARY_QUERY_INTERVAL_MS, loadBundledHandler,
} from './lib/bundled-handler';
import { warpClock } from './lib/clocks';
import { childMain } from './lib/processes';
import { LocalPersonalize } from '../test/local-personalize/server';

export type Strategy = 'library' | 'baseline';

export interface LatencyJob {
  readonly strategy: Strategy;
  readonly activeAfterMs: number[];
}

export interface LatencySample {
  readonly activeAfterMs: number;
  /** From onEvent's start to the isComplete that reports completion. */
  readonly elapsedMs: number;
  readonly describeCalls: number;
  readonly isCompleteInvocations: number;
  /**
   * When the service received the last Describe before the deciding one, from onEvent's start.
   * Had the resource turned ACTIVE just after that look, the same schedule would have
   * reported it at elapsedMs: so elapsedMs minus this is the overshoot of the unluckiest phase.
   */
  readonly previousLookMs: number;
}

/**
 * What a plain Provider-framework handler does: onEvent creates, each isComplete
 * describes once.
 */
function baselineHandlers(server: LocalPersonalize): CustomResourceHandlers {
  const client = new PersonalizeClient(server.clientConfig());
  return {
    onEvent: async (event) => {
      const created = await client.send(new CreateDatasetGroupCommand({ name: String(event.ResourceProperties.Name) }));
      return { PhysicalResourceId: created.datasetGroupArn! };
    },
    isComplete: async (event) => {
      const { datasetGroup } = await client.send(new DescribeDatasetGroupCommand({ datasetGroupArn: event.PhysicalResourceId }));
      if (datasetGroup?.status === 'CREATE FAILED') throw new Error(datasetGroup.failureReason);
      return { IsComplete: datasetGroup?.status === 'ACTIVE' };
    },
  };
}

async function measureOnce(strategy: Strategy, activeAfterMs: number, name: string): Promise<LatencySample> {
  const clock = warpClock();
  const server = await LocalPersonalize.start({ activeAfterMs, now: clock.now });
  try {
    const handlers = strategy === 'library' ? loadBundledHandler(server.endpoint).createHandlers({ clock }) : baselineHandlers(server);
    const queryIntervalMs = strategy === 'library' ? LIBRARY_QUERY_INTERVAL_MS : FRAMEWORK_DEFAULT_QUERY_INTERVAL_MS;
    const startedAt = clock.now();
    const run = await deployThroughFramework(handlers, createGroupEvent('Group', name), clock, queryIntervalMs);
    const elapsedMs = clock.now() - startedAt;
    const looks = server.calls.filter((call) => call.operation === 'DescribeDatasetGroup').map((call) => call.at - startedAt);
    return {
      activeAfterMs,
      elapsedMs,
      describeCalls: server.countCalls('DescribeDatasetGroup'),
      isCompleteInvocations: run.isCompleteInvocations,
      previousLookMs: looks.length >= 2 ? looks[looks.length - 2] : 0,
    };
  } finally {
    await server.stop();
  }
}

childMain<LatencyJob[], LatencySample[][]>(async (jobs) => {
  // The SDK requires parts of itself on first use; that one-off cost is not part of a deploy's wait.
  for (const strategy of new Set(jobs.map((job) => job.strategy))) await measureOnce(strategy, 0, 'warm-up');
  return async () => {
    const results: LatencySample[][] = [];
    for (const job of jobs) {
      const samples: LatencySample[] = [];
      for (const [index, activeAfterMs] of job.activeAfterMs.entries()) samples.push(await measureOnce(job.strategy, activeAfterMs, `bench-${index}`));
      results.push(samples);
    }
    return results;
  };
});
