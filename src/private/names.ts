import { createHash } from 'crypto';
import { Names, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ApiLimits } from './contract';

const HASH_LENGTH = 8;

/** A resource's Personalize name, and the name pattern the handler is granted for it. */
export interface PhysicalName {
  readonly name: string;
  /** The name itself when given; for a generated name, its construct's prefix plus `*`. */
  readonly grantPattern: string;
}

/**
 * The name to create a resource with: the given one, or a generated one.
 *
 * A generated name is the construct path, shortened to fit, plus a hash of the
 * stack name, the path and `replacementKey`. Because the hash covers the
 * properties that force a replacement, a replacement gets a fresh name and never
 * collides with the resource it replaces; the stack name is in the hash because
 * one app may be deployed as several stacks into one account.
 */
export function physicalName(construct: IConstruct, given: string | undefined, replacementKey: unknown): PhysicalName {
  if (given !== undefined) return { name: given, grantPattern: given };
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
    .slice(0, prefixLength) || 'personalize';
  return { name: `${readable}-${hash}`, grantPattern: `${readable}-*` };
}
