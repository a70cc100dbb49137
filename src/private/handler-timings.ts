/**
 * How long the handler waits, and how long its functions may run: read by the provider
 * (src/private/provider.ts) for the Lambda and Provider framework settings and by the engine
 * (lambda/engine.ts) for its waiting windows, so the two cannot drift apart. Plain data: the
 * handler's bundle imports it.
 */
export const HANDLER_TIMINGS = {
  /** onEvent polls this long before it hands over to isComplete. */
  onEventWindowMs: 2 * 60_000,
  /** Each isComplete invocation polls this long. */
  isCompleteWindowMs: 60_000,
  /** Kept free at the end of every invocation, so the engine, not Lambda's timeout, has the last word. */
  invocationMarginMs: 30_000,
  /** The engine fails an operation this long after it started, with the last status it saw. */
  operationTimeoutMs: 30 * 60_000,
  /** onEvent's Lambda timeout: its window, the margin, and room for a slow first call's retries. */
  onEventTimeoutMs: 5 * 60_000,
  /** isComplete's Lambda timeout. */
  isCompleteTimeoutMs: 2 * 60_000,
  /** The Provider framework's total timeout: a backstop only, after the engine's own deadline, whose reason is clearer. */
  providerTotalTimeoutMs: 45 * 60_000,
} as const;
