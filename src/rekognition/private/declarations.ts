/**
 * The Rekognition Custom Labels dataset kind's facts, once (see src/private/declaration.ts).
 * Scopes the construct names: `project` (CreateDataset authorizes the project); and what
 * Custom Labels reads with the caller's permissions while CreateDataset runs: `manifest`,
 * `manifestVersion` (a versioned manifest), `images`, and `sourceDataset` (a dataset copied).
 */
import { ResourceTypes } from '../../private/contract';
import { call, KindDeclaration, taggingCalls } from '../../private/declaration';

/** The name rule of a Custom Labels project, which a dataset's ARN begins with. */
export const PROJECT_NAME = '[a-zA-Z0-9_.\\-]{1,255}';

export const REKOGNITION_DATASET: KindDeclaration = {
  resourceType: ResourceTypes.REKOGNITION_DATASET,
  noun: 'Custom Labels dataset',
  service: 'rekognition',
  nameProperty: 'project',
  // `project/PROJECT/dataset/TYPE/CREATED`: the ARN ends in the dataset's creation time.
  arn: { resource: 'project', namePattern: `${PROJECT_NAME}/dataset/(train|test)/[0-9]+`, idPickedByService: true },
  ownerTagGatesIam: true,
  calls: [
    {
      operation: 'rekognition:CreateDataset',
      permissions: [
        { action: 'rekognition:CreateDataset', on: ['project'] },
        { action: 's3:GetObject', on: ['manifest'] },
        { action: 's3:GetObjectVersion', on: ['manifestVersion'] },
        { action: 's3:GetObject', on: ['images'] },
        { action: 'rekognition:ListDatasetEntries', on: ['sourceDataset'] },
        { action: 'rekognition:DescribeDataset', on: ['sourceDataset'] },
      ],
    },
    // Reads and deletes also of what the template no longer names (ownedResourcesGrants).
    call('rekognition:DescribeDataset', 'self', 'owned'),
    call('rekognition:DeleteDataset', 'self', 'owned'),
    ...taggingCalls('rekognition', 'self'),
    // Finds a dataset by project and type; takes no resource-level permission.
    call('rekognition:DescribeProjects', 'anything'),
  ],
};
