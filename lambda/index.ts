/**
 * Entry points for aws-cdk-lib's custom-resources Provider framework:
 * `onEvent` starts an operation, `isComplete` is polled until it settles.
 * Lambda's context tells the engine how long each invocation may run. `longWait` is
 * the long-wait function's: one look at work that outlasts a custom resource, called by
 * the provider's long-wait state machine, which signals the work's wait condition.
 */
import { Clock, systemClock } from './clock';
import {
  DEFAULT_WAIT_POLICY, InvocationContext, IsCompleteResult, LifecycleEngine, LifecycleEvent, OnEventResult, WaitPolicy,
} from './engine';
import { ALL_KINDS } from './kinds';
import { createLongWait, DEFAULT_LONG_WAIT_POLICY, LongWaitInvocation, LongWaitPolicy, LongWaitState } from './long-wait/step';
import { RetryPolicy } from './retry';

export interface HandlerOptions {
  readonly clock?: Clock;
  readonly waitPolicy?: WaitPolicy;
  readonly retryPolicy?: RetryPolicy;
  readonly longWaitPolicy?: LongWaitPolicy;
}

/** Builds the two entry points; tests and the lifecycle harness pass a virtual clock or shorter timings. */
export function createHandlers(options: HandlerOptions = {}) {
  const engine = new LifecycleEngine({
    kinds: ALL_KINDS,
    clock: options.clock ?? systemClock,
    waitPolicy: options.waitPolicy,
    retryPolicy: options.retryPolicy,
  });
  const look = createLongWait({
    kinds: ALL_KINDS,
    clock: options.clock ?? systemClock,
    policy: options.longWaitPolicy ?? DEFAULT_LONG_WAIT_POLICY,
    retryPolicy: options.retryPolicy,
  });
  return {
    onEvent: (event: LifecycleEvent, context?: InvocationContext): Promise<OnEventResult> => engine.onEvent(event, context),
    isComplete: (event: LifecycleEvent, context?: InvocationContext): Promise<IsCompleteResult> => engine.isComplete(event, context),
    /** The long-wait function (lambda/long-wait): one look at long work, or the report of a broken wait. */
    longWait: (state: LongWaitState, context: LongWaitInvocation): Promise<LongWaitState> => look(state, context),
  };
}

const handlers = createHandlers();
export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
export const longWait = handlers.longWait;
export { DEFAULT_WAIT_POLICY };
