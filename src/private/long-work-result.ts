import { CfnWaitCondition, CustomResource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { LongWorkResultProperties } from './contract';
import { declaredResource } from './declared-resource';
import { LONG_WORK_RESULT } from '../personalize/private/declarations';

/**
 * A reading of how long work ended, after its wait condition (ADR 0014): what uses the
 * work's ARN reads it from here, so it waits for the wait condition and for proof that the
 * work really ended well (a wait condition believes any SUCCESS signal sent to its handle).
 */
export function longWorkResult(scope: Construct, id: string, workResourceType: string, workArn: string, condition: CfnWaitCondition): CustomResource {
  // The work's Describe is granted to every construct (ownedResourcesGrants); the result waits for the grants like every resource.
  return declaredResource<LongWorkResultProperties>(scope, LONG_WORK_RESULT, {
    id,
    properties: { WorkResourceType: workResourceType, WorkArn: workArn, WaitData: Token.asString(condition.attrData) },
    resources: {},
  });
}
