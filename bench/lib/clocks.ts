import { performance } from 'perf_hooks';
import type { Clock } from '../../lambda/clock';

/**
 * A clock whose sleeps take no time: `sleep(ms)` moves the clock `ms` forward at
 * once. Everything else (HTTP round trips to the local service, handler code)
 * runs at real speed and counts at its real duration. Shared by the service and
 * the handler, it reproduces a long wait exactly and in milliseconds, but only
 * while a single flow runs: one flow's sleep moves time for every other flow.
 */
export function warpClock(): Clock {
  const originEpochMs = Date.now();
  const originMs = performance.now();
  let skippedMs = 0;
  return {
    now: () => originEpochMs + (performance.now() - originMs) + skippedMs,
    sleep: async (ms) => {
      skippedMs += Math.max(0, ms);
      await new Promise((resolve) => setImmediate(resolve));
    },
    random: () => Math.random(),
  };
}

/**
 * A clock that runs `1 / scale` times faster than the wall clock, for flows that
 * run concurrently. Every time it reports is in unscaled milliseconds. Real costs
 * (HTTP round trips, event-loop delays) are stretched by the same factor, which
 * errs against the library: they count `1 / scale` times over.
 */
export function scaledClock(scale: number): Clock {
  const originEpochMs = Date.now();
  const originMs = performance.now();
  return {
    now: () => originEpochMs + (performance.now() - originMs) / scale,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms * scale))),
    random: () => Math.random(),
  };
}
