/**
 * Decoding of custom resource properties. CloudFormation delivers every scalar
 * as a string; anything else where a string belongs means a tampered or broken
 * template, and is refused with the property's name rather than dropped.
 */
import { OWNER_TAG_KEY, TagProperty } from '../src/private/contract';

/**
 * Custom resource properties as CloudFormation delivers them, read by the names of their contract
 * type `C` (src/private/contract.ts): a name the contract does not have does not compile.
 */
export interface Delivered<C> {
  readonly [name: string]: unknown;
  /** Never set: ties the properties to their contract for the type checker. */
  readonly __contract?: C;
}
/** A property name of contract `C`. */
export type PropertyName<C> = Extract<keyof C, string>;

export function requiredString<C>(properties: Delivered<C>, key: PropertyName<C>): string {
  const value = properties[key];
  if (value === undefined || value === null || value === '') throw new Error(`Missing required property '${key}'`);
  if (typeof value !== 'string') throw new Error(`Property '${key}' must be a string, got ${typeName(value)}`);
  return value;
}

export function optionalString<C>(properties: Delivered<C>, key: PropertyName<C>): string | undefined {
  const value = properties[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Property '${key}' must be a string, got ${typeName(value)}`);
  return value;
}

/** `true` or `false` as CloudFormation delivers them (strings); absent is `fallback`. */
export function optionalBoolean<C>(properties: Delivered<C>, key: PropertyName<C>, fallback: boolean): boolean {
  const value = optionalString(properties, key);
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false') throw new Error(`Property '${key}' must be 'true' or 'false', got '${value}'`);
  return value === 'true';
}

/** Tags as [{Key, Value}]; the owner tag is the handler's alone and cannot be set. */
export function parseTags<C extends { readonly Tags?: TagProperty[] }>(properties: Delivered<C>, key: PropertyName<C> = 'Tags' as PropertyName<C>): Record<string, string> {
  const value = properties[key];
  const tags: Record<string, string> = {};
  if (value === undefined || value === null || value === '') return tags;
  if (!Array.isArray(value)) throw new Error(`Property '${key}' must be a list of {Key, Value}, got ${typeName(value)}`);
  value.forEach((tag: unknown, index) => {
    const { Key: tagKey, Value: tagValue } = (tag ?? {}) as Partial<TagProperty>;
    if (typeof tagKey !== 'string' || tagKey === '' || (tagValue !== undefined && typeof tagValue !== 'string')) {
      throw new Error(`Property '${key}' item ${index + 1} must be {Key: string, Value: string}, got ${JSON.stringify(tag)}`);
    }
    if (tagKey === OWNER_TAG_KEY) {
      throw new Error(`Property '${key}' sets the tag '${OWNER_TAG_KEY}', which is reserved: the handler writes it to prove ownership`);
    }
    tags[tagKey] = tagValue ?? '';
  });
  return tags;
}

function typeName(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}
