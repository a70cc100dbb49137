/**
 * B3: 50 dataset groups created at once against a service that admits 5
 * requests per second, through the bundled handler and its default retry policy.
 */
import type { ThrottlingJob, ThrottlingRun } from './b3-throttling.child';
import { DEFAULT_RETRY_POLICY } from '../lambda/retry';
import { fixed, markdownTable, seconds, verdict } from './lib/markdown';
import { runTogether } from './lib/processes';
import { max, median, min } from './lib/stats';

const GROUPS = 50;
const REQUESTS_PER_SECOND = 5;
const RUNS = 5;

interface Row {
  /** A fast service, where the rate limit alone sets the pace, or one that takes a minute, as Personalize reportedly does. */
  readonly activeAfterMs: number;
  readonly settings: string;
  readonly overrides?: Pick<ThrottlingJob, 'retryPolicy' | 'waitPolicy'>;
}

const ROWS: Row[] = [
  { activeAfterMs: 2_000, settings: 'defaults' },
  { activeAfterMs: 60_000, settings: 'defaults' },
  {
    activeAfterMs: 60_000,
    settings: 'what-if: retryPolicy.maxAttempts 40, so the 100 s budget ends the retries',
    overrides: { retryPolicy: { ...DEFAULT_RETRY_POLICY, maxAttempts: 40 } },
  },
  { activeAfterMs: 60_000, settings: 'what-if: waitPolicy.minDelayMs 5 s', overrides: { waitPolicy: { minDelayMs: 5_000 } } },
];
/** 4× faster than real time: fast enough to finish soon, slow enough that request handling stays small beside the scaled waits. */
const SCALE = 0.25;

/**
 * The least time the rate limit allows: every group needs one Create and, once
 * ACTIVE, one Describe. Request k can be admitted at second floor(k / rate) at
 * the earliest; Creates go first, each Describe takes the first slot after its
 * group is ACTIVE.
 */
export function idealMs(groups: number, requestsPerSecond: number, activeAfterMs: number): number {
  const slotMs = (slot: number) => Math.floor(slot / requestsPerSecond) * 1000;
  let nextSlot = groups;
  let lastMs = 0;
  for (let group = 0; group < groups; group++) {
    const activeAtMs = slotMs(group) + activeAfterMs;
    while (slotMs(nextSlot) < activeAtMs) nextSlot++;
    lastMs = Math.max(lastMs, slotMs(nextSlot));
    nextSlot++;
  }
  return lastMs;
}

export async function runThrottlingBench(): Promise<string> {
  const rows: string[][] = [];
  const failureReasons = new Map<string, { count: number; seconds: number[] }>();
  for (const { activeAfterMs, settings, overrides } of ROWS) {
    const input: ThrottlingJob = { groups: GROUPS, requestsPerSecond: REQUESTS_PER_SECOND, activeAfterMs, scale: SCALE, ...overrides };
    // The runs of a row share the machine; the event-loop delay column shows they did not slow each other's clocks.
    const runs = await runTogether<ThrottlingRun>(Array.from({ length: RUNS }, () => ({ script: 'b3-throttling.child.ts', input })));
    for (const failure of runs.flatMap((run) => run.failures)) {
      // "… after 15 attempts in 38 s": one line per reason, with the range of seconds.
      const [, reason, secondsTaken] = /^(.*?)(?: in (\d+) s)?:/.exec(failure) ?? [undefined, failure, undefined];
      const key = `T = ${activeAfterMs / 1000} s, ${settings}: \`${reason}`;
      const seen = failureReasons.get(key) ?? { count: 0, seconds: [] };
      failureReasons.set(key, { count: seen.count + 1, seconds: secondsTaken ? [...seen.seconds, Number(secondsTaken)] : seen.seconds });
    }
    const ideal = idealMs(GROUPS, REQUESTS_PER_SECOND, activeAfterMs);
    const totals = runs.map((run) => run.totalMs);
    const succeeded = runs.map((run) => run.succeeded);
    const describes = runs.map((run) => (run.admitted.DescribeDatasetGroup ?? 0) / GROUPS);
    rows.push([
      `${activeAfterMs / 1000}`,
      settings,
      `${fixed((100 * succeeded.reduce((sum, count) => sum + count, 0)) / (RUNS * GROUPS), 1)}% (worst run ${min(succeeded)}/${GROUPS})`,
      seconds(median(totals), 1),
      seconds(max(totals), 1),
      seconds(ideal, 0),
      // Failed creates end early, so a run with failures is faster than one that did all the work.
      `${fixed(median(totals) / ideal, 2)}×${min(succeeded) < GROUPS ? ' (with failures)' : ''}`,
      fixed(median(describes), 1),
      fixed(median(runs.map((run) => run.throttled)), 0),
      `${max(runs.map((run) => run.createAttemptsWorst))}`,
      seconds(max(runs.map((run) => run.lastCreateAdmittedMs)), 1),
      fixed(max(runs.map((run) => run.eventLoopDelayP99Ms)), 0),
      verdict(min(succeeded) === GROUPS),
    ]);
  }

  const reasons = [...failureReasons.entries()].map(([reason, { count, seconds: taken }]) =>
    `- ${count} × ${reason}${taken.length > 0 ? ` in ${min(taken)} to ${max(taken)} s` : ''}: …\``);
  return [
    `### B3: ${GROUPS} dataset groups created at once, ${REQUESTS_PER_SECOND} requests per second allowed`,
    '',
    `Time scaled ×${SCALE} for the service and the handler; all figures in unscaled seconds. ${RUNS} runs per row, each in a fresh process.`,
    'What-if rows pass other settings to `createHandlers`; the bundle is unchanged.',
    `Ideal: ${GROUPS} Creates and ${GROUPS} Describes (one per group once ACTIVE) at ${REQUESTS_PER_SECOND} per second.`,
    '',
    markdownTable(
      ['T (s)', 'handler settings', 'success rate', 'total time median (s)', 'total time worst (s)', 'ideal (s)', 'median / ideal',
        'admitted Describes per group', 'throttled requests', 'Create attempts of one group, worst', 'last Create admitted at, worst (s)',
        'event-loop delay p99 (unscaled ms)', 'target met (100%)'],
      rows,
      2,
    ),
    ...(reasons.length > 0 ? ['', 'Failed resources, by row and the error CloudFormation would report:', '', ...reasons] : []),
  ].join('\n');
}
