import { DescribeDatasetCommandOutput } from '@aws-sdk/client-personalize';
import { ACCOUNT } from './dataset-group-fixtures';
import { requestsFor, resourceProperties } from './events';
import { schemaArn } from './schema-fixtures';
import { ResourceTypes } from '../../src/private/contract';

export const DATASET_GROUP_ARN = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset-group/retail`;
export const DATASET_NAME = 'TestStack-Items-0a1b2c3d';
export const ITEMS_ARN = `arn:aws:personalize:us-east-1:${ACCOUNT}:dataset/retail/ITEMS`;
export const SCHEMA_V1 = schemaArn('items-v1');
export const SCHEMA_V2 = schemaArn('items-v2');

export const ITEMS_FIELDS = [{ name: 'ITEM_ID', type: 'string' }, { name: 'GENRES', type: ['null', 'string'], categorical: true }];

/** An Items schema with these fields, as Avro JSON text. */
export function avro(fields: unknown[]): string {
  return JSON.stringify({ type: 'record', name: 'Items', namespace: 'com.amazonaws.personalize.schema', fields });
}

/** Custom resource properties of an Items dataset as CloudFormation delivers them. */
export function datasetProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return resourceProperties({
    Name: DATASET_NAME, DatasetGroupArn: DATASET_GROUP_ARN, DatasetType: 'Items', SchemaArn: SCHEMA_V1, Tags: [{ Key: 'team', Value: 'recsys' }],
  }, overrides);
}

const datasetRequests = requestsFor(ResourceTypes.DATASET, datasetProperties, ITEMS_ARN);
export const createDatasetEvent = datasetRequests.create;
export const updateDatasetEvent = datasetRequests.update;
export const deleteDatasetEvent = datasetRequests.delete;

export interface DescribedDatasetOptions {
  readonly arn?: string;
  readonly name?: string;
  readonly datasetType?: string;
  readonly schemaArn?: string;
  readonly trackingId?: string;
  readonly update?: { schemaArn: string; status: string; failureReason?: string };
}

/** DescribeDataset's answer for the Items dataset (or as the options say). */
export function describedDataset(status: string, options: DescribedDatasetOptions = {}): DescribeDatasetCommandOutput {
  return {
    $metadata: {},
    dataset: {
      name: options.name ?? DATASET_NAME,
      datasetArn: options.arn ?? ITEMS_ARN,
      datasetGroupArn: DATASET_GROUP_ARN,
      datasetType: options.datasetType ?? 'Items',
      schemaArn: options.schemaArn ?? SCHEMA_V1,
      status,
      trackingId: options.trackingId,
      latestDatasetUpdate: options.update,
    },
  };
}
