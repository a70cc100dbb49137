/**
 * What AWS requires of a customer managed KMS key that protects data Personalize or a
 * role of the app reads or writes: a dataset group's key, an import source or a metric
 * attribution's output in an SSE-KMS bucket, a Custom Labels manifest and its images.
 *
 * KMS decides on the key policy first: a principal may use a key only when the key
 * policy allows it, directly or by letting the account's IAM policies decide (the
 * statement for `arn:aws:iam::ACCOUNT:root` that CDK and AWS give every key by default).
 * A service principal has no IAM policies, so Personalize's own principal needs a
 * statement in the key policy itself. ADR 0016.
 */
import { Annotations, Resource, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { IConstruct } from 'constructs';
import { describeValue, jsonForMessage } from './messages';
import { PERSONALIZE_PRINCIPAL, personalizeSourceConditions } from './service-role';

/** The id of the warning for a key the app cannot change: one id for every use, acknowledged per construct. */
export const IMPORTED_KEY_POLICY_WARNING = 'cdk-personalize:importedKeyPolicy';

/**
 * What Personalize needs on a customer managed key, through its service role and through
 * its own principal, for a dataset group, a dataset import job (from an SSE-KMS bucket) and
 * a metric attribution (Personalize developer guide, "Giving Amazon Personalize permission
 * to use your AWS KMS key": Decrypt, GenerateDataKey, DescribeKey, ListGrants).
 */
export const PERSONALIZE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'];

/** The same page: CreateGrant too, "only required in key policy". */
export const PERSONALIZE_KEY_POLICY_ACTIONS = [...PERSONALIZE_KEY_ACTIONS, 'kms:CreateGrant'];

/**
 * What the principal that calls Rekognition Custom Labels needs on the key of an SSE-KMS
 * manifest or image bucket (Custom Labels developer guide, "Step 5: (Optional) Encrypt
 * training files", Decrypting files encrypted with AWS KMS: kms:GenerateDataKey and kms:Decrypt).
 */
export const REKOGNITION_READER_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * The key policy statement that lets Personalize's principal use the key, for this
 * account and region only: the confused-deputy conditions AWS recommends for resource
 * policies that name Personalize ("Cross-service confused deputy prevention"), as the
 * library's trust and bucket policies carry them.
 */
function personalizeKeyStatement(scope: IConstruct): iam.PolicyStatement {
  return new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(PERSONALIZE_PRINCIPAL)],
    actions: PERSONALIZE_KEY_POLICY_ACTIONS,
    resources: ['*'],
    conditions: personalizeSourceConditions(scope),
  });
}

/**
 * Lets Personalize use `key` for `scope`: the role (when given) is granted
 * PERSONALIZE_KEY_ACTIONS in IAM, and the key policy gets the statement for Personalize's
 * principal. A key the app does not own cannot get it: a warning names the statement to
 * add and `fails`, what fails without it.
 */
export function grantPersonalizeKeyUse(scope: IConstruct, key: kms.IKey, role: iam.IRole | undefined, fails: string): void {
  if (role) key.grant(role, ...PERSONALIZE_KEY_ACTIONS);
  // Identical statements (one key used by several constructs of a stack) render once.
  if (key.addToResourcePolicy(personalizeKeyStatement(scope)).statementAdded) return;
  const statement = {
    Effect: 'Allow',
    Principal: { Service: PERSONALIZE_PRINCIPAL },
    Action: PERSONALIZE_KEY_POLICY_ACTIONS,
    Resource: '*',
    Condition: personalizeSourceConditions(scope),
  };
  const roleNote = role
    ? ` It must also let this account's IAM policies allow use of the key (the default key policy does), for the role ${describeValue(role.roleArn, role)}.`
    : '';
  warnImportedKey(scope, key, `It must let ${PERSONALIZE_PRINCIPAL} use the key for this account and region, or ${fails}. Add this statement: `
    + `${jsonForMessage(statement, scope)}.${roleNote}`);
}

/**
 * Lets `role` read data encrypted with `key` through S3 (it is granted `actions` in IAM).
 * A key the app owns has the default key policy, which lets IAM decide; the policy of a key
 * the app does not own is unknown, so a warning names the statement that lets the role in,
 * for a key policy that does not leave it to IAM.
 */
export function grantRoleKeyUse(scope: IConstruct, key: kms.IKey, role: iam.IRole, actions: string[], fails: string): void {
  key.grant(role, ...actions);
  if (Resource.isOwnedResource(key)) return;
  const principal = Token.isUnresolved(role.roleArn) ? `<ARN of role '${role.node.path}'>` : role.roleArn;
  const statement = { Effect: 'Allow', Principal: { AWS: principal }, Action: actions, Resource: '*' };
  warnImportedKey(scope, key, `It must let the role ${describeValue(role.roleArn, role)} use the key, by letting this account's IAM `
    + `policies allow it (as the default key policy does) or with this statement, or ${fails}: ${jsonForMessage(statement, scope)}.`);
}

function warnImportedKey(scope: IConstruct, key: kms.IKey, needed: string): void {
  const placeholders = /<(partition|region|account)>/.test(needed) ? ' Replace each <…> with the stack\'s value.' : '';
  Annotations.of(scope).addWarningV2(IMPORTED_KEY_POLICY_WARNING,
    `The policy of the imported key ${describeValue(key.keyArn, key)} cannot be changed by this app. ${needed}${placeholders}`);
}

