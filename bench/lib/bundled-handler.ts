import * as path from 'path';
import { REPO_ROOT } from './processes';
import type { Clock } from '../../lambda/clock';
import type { IsCompleteResult, LifecycleEvent, OnEventResult, WaitPolicy } from '../../lambda/engine';
import type { HandlerOptions } from '../../lambda/index';

/** The file Lambda runs: what the benchmarks measure, never the TypeScript source. */
export const HANDLER_BUNDLE = path.join(REPO_ROOT, 'assets', 'provider-handler', 'index.js');

export interface CustomResourceHandlers {
  onEvent(event: LifecycleEvent): Promise<OnEventResult | { PhysicalResourceId: string }>;
  isComplete(event: LifecycleEvent): Promise<IsCompleteResult>;
}

interface HandlerModule {
  readonly DEFAULT_WAIT_POLICY: WaitPolicy;
  createHandlers(options: HandlerOptions): CustomResourceHandlers;
}

/**
 * Loads a fresh copy of the bundle pointed at a local service. The bundle keeps
 * one SDK client per module instance, and the client reads the endpoint from the
 * environment on its first request, so each service gets its own copy.
 */
export function loadBundledHandler(endpoint: string): HandlerModule {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_PERSONALIZE: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_PERSONALIZE_SILENT: 'true',
  });
  delete require.cache[require.resolve(HANDLER_BUNDLE)];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(HANDLER_BUNDLE) as HandlerModule;
}

export function createGroupEvent(logicalId: string, name: string): LifecycleEvent {
  return {
    RequestType: 'Create',
    ResourceType: 'Custom::PersonalizeDatasetGroup',
    LogicalResourceId: logicalId,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/bench/00000000-0000-0000-0000-000000000000',
    RequestId: `${logicalId}-request`,
    ResourceProperties: { ContractVersion: '1', Name: name, Tags: [] },
  };
}

/** Our provider's queryInterval (src/private/provider.ts). */
export const LIBRARY_QUERY_INTERVAL_MS = 1_000;
/** The Provider framework's default queryInterval. */
export const FRAMEWORK_DEFAULT_QUERY_INTERVAL_MS = 5_000;

export interface FrameworkRun {
  readonly physicalResourceId: string;
  /** How many times the waiter invoked isComplete. */
  readonly isCompleteInvocations: number;
}

/**
 * Plays the CDK Provider framework: onEvent, then its waiter state machine, which
 * invokes isComplete at once and again every `queryIntervalMs` (a Task retry with
 * backoff rate 1) until it reports IsComplete. A thrown error fails the resource.
 */
export async function deployThroughFramework(
  handlers: CustomResourceHandlers, event: LifecycleEvent, clock: Clock, queryIntervalMs: number,
): Promise<FrameworkRun> {
  const started = await handlers.onEvent(event);
  const waiterInput = { ...event, ...started } as LifecycleEvent;
  for (let invocations = 1; ; invocations++) {
    const result = await handlers.isComplete(waiterInput);
    if (result.IsComplete) return { physicalResourceId: started.PhysicalResourceId, isCompleteInvocations: invocations };
    await clock.sleep(queryIntervalMs);
  }
}
