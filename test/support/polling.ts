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

/**
 * Runs a request the way the Provider framework does: onEvent, then isComplete until it completes (failure undefined)
 * or fails. `response` is what the framework would answer CloudFormation with on success: NoEcho as onEvent returned
 * it (framework.js reads it from the event the waiter carries, never from isComplete), and onEvent's Data under isComplete's.
 */
export async function runToCompletion(clock: VirtualClock, handlers: ReturnType<typeof createHandlers>, request: LifecycleEvent) {
  const started = await handlers.onEvent(request);
  let completed: IsCompleteResult | undefined;
  const isComplete = async (event: LifecycleEvent) => {
    const result = await handlers.isComplete(event);
    if (result.IsComplete) completed = result;
    return result;
  };
  const failure = await pollUntilDone(clock, isComplete, isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle));
  const response = { NoEcho: started.NoEcho, Data: { ...started.Data, ...completed?.Data } };
  return { started, failure, response, elapsedMs: clock.now() - started.Lifecycle.startedAt };
}
