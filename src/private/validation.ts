/**
 * Synth-time checks for what the Personalize API would reject minutes into a deploy.
 * Values that are unresolved tokens are skipped; the API checks them at deploy time.
 */
import { Token } from 'aws-cdk-lib';
import { ApiLimits, MAX_USER_TAGS, OWNER_TAG_KEY } from './contract';

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

export function validateKmsKeyArn(property: string, arn: string): void {
  validateArn(property, arn, ApiLimits.KMS_KEY_ARN_PATTERN, ApiLimits.KMS_KEY_ARN_MAX_LENGTH,
    'a KMS key ARN of the form arn:aws...:kms:REGION:ACCOUNT:key/ID (an alias ARN is not accepted)');
}

export function validatePersonalizeArn(property: string, arn: string): void {
  validateArn(property, arn, ApiLimits.PERSONALIZE_ARN_PATTERN, ApiLimits.PERSONALIZE_ARN_MAX_LENGTH,
    'an Amazon Personalize ARN of the form arn:PARTITION:personalize:REGION:ACCOUNT:RESOURCE');
}

function validateArn(property: string, arn: string, pattern: RegExp, maxLength: number, expected: string): void {
  if (Token.isUnresolved(arn)) return;
  if (arn.length > maxLength || !pattern.test(arn)) {
    throw new Error(`Invalid ${property}: '${arn}'. Expected ${expected}, at most ${maxLength} characters.`);
  }
}

/** Returns the problems with a resource's tags, one message each (empty when valid). */
export function tagProblems(tags: ReadonlyArray<{ readonly Key: string; readonly Value: string }>): string[] {
  const problems: string[] = [];
  if (tags.length > MAX_USER_TAGS) {
    problems.push(`Too many tags: ${tags.length}. Personalize allows 50 tags per resource and this library reserves one `
      + `('${OWNER_TAG_KEY}'), so at most ${MAX_USER_TAGS} may be set.`);
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
    if (key === OWNER_TAG_KEY) {
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
