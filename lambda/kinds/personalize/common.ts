/** What every Personalize kind shares: the client, statuses, tags and owner checks. */
import {
  ListTagsForResourceCommand,
  PersonalizeClient,
  Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-personalize';
import { OWNER_TAG_KEY } from '../../../src/private/contract';
import type { Condition, KindContext } from '../../resource-kind';
import { isErrorNamed, RetriesExhausted } from '../../retry';
import { processClient } from '../sdk-client';

/** The process's Personalize client (see sdk-client.ts). */
export const personalize = processClient((config) => new PersonalizeClient(config));

export function isNotFound(error: unknown): boolean {
  return isErrorNamed(error, 'ResourceNotFoundException');
}

/** Runs a Describe-like call; undefined when the resource does not exist. */
export async function describeOrUndefined<T>(context: KindContext, operation: string, attempt: () => Promise<T>): Promise<T | undefined> {
  try {
    return await context.call(operation, attempt);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Personalize statuses contain spaces ("CREATE IN_PROGRESS") and are matched exactly. */
const CONDITIONS: Record<string, Condition> = {
  'ACTIVE': 'ready',
  'CREATE PENDING': 'busy',
  'CREATE IN_PROGRESS': 'busy',
  'CREATE FAILED': 'failed',
  'UPDATE PENDING': 'busy',
  'UPDATE IN_PROGRESS': 'busy',
  'UPDATE FAILED': 'failed',
  'DELETE PENDING': 'deleting',
  'DELETE IN_PROGRESS': 'deleting',
  'DELETE FAILED': 'deleteFailed',
  // Training that StopSolutionVersionCreation is stopping, and has stopped.
  'CREATE STOPPING': 'busy',
  'CREATE STOPPED': 'failed',
  // Batch jobs, as DescribeBatchInferenceJob and DescribeBatchSegmentJob document them (IN_PROGRESS as other pages spell it).
  'PENDING': 'busy',
  'IN PROGRESS': 'busy',
  'IN_PROGRESS': 'busy',
};

/** An unknown status is a failure: waiting on it could last until the timeout. */
export function conditionOf(status: string): Condition {
  return CONDITIONS[status] ?? 'failed';
}

export function apiTags(tags: Record<string, string>, owner: string): Tag[] {
  return [...Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue })), { tagKey: OWNER_TAG_KEY, tagValue: owner }];
}

/**
 * Makes the resource's tags what the stack asks for, against the tags it has now
 * (not those the last request asked for: a cancelled update may or may not have landed).
 * Returns whether the resource held exactly the `previous` tags before.
 */
export async function syncTags(context: KindContext, arn: string, wanted: Record<string, string>,
  previous: Record<string, string>): Promise<boolean> {
  const current = await currentTags(context, arn);
  const heldPrevious = sameTags(current, previous);
  const removed = Object.keys(current).filter((key) => !(key in wanted) && key !== OWNER_TAG_KEY);
  const changed = Object.entries(wanted).filter(([key, value]) => current[key] !== value);
  if (removed.length > 0) {
    await context.call('UntagResource', () => personalize().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed })));
  }
  if (changed.length > 0) {
    await context.call('TagResource', () => personalize().send(new TagResourceCommand({
      resourceArn: arn,
      tags: changed.map(([tagKey, tagValue]) => ({ tagKey, tagValue })),
    })));
  }
  return heldPrevious;
}

function sameTags(current: Record<string, string>, expected: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(current), ...Object.keys(expected)].filter((key) => key !== OWNER_TAG_KEY));
  return [...keys].every((key) => current[key] === expected[key]);
}

async function currentTags(context: KindContext, arn: string): Promise<Record<string, string>> {
  const response = await describeOrUndefined(context, 'ListTagsForResource',
    () => personalize().send(new ListTagsForResourceCommand({ resourceArn: arn })));
  return Object.fromEntries((response?.tags ?? []).map((tag) => [tag.tagKey ?? '', tag.tagValue ?? '']));
}

/**
 * Whether the resource carries this stack resource's owner tag. IAM lets the handler read the tags of
 * what it did not name only under this stack's owner tag (ADR 0013): a denied read is a resource that
 * is not this stack's.
 */
export async function hasOwnerTag(context: KindContext, arn: string): Promise<boolean> {
  try {
    return (await currentTags(context, arn))[OWNER_TAG_KEY] === context.owner;
  } catch (error) {
    if (isErrorNamed(error, 'AccessDeniedException') || (error instanceof RetriesExhausted && isErrorNamed(error.lastError, 'AccessDeniedException'))) {
      return false;
    }
    throw error;
  }
}

/**
 * Whether any resource of this stack made the resource at `arn`: its owner tag is `STACK/LOGICALID`
 * (engine's ownerTagValue) with this stack's name, which cannot contain '/'. False once it is gone.
 */
export async function ownedByThisStack(context: KindContext, arn: string): Promise<boolean> {
  const stackPrefix = `${context.owner.split('/')[0]}/`;
  return (await currentTags(context, arn))[OWNER_TAG_KEY]?.startsWith(stackPrefix) ?? false;
}

/** Names of the fields whose values differ between two objects. */
export function changedFields<T extends object>(oldProps: T, newProps: T, fields: ReadonlyArray<[keyof T, string]>): string[] {
  return fields.filter(([field]) => oldProps[field] !== newProps[field]).map(([, label]) => label);
}
