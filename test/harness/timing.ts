/**
 * Harness time. The lifecycle harness runs the real handler on a virtual clock (sim-clock.ts), with
 * production's timings shortened about 50 times, so that a scenario takes few virtual seconds:
 *
 * | setting                         | production   | harness  |
 * |---------------------------------|--------------|----------|
 * | poll delay (min / max)          | 1 s / 15 s   | 20 / 300 ms (÷50) |
 * | retry backoff (base / max)      | 250 ms / 10 s| 10 / 200 ms |
 * | retry budget; AccessDenied      | 40 attempts within 100 s; 30 s | 15 attempts (about 1.1 s); 600 ms |
 * | onEvent polling window          | 120 s        | 1 000 ms |
 * | one isComplete invocation       | 60 s         | 500 ms   |
 * | engine total timeout            | 30 min       | 2 000 ms |
 * | invocation margin               | 30 s         | 600 ms (÷50) |
 * | cancelled-create grace          | 150 s        | 1 600 ms |
 * | blocked-delete grace            | 2 min        | 500 ms   |
 * | framework queryInterval         | 1 s          | 20 ms (÷50) |
 * | framework totalTimeout          | 45 min       | 3 000 ms (1.5 × engine, as in production) |
 * | Lambda timeout (onEvent)        | 5 min        | window + 3.6 s (production headroom ÷50) |
 * | Lambda timeout (isComplete)     | 2 min        | window + 1.2 s (production headroom ÷50) |
 * | local service transitions       | 1–2 min      | 100 ms   |
 *
 * The windows and the total timeout are shortened much more than ÷50, so that
 * a scenario can outlast them in a few seconds; their order is what matters and
 * is kept: poll delay < isComplete window < onEvent window < total timeout < framework timeout,
 * and retry budget < cancelled-create grace < total timeout.
 */
import type { WaitPolicy } from '../../lambda/engine';
import type { RetryPolicy } from '../../lambda/retry';

/** How much faster than production the harness runs where it scales uniformly. */
export const TIME_SCALE = 50;

export const HARNESS_WAIT_POLICY: WaitPolicy = {
  minDelayMs: 20,
  delayFraction: 0.04,
  maxDelayMs: 300,
  onEventWindowMs: 1_000,
  isCompleteWindowMs: 500,
  totalTimeoutMs: 2_000,
  invocationMarginMs: 600,
  cancelledCreateGraceMs: 1_600,
  cancelledCreateMaxAgeMs: 18_000,
  blockedDeleteGraceMs: 500,
  clockSkewMs: 100,
};

/**
 * Retries end after 15 attempts, about 1.1 s: a budget shorter than the cancelled-create grace, as in production
 * (see the order above). A scenario that needs production's whole budget sets it, scaled ÷50.
 */
export const HARNESS_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 15, baseDelayMs: 10, maxDelayMs: 200, accessDeniedBudgetMs: 600,
};

export interface ProviderTiming {
  /** Step Functions waits this long between isComplete invocations. */
  readonly queryIntervalMs: number;
  /** The waiter gives up (onTimeout: "Operation timed out") after totalTimeoutMs / queryIntervalMs retries. */
  readonly totalTimeoutMs: number;
  /** Lambda timeout of the user onEvent function. */
  readonly onEventTimeoutMs: number;
  /** Lambda timeout of the user isComplete function. */
  readonly isCompleteTimeoutMs: number;
}

export const HARNESS_PROVIDER_TIMING: ProviderTiming = {
  queryIntervalMs: 20,
  totalTimeoutMs: 3_000,
  onEventTimeoutMs: HARNESS_WAIT_POLICY.onEventWindowMs + (300_000 - 120_000) / TIME_SCALE,
  isCompleteTimeoutMs: HARNESS_WAIT_POLICY.isCompleteWindowMs + (120_000 - 60_000) / TIME_SCALE,
};

/** Default lifecycle durations of the local service in the harness (real milliseconds). */
export const SERVICE_TRANSITION_MS = 100;

/** How the engine words its total timeout in a reason: "Timed out after 2 s". */
export const TIMED_OUT = `Timed out after ${HARNESS_WAIT_POLICY.totalTimeoutMs / 1000} s`;

/**
 * What one request may take, from delivery to response, before the harness calls it
 * a wait that overran the total timeout: the engine's deadline plus one last Describe
 * with its retries twice over, and a second of scheduling noise on a busy machine.
 * The harness's timings unless told otherwise; an environment passes its own.
 */
export function requestDeadlineMs(waitPolicy: WaitPolicy = HARNESS_WAIT_POLICY, retryPolicy: RetryPolicy = HARNESS_RETRY_POLICY): number {
  return waitPolicy.totalTimeoutMs + 2 * totalRetryBudgetMs(retryPolicy) + 1_000;
}

/** The longest a single call can spend in backoff before it gives up. */
export function totalRetryBudgetMs(policy: RetryPolicy): number {
  let total = 0;
  for (let attempt = 1; attempt < policy.maxAttempts; attempt++) total += Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return total;
}
