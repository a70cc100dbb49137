import { DescribeSchemaCommandOutput } from '@aws-sdk/client-personalize';
import { ACCOUNT } from './dataset-group-fixtures';
import { requestsFor, resourceProperties } from './events';
import { ResourceTypes } from '../../src/private/contract';

export const SCHEMA_NAME = 'TestStack-Schema-0a1b2c3d';
export const SCHEMA_ARN = schemaArn(SCHEMA_NAME);
export const DEFINITION = JSON.stringify({
  type: 'record',
  name: 'Interactions',
  namespace: 'com.amazonaws.personalize.schema',
  fields: [{ name: 'USER_ID', type: 'string' }, { name: 'ITEM_ID', type: 'string' }, { name: 'TIMESTAMP', type: 'long' }],
  version: '1.0',
});
export const EXTENDED_DEFINITION = JSON.stringify({
  ...JSON.parse(DEFINITION),
  fields: [...JSON.parse(DEFINITION).fields, { name: 'EVENT_TYPE', type: 'string' }],
});

export function schemaArn(name: string): string {
  return `arn:aws:personalize:us-east-1:${ACCOUNT}:schema/${name}`;
}

export function schemaProperties(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return resourceProperties({ Name: SCHEMA_NAME, Definition: DEFINITION }, overrides);
}

const schemaRequests = requestsFor(ResourceTypes.SCHEMA, schemaProperties, SCHEMA_ARN);
export const createSchemaEvent = schemaRequests.create;
export const updateSchemaEvent = schemaRequests.update;
export const deleteSchemaEvent = schemaRequests.delete;

export interface ExistingSchema {
  readonly definition?: string;
  readonly domain?: string;
  readonly name?: string;
  /** Epoch ms of creationDateTime. */
  readonly createdAt: number;
}

/** DescribeSchema's answer for a schema that exists. */
export function describedSchema(schema: ExistingSchema): DescribeSchemaCommandOutput {
  const name = schema.name ?? SCHEMA_NAME;
  return {
    $metadata: {},
    schema: {
      name,
      schemaArn: schemaArn(name),
      schema: schema.definition ?? DEFINITION,
      domain: schema.domain as any,
      creationDateTime: new Date(schema.createdAt),
    },
  };
}
