/**
 * The role Personalize assumes for a resource, and the conditions that keep the
 * Personalize service principal to this account and region (confused-deputy
 * protection), for trust policies and bucket policies alike.
 */
import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { describeValue } from './messages';

import { PERSONALIZE_PRINCIPAL } from '../personalize/private/declarations';

export { PERSONALIZE_PRINCIPAL };

/** `aws:SourceAccount` and `aws:SourceArn` of Personalize acting for this stack's account and region. */
export function personalizeSourceConditions(scope: Construct): Record<string, Record<string, unknown>> {
  const stack = Stack.of(scope);
  return {
    StringEquals: { 'aws:SourceAccount': stack.account },
    ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:personalize:${stack.region}:${stack.account}:*` },
  };
}

/** A role only Personalize acting for this account and region may assume, as `scope`'s child 'ServiceRole'. */
export function personalizeServiceRole(scope: Construct, description: string): iam.Role {
  const principal = new iam.ServicePrincipal(PERSONALIZE_PRINCIPAL).withConditions(personalizeSourceConditions(scope));
  return new iam.Role(scope, 'ServiceRole', { assumedBy: principal, description });
}

/** What a bucket policy statement for Personalize is for, and what a user must add where the app cannot. */
export interface PersonalizeBucketAccess {
  readonly actions: string[];
  /** The object ARN pattern the actions apply to (besides the bucket for ListBucket). */
  readonly objects: string;
  /** The warning's ID, for acknowledging it. */
  readonly warningId: string;
  /** Ends "It must let personalize.amazonaws.com …": the access needed and what fails without it. */
  readonly needed: string;
}

/**
 * Lets the Personalize service principal (for this account and region) into a bucket
 * the app owns, and returns what to depend on; warns, naming what is needed, for a
 * bucket the app imports, whose policy it cannot change.
 */
export function allowPersonalizeOnBucket(scope: Construct, bucket: s3.IBucket, access: PersonalizeBucketAccess): IConstruct | undefined {
  const { statementAdded, policyDependable } = bucket.addToResourcePolicy(new iam.PolicyStatement({
    principals: [new iam.ServicePrincipal(PERSONALIZE_PRINCIPAL)],
    actions: access.actions,
    resources: [bucket.bucketArn, access.objects],
    conditions: personalizeSourceConditions(scope),
  }));
  if (statementAdded) return (policyDependable as IConstruct | undefined) ?? bucket.policy;
  Annotations.of(scope).addWarningV2(access.warningId, `The policy of the imported bucket ${describeValue(bucket.bucketArn, bucket)} `
    + `cannot be changed by this app. It must let ${PERSONALIZE_PRINCIPAL} ${access.needed}.`);
  return undefined;
}
