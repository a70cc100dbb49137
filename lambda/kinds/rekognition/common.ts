/** What Rekognition kinds share: the client, its error names, statuses and tags. */
import { ListTagsForResourceCommand, RekognitionClient, TagResourceCommand, UntagResourceCommand } from '@aws-sdk/client-rekognition';
import { OWNER_TAG_KEY, SOURCE_TAG_KEY } from '../../../src/private/contract';
import type { Condition, KindContext } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { processClient } from '../sdk-client';

/** The process's Rekognition client (see sdk-client.ts). */
export const rekognition = processClient((config) => new RekognitionClient(config));

/**
 * Runs one call with the engine's retries. Rekognition throttles with
 * ProvisionedThroughputExceededException (HTTP 400) as well as ThrottlingException
 * (HTTP 500); the first is renamed to the second here, so that the engine, which
 * knows no service's spelling, treats both as throttling.
 */
export function call<T>(context: KindContext, operation: string, attempt: () => Promise<T>): Promise<T> {
  return context.call(operation, async () => {
    try {
      return await attempt();
    } catch (error) {
      if (isErrorNamed(error, 'ProvisionedThroughputExceededException')) (error as Error).name = 'ThrottlingException';
      throw error;
    }
  });
}

/** Runs a Describe-like call; undefined when the resource does not exist. */
export async function describeOrUndefined<T>(context: KindContext, operation: string, attempt: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call(context, operation, attempt);
  } catch (error) {
    if (isErrorNamed(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/** Rekognition dataset statuses (botocore DatasetStatus), matched exactly. */
const CONDITIONS: Record<string, Condition> = {
  CREATE_IN_PROGRESS: 'busy',
  CREATE_COMPLETE: 'ready',
  CREATE_FAILED: 'failed',
  UPDATE_IN_PROGRESS: 'busy',
  UPDATE_COMPLETE: 'ready',
  UPDATE_FAILED: 'failed',
  DELETE_IN_PROGRESS: 'deleting',
};

/** An unknown status is a failure: waiting on it could last until the timeout. */
export function conditionOf(status: string): Condition {
  return CONDITIONS[status] ?? 'failed';
}

/** Rekognition's failure fields, StatusMessage and StatusMessageCode, as one reason. */
export function failureReasonOf(message: string | undefined, code: string | undefined): string | undefined {
  if (message === undefined && code === undefined) return undefined;
  return `${message ?? 'no message'}${code ? ` (${code})` : ''}`;
}

export async function currentTags(context: KindContext, arn: string): Promise<Record<string, string>> {
  const response = await describeOrUndefined(context, 'ListTagsForResource',
    () => rekognition().send(new ListTagsForResourceCommand({ ResourceArn: arn })));
  return response?.Tags ?? {};
}

/** Makes the resource's user tags what the stack asks for, against the tags it has now; reserved tags stay. */
export async function syncTags(context: KindContext, arn: string, wanted: Record<string, string>): Promise<void> {
  const current = await currentTags(context, arn);
  const reserved = new Set([OWNER_TAG_KEY, SOURCE_TAG_KEY]);
  const removed = Object.keys(current).filter((key) => !(key in wanted) && !reserved.has(key));
  const changed = Object.entries(wanted).filter(([key, value]) => current[key] !== value);
  if (removed.length > 0) {
    await call(context, 'UntagResource', () => rekognition().send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: removed })));
  }
  if (changed.length > 0) {
    await call(context, 'TagResource', () => rekognition().send(new TagResourceCommand({ ResourceArn: arn, Tags: Object.fromEntries(changed) })));
  }
}
