import { isCompleteEvent } from './events';
import { VirtualClock } from './virtual-clock';
import { createHandlers } from '../../lambda';
import { IsCompleteResult, LifecycleEvent } from '../../lambda/engine';

/** The Provider framework's pause between isComplete invocations (its queryInterval). */
export const QUERY_INTERVAL_MS = 1_000;

/**
 * Calls isComplete as the Provider framework's waiter does, until it completes
 * (returns undefined) or throws (returns the error).
 */
export async function pollUntilDone(clock: VirtualClock, isComplete: (event: LifecycleEvent) => Promise<IsCompleteResult>,
  event: LifecycleEvent, maxInvocations = 1_000): Promise<unknown> {
  for (let invocation = 0; invocation < maxInvocations; invocation++) {
    try {
      if ((await isComplete(event)).IsComplete) return undefined;
    } catch (error) {
      return error;
    }
    clock.advance(QUERY_INTERVAL_MS);
  }
  throw new Error(`isComplete neither completed nor failed in ${maxInvocations} invocations`);
}

/** Runs a request the way the Provider framework does: onEvent, then isComplete until it completes (failure undefined) or fails. */
export async function runToCompletion(clock: VirtualClock, handlers: ReturnType<typeof createHandlers>, request: LifecycleEvent) {
  const started = await handlers.onEvent(request);
  const failure = await pollUntilDone(clock, handlers.isComplete, isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle));
  return { started, failure, elapsedMs: clock.now() - started.Lifecycle.startedAt };
}
