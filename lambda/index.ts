/**
 * Entry points for aws-cdk-lib's custom-resources Provider framework:
 * `onEvent` starts an operation, `isComplete` is polled until it settles.
 * Lambda's context tells the engine how long each invocation may run. `watchTraining`
 * is the watcher function's: it follows a training and signals its wait condition.
 */
import { Clock, systemClock } from './clock';
import {
  DEFAULT_WAIT_POLICY, InvocationContext, IsCompleteResult, LifecycleEngine, LifecycleEvent, OnEventResult, WaitPolicy,
} from './engine';
import { ALL_KINDS } from './kinds';
import { RetryPolicy } from './retry';
import type { WatchRequest } from './watchers/invoke';
import { createWatcher, WatcherInvocation } from './watchers/training-watcher';

export interface HandlerOptions {
  readonly clock?: Clock;
  readonly waitPolicy?: WaitPolicy;
  readonly retryPolicy?: RetryPolicy;
}

/** Builds the two entry points; tests and the lifecycle harness pass a virtual clock or shorter timings. */
export function createHandlers(options: HandlerOptions = {}) {
  const engine = new LifecycleEngine({
    kinds: ALL_KINDS,
    clock: options.clock ?? systemClock,
    waitPolicy: options.waitPolicy,
    retryPolicy: options.retryPolicy,
  });
  const watch = createWatcher({
    clock: options.clock ?? systemClock, waitPolicy: options.waitPolicy ?? DEFAULT_WAIT_POLICY, retryPolicy: options.retryPolicy,
  });
  return {
    onEvent: (event: LifecycleEvent, context?: InvocationContext): Promise<OnEventResult> => engine.onEvent(event, context),
    isComplete: (event: LifecycleEvent, context?: InvocationContext): Promise<IsCompleteResult> => engine.isComplete(event, context),
    /** The watcher function (lambda/watchers): follows a training and signals its wait condition. */
    watchTraining: (request: WatchRequest, context: WatcherInvocation): Promise<void> => watch(request, context),
  };
}

const handlers = createHandlers();
export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
export const watchTraining = handlers.watchTraining;
export { DEFAULT_WAIT_POLICY };
