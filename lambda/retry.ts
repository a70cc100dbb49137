import { Clock } from './clock';
import { log } from './log';

/** Error names the Personalize API uses for throttling (and, confusingly, for quotas). */
const THROTTLING_ERRORS = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException']);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt, so a call never outlives its Lambda. */
  readonly maxElapsedMs?: number;
}

/**
 * Full-jitter backoff for up to 100 s before a persistent throttle fails the deploy:
 * long enough for a burst of resources created at once to get through a
 * 5-requests-per-second limit (B3), and well inside onEvent's 5 minutes. The time
 * budget, not the attempt count, normally ends the retries.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 40, baseDelayMs: 250, maxDelayMs: 10_000, maxElapsedMs: 100_000 };

function errorName(error: unknown): string {
  const e = error as { name?: string; code?: string } | undefined;
  return e?.name ?? e?.code ?? 'Error';
}

export function isErrorNamed(error: unknown, name: string): boolean {
  return errorName(error) === name;
}

export function isThrottling(error: unknown): boolean {
  return THROTTLING_ERRORS.has(errorName(error));
}

/** Throttles, 5xx answers and dropped connections are transient; everything else is final. */
export function isTransient(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown } | undefined;
  if (!e) return false;
  if (THROTTLING_ERRORS.has(errorName(e))) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return true;
  if (e.code && NETWORK_ERROR_CODES.has(e.code)) return true;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return true;
  return e.$retryable !== undefined;
}

/**
 * A grant created moments before the call may not have reached IAM yet, so a
 * call retries AccessDenied for its retry budget; polling never does.
 */
function isRetryableCallError(error: unknown): boolean {
  return isTransient(error) || errorName(error) === 'AccessDeniedException';
}

/**
 * Calls `attempt` until it succeeds, a final error occurs, or the attempts run out.
 * The SDK's own retries are switched off (maxAttempts 1) so that this is the only
 * retry layer, and so that it also applies under aws-sdk-client-mock.
 */
export async function withRetries<T>(
  operation: string, clock: Clock, attempt: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
  const startedAt = clock.now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      const delayMs = Math.round(clock.random() * ceiling);
      const outOfTime = policy.maxElapsedMs !== undefined && clock.now() + delayMs - startedAt > policy.maxElapsedMs;
      if (!isRetryableCallError(error) || attemptNumber >= policy.maxAttempts || outOfTime) {
        if (isRetryableCallError(error)) {
          throw new Error(`${operation} still failed after ${attemptNumber} attempts in ${Math.round((clock.now() - startedAt) / 1000)} s: `
            + `${describeError(error).replace(/\.$/, '')}. If this is LimitExceededException, the account may have reached a Personalize quota `
            + 'rather than a request rate.');
        }
        throw error;
      }
      log('warn', 'transient error, retrying', { operation, error: errorName(error), attempt: attemptNumber, delayMs });
      await clock.sleep(delayMs);
    }
  }
}

export function describeError(error: unknown): string {
  const e = error as { message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return `${errorName(error)}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(error)}`;
}
