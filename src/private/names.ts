import { createHash } from 'crypto';
import { Names, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ApiLimits } from './contract';

const HASH_LENGTH = 8;

/**
 * A valid, deterministic Personalize name for a construct that was given none:
 * its path, shortened to fit, plus a hash of the stack name, the path and `replacementKey`.
 * The stack name matters because one app may be deployed as several stacks into
 * one account, and Personalize names are unique per account and region.
 * Because the hash covers the properties that force a replacement, a replacement
 * gets a fresh name and never collides with the resource it replaces.
 */
export function generateName(construct: IConstruct, replacementKey: unknown): string {
  const stack = Stack.of(construct);
  const resolvedKey = JSON.stringify(stack.resolve(replacementKey) ?? null);
  const stackName = Token.isUnresolved(stack.stackName) ? '' : stack.stackName;
  const hash = createHash('sha256').update(stackName).update('\0').update(construct.node.path).update('\0').update(resolvedKey)
    .digest('hex').slice(0, HASH_LENGTH);
  const prefixLength = ApiLimits.NAME_MAX_LENGTH - HASH_LENGTH - 1;
  const readable = Names.uniqueResourceName(construct, { maxLength: prefixLength + HASH_LENGTH + 1, separator: '-', allowedSpecialCharacters: '-_' })
    .slice(0, -HASH_LENGTH) // Names appends its own path hash; ours replaces it.
    .replace(/^[^a-zA-Z0-9]+/, '')
    .replace(/[-_]+$/, '')
    .slice(0, prefixLength);
  return `${readable || 'personalize'}-${hash}`;
}
