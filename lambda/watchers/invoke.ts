/**
 * Starts a watcher: an asynchronous Lambda Invoke (InvocationType Event) of a watcher
 * function. AWS_ENDPOINT_URL_LAMBDA points the client at a local Lambda in tests.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { processClient } from '../kinds/sdk-client';
import type { KindContext } from '../resource-kind';

/** What a watcher is asked to follow. */
export interface WatchRequest {
  /** The custom resource type whose resource is watched; the watcher picks what to ask the service by it. */
  readonly resourceType: string;
  readonly arn: string;
  /** The presigned URL of the wait condition handle to signal. */
  readonly signalUrl: string;
  /** When the training started (epoch ms): the watcher gives up once the longest wait condition has timed out. */
  readonly startedAt: number;
}

const lambda = processClient((config) => new LambdaClient(config));

/** Invokes `functionArn` asynchronously with `payload`, with the engine's retries. */
export async function invokeAsync(context: Pick<KindContext, 'call'>, functionArn: string, payload: unknown): Promise<void> {
  await context.call('Invoke', () => lambda().send(new InvokeCommand({
    FunctionName: functionArn,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(payload)),
  })));
}

/** Starts the watcher for a training that just began. */
export function startWatcher(context: KindContext, functionArn: string, request: WatchRequest): Promise<void> {
  return invokeAsync(context, functionArn, request);
}
