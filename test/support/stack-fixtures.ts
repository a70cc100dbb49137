/** The stack and dataset group the construct tests build on. */
import { App, Stack } from 'aws-cdk-lib';
import { DatasetGroup, DatasetType, Schema, SchemaDefinition, SchemaField } from '../../src';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

/** Stack 'TestStack' in ACCOUNT and REGION. */
export function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

/**
 * Group 'retail' (construct 'Group') with a dataset of each type given, in that order: construct ID the type,
 * schema 'TYPESchema' (its record name too) of the given fields.
 */
export function retailGroup(stack: Stack, fieldsByType: Partial<Record<DatasetType, SchemaField[]>>): DatasetGroup {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
  for (const [type, fields] of Object.entries(fieldsByType) as Array<[DatasetType, SchemaField[]]>) {
    const schema = new Schema(stack, `${type}Schema`, { definition: SchemaDefinition.fromFields(fields, { recordName: `${type}Schema` }) });
    group.addDataset(type, { datasetType: type, schema });
  }
  return group;
}
