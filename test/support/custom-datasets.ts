/** The custom group's datasets that the every-construct stacks (test/support/every-construct.ts, test/security.test.ts) share. */
import { Stack } from 'aws-cdk-lib';
import { Dataset, DatasetGroup, DatasetType, Schema, SchemaDefinition, SchemaField } from '../../src';

export const INTERACTION_FIELDS = [
  SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'), SchemaField.stringField('EVENT_TYPE'),
];

/**
 * Adds an Interactions dataset (schema 'InteractionsSchema') and an Actions dataset (schema 'ActionsSchema'; both named
 * 'actions') to `group`, and returns the Interactions dataset.
 */
export function addInteractionsAndActions(stack: Stack, group: DatasetGroup): Dataset {
  const interactions = new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTION_FIELDS) });
  const groupInteractions = group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: interactions });
  const actions = new Schema(stack, 'ActionsSchema', {
    schemaName: 'actions',
    definition: SchemaDefinition.fromFields([SchemaField.stringField('ACTION_ID'), SchemaField.longField('VALUE').nullable()], { recordName: 'Actions' }),
  });
  group.addDataset('Actions', { datasetType: DatasetType.ACTIONS, schema: actions, datasetName: 'actions' });
  return groupInteractions;
}
