import { createHash } from 'crypto';
import { CustomResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PersonalizeProvider } from './provider';

export interface HandlerAccessOptions {
  /** The resource's Personalize name; the grant is keyed on it (see below). */
  readonly physicalName: string;
  readonly actions: string[];
  readonly resourceArns: string[];
  /** Roles the handler passes to Personalize on this resource's behalf. */
  readonly passedRoles?: iam.IRole[];
}

/**
 * Grants the stack's handler exactly what one resource needs, on that resource's ARN.
 *
 * The grant is a policy of its own whose construct ID is keyed on the resource's
 * name. When a rename replaces the resource, CloudFormation creates the new policy
 * before the new resource and removes the old policy only after it has deleted the
 * old resource, so the handler can still delete what it replaced.
 */
export function grantHandlerAccess(
  scope: Construct, provider: PersonalizeProvider, resource: CustomResource, options: HandlerAccessOptions,
): iam.Policy {
  const nameKey = JSON.stringify(Stack.of(scope).resolve(options.physicalName));
  const suffix = createHash('sha256').update(nameKey).digest('hex').slice(0, 8).toUpperCase();
  const statements = [new iam.PolicyStatement({ actions: options.actions, resources: options.resourceArns })];
  const passedRoles = options.passedRoles ?? [];
  if (passedRoles.length > 0) {
    statements.push(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: passedRoles.map((role) => role.roleArn),
      conditions: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
    }));
  }
  const policy = new iam.Policy(scope, `HandlerAccess${suffix}`, { statements, roles: [provider.handlerRole] });
  resource.node.addDependency(policy);
  return policy;
}
