/** What every Personalize kind shares: the client, tags, owner checks and property decoding. */
import {
  ListTagsForResourceCommand,
  PersonalizeClient,
  Tag,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-personalize';
import type { KindContext } from './resource-kind';
import { isErrorNamed } from './retry';
import { OWNER_TAG_KEY, TagProperty } from '../src/private/contract';

let client: PersonalizeClient | undefined;

/**
 * One client per process, so warm invocations reuse connections. The engine owns
 * retries, so the SDK makes a single attempt. AWS_ENDPOINT_URL_PERSONALIZE, read
 * by the SDK, points it at the local service in tests.
 */
export function personalize(): PersonalizeClient {
  client ??= new PersonalizeClient({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 5_000, requestTimeout: 20_000, throwOnRequestTimeout: true },
  });
  return client;
}

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

export function requiredString(properties: Record<string, unknown>, key: string): string {
  const value = properties[key];
  if (typeof value !== 'string' || value === '') throw new Error(`Missing required property '${key}'`);
  return value;
}

export function optionalString(properties: Record<string, unknown>, key: string): string | undefined {
  const value = properties[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parseTags(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  if (!Array.isArray(value)) return tags;
  for (const tag of value as TagProperty[]) tags[String(tag.Key)] = String(tag.Value ?? '');
  return tags;
}

export function apiTags(tags: Record<string, string>, owner: string): Tag[] {
  return [...Object.entries(tags).map(([tagKey, tagValue]) => ({ tagKey, tagValue })), { tagKey: OWNER_TAG_KEY, tagValue: owner }];
}

export function tagsDiffer(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].some((key) => a[key] !== b[key]);
}

/** Applies a tag change in place: untag what was removed, then tag what was added or changed. */
export async function syncTags(context: KindContext, arn: string, oldTags: Record<string, string>, newTags: Record<string, string>): Promise<void> {
  const removed = Object.keys(oldTags).filter((key) => !(key in newTags) && key !== OWNER_TAG_KEY);
  const changed = Object.entries(newTags).filter(([key, value]) => oldTags[key] !== value);
  if (removed.length > 0) {
    await context.call('UntagResource', () => personalize().send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed })));
  }
  if (changed.length > 0) {
    await context.call('TagResource', () => personalize().send(new TagResourceCommand({
      resourceArn: arn,
      tags: changed.map(([tagKey, tagValue]) => ({ tagKey, tagValue })),
    })));
  }
}

export async function hasOwnerTag(context: KindContext, arn: string): Promise<boolean> {
  const response = await describeOrUndefined(context, 'ListTagsForResource',
    () => personalize().send(new ListTagsForResourceCommand({ resourceArn: arn })));
  return (response?.tags ?? []).some((tag) => tag.tagKey === OWNER_TAG_KEY && tag.tagValue === context.owner);
}

export function personalizeArn(context: KindContext, resource: string): string {
  return `arn:${context.partition}:personalize:${context.region}:${context.account}:${resource}`;
}

/** Matches ARNs of one Personalize resource type, e.g. `dataset-group/NAME`. */
export function arnPattern(resourcePath: string): RegExp {
  return new RegExp(`^arn:[a-z\\d-]+:personalize:[a-z\\d-]*:\\d{12}:${resourcePath}$`);
}

/** Names of the fields whose values differ between two objects. */
export function changedFields<T extends object>(oldProps: T, newProps: T, fields: ReadonlyArray<[keyof T, string]>): string[] {
  return fields.filter(([field]) => oldProps[field] !== newProps[field]).map(([, label]) => label);
}
