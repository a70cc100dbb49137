import { DescribeDatasetGroupCommandOutput } from '@aws-sdk/client-personalize';
import { requestsFor, resourceProperties } from './events';
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
  return resourceProperties({ Name: GROUP_NAME, Tags: [{ Key: 'team', Value: 'recsys' }] }, overrides);
}

const groupRequests = requestsFor(ResourceTypes.DATASET_GROUP, groupProperties, GROUP_ARN);
export const createGroupEvent = groupRequests.create;
export const updateGroupEvent = groupRequests.update;
export const deleteGroupEvent = groupRequests.delete;

export function describedGroup(status: string, failureReason?: string, name = GROUP_NAME): DescribeDatasetGroupCommandOutput {
  return {
    $metadata: {},
    datasetGroup: { name, datasetGroupArn: groupArn(name), status, failureReason },
  };
}

/** Kept here for the tests that import it with the group fixtures. */
export { isCompleteEvent } from './events';
export { SHORT_WAIT_POLICY } from './wait-policy';
