import { CfnWaitCondition, CustomResource, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CONTRACT_VERSION, LongWorkResultProperties, ResourceTypes } from './contract';
import { grantHandler } from './handler-access';
import { PersonalizeProvider } from './provider';

/**
 * A reading of how long work ended, after its wait condition (ADR 0014): what uses the
 * work's ARN reads it from here, so it waits for the wait condition and for proof that the
 * work really ended well (a wait condition believes any SUCCESS signal sent to its handle).
 */
export function longWorkResult(scope: Construct, id: string, workResourceType: string, workArn: string, condition: CfnWaitCondition): CustomResource {
  const provider = PersonalizeProvider.getOrCreate(scope);
  const properties: LongWorkResultProperties = {
    ContractVersion: CONTRACT_VERSION,
    WorkResourceType: workResourceType,
    WorkArn: workArn,
    WaitData: Token.asString(condition.attrData),
  };
  const result = new CustomResource(scope, id, {
    serviceToken: provider.serviceToken,
    resourceType: ResourceTypes.LONG_WORK_RESULT,
    properties,
  });
  // The work's own grants already let the handler describe it; the result waits for them like every resource.
  grantHandler(provider, result, []);
  return result;
}
