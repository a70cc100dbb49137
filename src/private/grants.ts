import * as iam from 'aws-cdk-lib/aws-iam';

/** Grants `actions` on the one resource `resourceArn` names: a kind's `grant`, which its `grantRead` narrows to its read actions. */
export function grantOnArn(grantee: iam.IGrantable, resourceArn: string, actions: string[]): iam.Grant {
  return iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [resourceArn] });
}
