import { DEFAULT_WAIT_POLICY, WaitPolicy } from '../../lambda/engine';

/** Short windows so that hand-overs and timeouts happen after a few virtual seconds. */
export const SHORT_WAIT_POLICY: WaitPolicy = {
  ...DEFAULT_WAIT_POLICY,
  blockedDeleteGraceMs: 20_000,
  minDelayMs: 1_000,
  delayFraction: 0.04,
  maxDelayMs: 15_000,
  onEventWindowMs: 3_000,
  isCompleteWindowMs: 5_000,
  totalTimeoutMs: 60_000,
  // Shorter than the total timeout, as in production (150 s of 30 min): a guard must be able to end before the deadline.
  cancelledCreateGraceMs: 20_000,
};
