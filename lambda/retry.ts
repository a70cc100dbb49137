import { Clock } from './clock';
import { log } from './log';

/** Error names the Personalize API uses for throttling (and, confusingly, for quotas). */
const THROTTLING_ERRORS = new Set(['LimitExceededException', 'ThrottlingException', 'TooManyRequestsException']);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED']);

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** No retry starts later than this after the first attempt. */
  readonly maxElapsedMs?: number;
  /** AccessDenied is retried only this long after the first attempt: as long as IAM propagation takes. */
  readonly accessDeniedBudgetMs?: number;
}

/**
 * Full-jitter backoff for up to 100 s before a persistent throttle fails the deploy:
 * long enough for a burst of resources created at once to get through a
 * 5-requests-per-second limit (B3), and well inside onEvent's 5 minutes. The time
 * budget, not the attempt count, normally ends the retries.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 40, baseDelayMs: 250, maxDelayMs: 10_000, maxElapsedMs: 100_000, accessDeniedBudgetMs: 30_000,
};

/**
 * A call stopped retrying because the Lambda invocation it runs in is about to
 * time out. Polls treat it as a look that saw nothing; the next invocation goes on.
 */
export class OutOfInvocationTime extends Error {}

/** A call that kept failing until the retry policy's budget ran out; `lastError` is what the service answered last. */
export class RetriesExhausted extends Error {
  constructor(message: string, public readonly lastError: unknown) {
    super(message);
  }
}

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
 * Calls `attempt` until it succeeds, a final error occurs, or the policy's budget
 * runs out. The SDK's own retries are switched off (maxAttempts 1) so that this is
 * the only retry layer, and so that it also applies under aws-sdk-client-mock.
 * No retry is started that would end after `deadline` (the invocation's own limit).
 * AccessDenied is retried briefly, since a grant created moments before may not
 * have reached IAM yet.
 */
export async function withRetries<T>(
  operation: string, clock: Clock, attempt: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY_POLICY, deadline?: number,
): Promise<T> {
  const startedAt = clock.now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    try {
      return await attempt();
    } catch (error) {
      const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attemptNumber - 1));
      const delayMs = Math.round(clock.random() * ceiling);
      const retryEndsAt = clock.now() + delayMs;
      const accessDenied = errorName(error) === 'AccessDeniedException';
      const retryable = isTransient(error) || (accessDenied && policy.accessDeniedBudgetMs !== undefined);
      if (!retryable) throw error;
      const budgetMs = accessDenied ? policy.accessDeniedBudgetMs! : policy.maxElapsedMs;
      const elapsedMs = Math.round((clock.now() - startedAt) / 1000);
      if (deadline !== undefined && retryEndsAt > deadline) {
        throw new OutOfInvocationTime(`${operation} was still failing when the handler invocation ran out of time, `
          + `after ${attemptNumber} attempts in ${elapsedMs} s: ${describeError(error)}`);
      }
      if (attemptNumber >= policy.maxAttempts || (budgetMs !== undefined && retryEndsAt - startedAt > budgetMs)) {
        throw new RetriesExhausted(`${operation} still failed after ${attemptNumber} attempts in ${elapsedMs} s: `
          + `${describeError(error).replace(/\.$/, '')}.${hintFor(error)}`, error);
      }
      log('warn', 'transient error, retrying', { operation, error: errorName(error), attempt: attemptNumber, delayMs });
      await clock.sleep(delayMs);
    }
  }
}

function hintFor(error: unknown): string {
  switch (errorName(error)) {
    case 'LimitExceededException':
      return ' Personalize uses LimitExceededException both for request rates and for quotas: if it persists, the account may have reached a quota (see Service Quotas).';
    case 'AccessDeniedException':
      return ' The denial outlasted IAM propagation: the handler\'s role, a permissions boundary or an SCP does not allow this call.';
    default:
      return '';
  }
}

export function describeError(error: unknown): string {
  const e = error as { message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return `${errorName(error)}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(error)}`;
}
