/** The tag rules of the service, the same for every kind, and the operations on the tags of any ARN. */
import type { Input, Operations, ServiceCore } from './core';
import { invalidInput, ServiceError, TooManyTagKeys, TooManyTags } from './errors';

const MAX_TAGS = 50;

type TagList = Array<{ tagKey: string; tagValue: string }>;

/** The tags a Create request gives its new resource. */
export function requestTags(input: Input): Map<string, string> {
  return mergeTags(new Map(), input.tags ?? []);
}

export function tagOperations(core: ServiceCore): Operations {
  return {
    TagResource: (input) => {
      const resource = core.findAny(input.resourceArn);
      const merged = mergeTags(resource.tags, input.tags);
      resource.tags.clear();
      for (const [k, v] of merged) resource.tags.set(k, v);
      return {};
    },
    UntagResource: (input) => {
      const keys: string[] = input.tagKeys;
      if (keys.length > MAX_TAGS) throw new ServiceError(TooManyTagKeys, `At most ${MAX_TAGS} tag keys can be removed in one request.`);
      for (const key of keys) checkTagKey(key);
      const resource = core.findAny(input.resourceArn);
      for (const key of keys) resource.tags.delete(key);
      return {};
    },
    ListTagsForResource: (input) => ({ tags: tagList(core.findAny(input.resourceArn).tags) }),
  };
}

function checkTagKey(key: string): void {
  if (key.toLowerCase().startsWith('aws:')) throw invalidInput(`Tag key ${key} is invalid: keys starting with aws: are reserved.`);
}

/** Adds `additions` to `existing` (returning a new map), enforcing the tag rules of the service. */
function mergeTags(existing: Map<string, string>, additions: TagList): Map<string, string> {
  const seen = new Set<string>();
  for (const { tagKey } of additions) {
    checkTagKey(tagKey);
    if (seen.has(tagKey)) throw invalidInput(`Tag key ${tagKey} appears more than once.`);
    seen.add(tagKey);
  }
  const merged = new Map(existing);
  for (const { tagKey, tagValue } of additions) merged.set(tagKey, tagValue);
  if (merged.size > MAX_TAGS) throw new ServiceError(TooManyTags, `A resource can have at most ${MAX_TAGS} tags; this request would give it ${merged.size}.`);
  return merged;
}

function tagList(tags: Map<string, string>): TagList {
  return [...tags].map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
}
