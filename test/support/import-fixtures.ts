import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Dataset, DatasetGroup, DatasetGroupProps, DatasetType, Schema, SchemaDefinition, SchemaField } from '../../src';

/** The CSV files of the import tests. */
export const IMPORT_FIXTURES = path.join(__dirname, '..', 'fixtures', 'import');

/** An Interactions schema that `interactions.csv` matches: an event type and a nullable event value besides the required fields. */
export function interactionsWithEventFields(): SchemaField[] {
  return [
    SchemaField.stringField('USER_ID'),
    SchemaField.stringField('ITEM_ID'),
    SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE'),
    SchemaField.floatField('EVENT_VALUE').nullable(),
  ];
}

/**
 * Group 'retail' (unless `groupProps` names it) and its Interactions dataset, which `interactions.csv` matches.
 * Paths: Group, InteractionsSchema, Group/Interactions.
 */
export function addInteractionsDataset(stack: Stack, groupProps: DatasetGroupProps = {}): Dataset {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail', ...groupProps });
  return group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', {
      definition: SchemaDefinition.fromFields(interactionsWithEventFields(), { recordName: 'Interactions' }),
    }),
  });
}
