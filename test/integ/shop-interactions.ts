/**
 * The Interactions dataset the integ stacks share: event type and value beside the
 * required fields, as `interactions.csv` holds them.
 */
import { Stack } from 'aws-cdk-lib';
import { Dataset, DatasetGroup, DatasetType, Schema, SchemaDefinition, SchemaField } from '../../src';

export function addShopInteractions(stack: Stack, group: DatasetGroup): Dataset {
  return group.addDataset('Interactions', {
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
}
