/**
 * The datasets the integ stacks share: Interactions with event type and value beside
 * the required fields (as `interactions.csv` holds them), and Items with a genre and
 * one field of the stack's own.
 */
import { Stack } from 'aws-cdk-lib';
import { Dataset, DatasetGroup, DatasetType, Schema, SchemaDefinition, SchemaField } from '../../src';

/** Adds both datasets to `group` and returns the Interactions dataset. */
export function addShopDatasets(stack: Stack, group: DatasetGroup, itemField: SchemaField): Dataset {
  const interactions = group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', {
      definition: SchemaDefinition.fromFields([
        SchemaField.stringField('USER_ID'),
        SchemaField.stringField('ITEM_ID'),
        SchemaField.longField('TIMESTAMP'),
        SchemaField.stringField('EVENT_TYPE'),
        SchemaField.floatField('EVENT_VALUE').nullable(),
      ], { recordName: 'Interactions' }),
    }),
  });
  group.addDataset('Items', {
    datasetType: DatasetType.ITEMS,
    schema: new Schema(stack, 'ItemsSchema', {
      definition: SchemaDefinition.fromFields([
        SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRE').categorical(), itemField,
      ], { recordName: 'Items' }),
    }),
  });
  return interactions;
}
