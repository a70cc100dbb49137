import { DescribeDatasetGroupCommandOutput } from '@aws-sdk/client-personalize';
import { lifecycleEvent } from './events';
import { LifecycleEvent } from '../../lambda/engine';
import { ResourceTypes } from '../../src/private/contract';

export const ACCOUNT = '123456789012';
export const GROUP_NAME = 'TestStack-Group-0a1b2c3d';
export const GROUP_ARN = groupArn(GROUP_NAME);
export const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/PersonalizeKeyAccess`;

export function groupArn(name: string): string {
  return `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset-group/${name}`;
}

/** Custom resource properties as CloudFormation delivers them: every value a string. */
export function groupProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ServiceToken: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:provider`,
    ContractVersion: '1',
    Name: GROUP_NAME,
    Tags: [{ Key: 'team', Value: 'recsys' }],
    ...overrides,
  };
}

export function createGroupEvent(overrides: Record<string, unknown> = {}): LifecycleEvent {
  return lifecycleEvent({ RequestType: 'Create', ResourceType: ResourceTypes.DATASET_GROUP, ResourceProperties: groupProperties(overrides) });
}

export function updateGroupEvent(oldOverrides: Record<string, unknown>, newOverrides: Record<string, unknown>): LifecycleEvent {
  return lifecycleEvent({
    RequestType: 'Update',
    ResourceType: ResourceTypes.DATASET_GROUP,
    PhysicalResourceId: GROUP_ARN,
    OldResourceProperties: groupProperties(oldOverrides),
    ResourceProperties: groupProperties(newOverrides),
  });
}

export function deleteGroupEvent(physicalResourceId: string = GROUP_ARN, overrides: Record<string, unknown> = {}): LifecycleEvent {
  return lifecycleEvent({
    RequestType: 'Delete',
    ResourceType: ResourceTypes.DATASET_GROUP,
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: groupProperties(overrides),
  });
}


export function describedGroup(status: string, failureReason?: string, name = GROUP_NAME): DescribeDatasetGroupCommandOutput {
  return {
    $metadata: {},
    datasetGroup: { name, datasetGroupArn: groupArn(name), status, failureReason },
  };
}

export { SHORT_WAIT_POLICY } from './wait-policy';
