/**
 * Synth-time checks for what the Personalize API would reject minutes into a deploy.
 * Values that are unresolved tokens are skipped; the API checks them at deploy time.
 */
import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ApiLimits, MAX_USER_TAGS, OWNER_TAG_KEY } from './contract';
import type { KindDeclaration } from './declaration';
import { describeValue, literalParts } from './messages';

export function validateName(property: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  if (name.length < 1 || name.length > ApiLimits.NAME_MAX_LENGTH || !ApiLimits.NAME_PATTERN.test(name)) {
    throw new Error(`Invalid ${property}: '${name}' (${name.length} characters). A name must be 1-${ApiLimits.NAME_MAX_LENGTH} `
      + 'characters, start with a letter or digit, and contain only letters, digits, hyphens (-) and underscores (_).');
  }
}

export function validateRoleArn(property: string, arn: string): void {
  validateArn(property, arn, ApiLimits.ROLE_ARN_PATTERN, ApiLimits.ROLE_ARN_MAX_LENGTH,
    'an IAM role ARN of the form arn:PARTITION:iam::ACCOUNT:role/NAME');
}

export function validateKmsKeyArn(property: string, arn: string, key?: IConstruct): void {
  // An alias's ARN holds the partition (and often account and region) as tokens, but its resource part is literal.
  if (Token.isUnresolved(arn) && /:alias\//.test(literalParts(arn, key))) {
    throw new Error(`Invalid ${property}: ${describeValue(arn, key)} is a KMS alias. Expected a KMS key (kms.Key or `
      + 'kms.Key.fromKeyArn), whose ARN is arn:aws...:kms:REGION:ACCOUNT:key/ID; Personalize does not accept an alias.');
  }
  validateArn(property, arn, ApiLimits.KMS_KEY_ARN_PATTERN, ApiLimits.KMS_KEY_ARN_MAX_LENGTH,
    'a KMS key ARN of the form arn:aws...:kms:REGION:ACCOUNT:key/ID (an alias ARN is not accepted)');
}

export function validatePersonalizeArn(property: string, arn: string): void {
  validateArn(property, arn, ApiLimits.PERSONALIZE_ARN_PATTERN, ApiLimits.PERSONALIZE_ARN_MAX_LENGTH,
    'an Amazon Personalize ARN of the form arn:PARTITION:personalize:REGION:ACCOUNT:RESOURCE');
}

/**
 * A Personalize ARN of one kind, `…:RESOURCE/NAME` as its declaration gives it: throws naming
 * the property when it is another kind's.
 */
export function validatePersonalizeArnOf(property: string, arn: string, kind: KindDeclaration): void {
  validatePersonalizeArn(property, arn);
  if (Token.isUnresolved(arn)) return;
  const { resource } = kind.arn!;
  const noun = kind.noun;
  const actual = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME).resource;
  if (actual !== resource) {
    throw new Error(`Invalid ${property}: '${arn}' is a Personalize '${actual}' ARN, not a ${noun} ARN (…:${resource}/NAME).`);
  }
}

function validateArn(property: string, arn: string, pattern: RegExp, maxLength: number, expected: string): void {
  if (Token.isUnresolved(arn)) return;
  if (arn.length > maxLength || !pattern.test(arn)) {
    throw new Error(`Invalid ${property}: '${arn}'. Expected ${expected}, at most ${maxLength} characters.`);
  }
}

/** How many tags a service allows, and which keys the library reserves there. */
export interface TagLimits {
  readonly service: string;
  readonly maxTags: number;
  readonly reserved: readonly string[];
}

const PERSONALIZE_TAG_LIMITS: TagLimits = { service: 'Personalize', maxTags: MAX_USER_TAGS + 1, reserved: [OWNER_TAG_KEY] };

/** Returns the problems with a resource's tags, one message each (empty when valid). */
export function tagProblems(
  tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>, limits: TagLimits = PERSONALIZE_TAG_LIMITS,
): string[] {
  const problems: string[] = [];
  const allowed = limits.maxTags - limits.reserved.length;
  if (tags.length > allowed) {
    const reserved = limits.reserved.length === 1 ? `one ('${limits.reserved[0]}')` : `${limits.reserved.length} (${limits.reserved.map((k) => `'${k}'`).join(', ')})`;
    problems.push(`Too many tags: ${tags.length}. ${limits.service} allows ${limits.maxTags} tags per resource and this library reserves `
      + `${reserved}, so at most ${allowed} may be set.`);
  }
  for (const { Key: key, Value: value } of tags) {
    if (Token.isUnresolved(key) || Token.isUnresolved(value)) continue;
    if (key.length < 1 || key.length > ApiLimits.TAG_KEY_MAX_LENGTH) {
      problems.push(`Invalid tag key '${key}': must be 1-${ApiLimits.TAG_KEY_MAX_LENGTH} characters (got ${key.length}).`);
    }
    if (!ApiLimits.TAG_PATTERN.test(key)) {
      problems.push(`Invalid tag key '${key}': only letters, digits, spaces and _ . : / = + - @ are allowed.`);
    }
    if (key.toLowerCase().startsWith('aws:')) {
      problems.push(`Invalid tag key '${key}': keys starting with 'aws:' are reserved by AWS.`);
    }
    if (limits.reserved.includes(key)) {
      problems.push(`Invalid tag key '${key}': this key is reserved by cdk-personalize to mark the resources it creates.`);
    }
    if (value.length > ApiLimits.TAG_VALUE_MAX_LENGTH) {
      problems.push(`Invalid value for tag '${key}': must be at most ${ApiLimits.TAG_VALUE_MAX_LENGTH} characters (got ${value.length}).`);
    }
    if (!ApiLimits.TAG_PATTERN.test(value)) {
      problems.push(`Invalid value '${value}' for tag '${key}': only letters, digits, spaces and _ . : / = + - @ are allowed.`);
    }
  }
  return problems;
}

/** Explicit names claimed so far, per app: `KIND ACCOUNT REGION NAME` to the path of the construct that uses it. */
const namesByApp = new WeakMap<IConstruct, Map<string, string>>();

/**
 * Fails when another construct in the app already uses the same explicit name for the same
 * kind of resource in the same account and region: Personalize names are unique there, so
 * the second create would fail minutes into the deploy. Stacks whose account or region is a
 * token (environment-agnostic) are compared only with themselves.
 */
export function claimName(construct: IConstruct, kind: string, property: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const stack = Stack.of(construct);
  const agnostic = Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region);
  const environment = agnostic ? `stack ${stack.node.path}` : `${stack.account} ${stack.region}`;
  const key = `${kind}\0${environment}\0${name}`;
  const claimed = namesByApp.get(construct.node.root) ?? new Map<string, string>();
  namesByApp.set(construct.node.root, claimed);
  const existing = claimed.get(key);
  if (existing !== undefined && existing !== construct.node.path) {
    const where = agnostic ? `stack '${stack.node.path}'` : `account ${stack.account}, region ${stack.region}`;
    throw new Error(`Invalid ${property}: '${name}' is already the ${property} of '${existing}' in ${where}. `
      + `${kind} names are unique per account and region, so the second create would fail; give each a different `
      + `${property}, or leave it unset to generate one.`);
  }
  claimed.set(key, construct.node.path);
}
