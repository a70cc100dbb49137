/**
 * Values in error and warning messages. A token such as `${Token[TOKEN.17]}` means
 * nothing to a user, so a value that is not known at synth time is shown by its
 * literal parts (`arn:<partition>:kms:us-east-1:…`) and by the construct it belongs to.
 */
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const TOKEN_PATTERN = /\$\{Token\[([^\]]*)\]\}/g;

/** What a token stands for, when it is one of the pseudo parameters that ARNs are built from. */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS.Partition': '<partition>',
  'AWS.Region': '<region>',
  'AWS.AccountId': '<account>',
  'AWS.URLSuffix': '<url-suffix>',
  'AWS.StackName': '<stack-name>',
};

/** A string value for a message: quoted when known, else its literal parts and its construct's path. */
export function describeValue(value: string, construct?: IConstruct): string {
  if (!Token.isUnresolved(value)) return `'${value}'`;
  const withPlaceholders = literalParts(value, construct);
  const owner = construct ? `'${construct.node.path}'` : undefined;
  // Only placeholders left (or a token that is not a string token at all): the construct path says more.
  if (Token.isUnresolved(withPlaceholders) || /^(<[^>]*>)+$/.test(withPlaceholders)) {
    return owner ? `${owner} (known only at deploy time)` : 'a value known only at deploy time';
  }
  return owner ? `'${withPlaceholders}' of ${owner}` : `'${withPlaceholders}'`;
}

/**
 * A token string with its literal parts kept and every token replaced by a placeholder
 * such as `<partition>`. Resolving it first (when a construct gives the stack) also turns
 * tokens that stand for literal text, such as an alias's name, back into that text.
 */
export function literalParts(value: string, construct?: IConstruct): string {
  if (construct) {
    const resolved = Stack.of(construct).resolve(value);
    if (typeof resolved === 'string' && !Token.isUnresolved(resolved)) return resolved;
    if (isJoin(resolved)) return resolved['Fn::Join'][1].map(renderPart).join(resolved['Fn::Join'][0]);
  }
  return value.replace(TOKEN_PATTERN, (_match, name: string) => {
    const pseudo = Object.keys(PSEUDO_PARAMETERS).find((prefix) => name.startsWith(`${prefix}.`));
    return pseudo ? PSEUDO_PARAMETERS[pseudo] : '<deploy-time value>';
  });
}

function isJoin(value: unknown): value is { 'Fn::Join': [string, unknown[]] } {
  return typeof value === 'object' && value !== null && Array.isArray((value as any)['Fn::Join']);
}

function renderPart(part: unknown): string {
  if (typeof part === 'string') return part;
  const ref = (part as { Ref?: unknown }).Ref;
  if (typeof ref === 'string' && ref.startsWith('AWS::')) return PSEUDO_PARAMETERS[ref.replace('::', '.')] ?? '<deploy-time value>';
  return '<deploy-time value>';
}

/** "a" or "an" before a word, by its first letter. */
export function article(word: string): string {
  return /^[AEIOUaeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/**
 * A JSON value (a policy statement to add, say) for a message: tokens resolved, pseudo
 * parameters shown as `<partition>`, `<region>` and `<account>`, and any other value known
 * only at deploy time as `<deploy-time value>`.
 */
export function jsonForMessage(value: unknown, construct: IConstruct): string {
  return JSON.stringify(plainJson(Stack.of(construct).resolve(value)));
}

function plainJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainJson);
  if (value === null || typeof value !== 'object') return value;
  if (isJoin(value)) return value['Fn::Join'][1].map(renderPart).join(value['Fn::Join'][0]);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) return renderPart(value);
  return Object.fromEntries(entries.map(([key, item]) => [key, plainJson(item)]));
}
