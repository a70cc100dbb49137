/**
 * A fixed handful of the seeded fault explorer's seeds (test/explorer/), inside the
 * regular suite: each draws a random stack from the public constructs, a random
 * sequence of creates, updates and a destroy, and random faults, and checks the
 * invariants after every step. `npx projen explore` runs many more; a failing seed
 * prints the one command that replays it.
 */
import { exploreSeeds, formatSummary, report } from './explorer/explorer';
import { LIFECYCLE_TEST_TIMEOUT_MS } from './harness/environment';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

test('eight fixed seeds of random stacks, operations and faults keep every invariant after every step', async () => {
  const summary = await exploreSeeds(SEEDS, { concurrency: 4 });

  // Each failing seed's report: its plan, what happened, the violations and `npx projen explore --seed S`.
  expect(summary.failed.map(report)).toEqual([]);
  expect(summary.seeds).toBe(SEEDS.length);
  expect(summary.checks).toBeGreaterThan(0);
  process.stdout.write(`${formatSummary(summary)}\n`);
});
