import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ApiLimits } from './contract';

const HASH_LENGTH = 8;
const STACK_TOKEN_MAX_LENGTH = 24;
/** Ends the stack token. Stack names cannot contain it, so `Shop_*` never matches a name of stack `Shop-Prod`. */
const STACK_TOKEN_END = '_';

/** A resource's Personalize name, and the name pattern the handler is granted for it. */
export interface PhysicalName {
  readonly name: string;
  /** The name itself when given; for a generated name, `STACKTOKEN_*`, shared by every generated name in the stack. */
  readonly grantPattern: string;
}

/**
 * The name to create a resource with: the given one, or a generated one.
 *
 * A generated name is `STACKTOKEN_PATH-HASH`. The stack token names the stack, so
 * one grant pattern per resource kind covers every generated name in the stack and
 * nothing outside it. The hash covers the stack name, the construct path and
 * `replacementKey` (the properties that force a replacement), so a replacement gets
 * a fresh name and never collides with the resource it replaces.
 */
export function physicalName(construct: IConstruct, given: string | undefined, replacementKey: unknown): PhysicalName {
  if (given !== undefined) return { name: given, grantPattern: given };
  const stack = Stack.of(construct);
  const token = stackToken(stack);
  const resolvedKey = JSON.stringify(stack.resolve(replacementKey) ?? null);
  const hash = digest(`${stack.stackName}\0${construct.node.path}\0${resolvedKey}`).slice(0, HASH_LENGTH);
  const room = ApiLimits.NAME_MAX_LENGTH - token.length - STACK_TOKEN_END.length - 1 - HASH_LENGTH;
  // The end of the path is the most specific part, so that is what a long path keeps.
  const path = pathBelowStack(construct, stack).slice(-room).replace(/^-+/, '');
  return { name: `${token}${STACK_TOKEN_END}${path || 'resource'}-${hash}`, grantPattern: `${token}${STACK_TOKEN_END}*` };
}

/**
 * What a name derived from `resource` hashes of it: the generated name of a resource of this app,
 * which changes whenever it is replaced (its ARN is a token that does not), else `arn`.
 */
export function replacementKeyOf(resource: object, arn: string): string {
  return (resource as { readonly _physicalName?: PhysicalName })._physicalName?.name ?? arn;
}

/** The stack name if it is short enough, else its start plus a hash of all of it. */
function stackToken(stack: Stack): string {
  const stackName = Token.isUnresolved(stack.stackName) ? 'stack' : stack.stackName;
  const cleaned = stackName.replace(/[^a-zA-Z0-9-]/g, '').replace(/^-+/, '') || 'stack';
  if (cleaned.length <= STACK_TOKEN_MAX_LENGTH) return cleaned;
  return `${cleaned.slice(0, STACK_TOKEN_MAX_LENGTH - HASH_LENGTH - 1)}-${digest(stackName).slice(0, HASH_LENGTH)}`;
}

/** Construct IDs from the stack down, without the `Default` and `Resource` IDs CDK uses for main children. */
function pathBelowStack(construct: IConstruct, stack: Stack): string {
  const scopes = construct.node.scopes;
  return scopes.slice(scopes.indexOf(stack) + 1)
    .map((scope) => scope.node.id)
    .filter((id) => id !== 'Default' && id !== 'Resource')
    .map((id) => id.replace(/[^a-zA-Z0-9]/g, ''))
    .filter((id) => id.length > 0)
    .join('-');
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
