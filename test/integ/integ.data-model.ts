/**
 * Integ test: complete data models. A custom dataset group holds all five dataset
 * types, each with its own schema; an ECOMMERCE group holds Interactions, Items and
 * Users datasets with ECOMMERCE schemas. integ-runner checks the synthesized
 * template against the committed snapshot.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack, Tags } from 'aws-cdk-lib';
import { DatasetGroup, DatasetType, Domain, Schema, SchemaDefinition, SchemaField } from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-data-model', { env: { account: '123456789012', region: 'us-east-1' } });

const userId = SchemaField.stringField('USER_ID');
const itemId = SchemaField.stringField('ITEM_ID');
const actionId = SchemaField.stringField('ACTION_ID');
const timestamp = SchemaField.longField('TIMESTAMP');
const eventType = SchemaField.stringField('EVENT_TYPE');

// A custom group: every dataset type, including the two that CloudFormation cannot create.
const custom = new DatasetGroup(stack, 'Custom');
const customSchemas: Record<DatasetType, SchemaField[]> = {
  [DatasetType.INTERACTIONS]: [userId, itemId, timestamp, eventType, SchemaField.floatField('EVENT_VALUE').nullable()],
  [DatasetType.ITEMS]: [
    itemId,
    SchemaField.stringField('GENRES').categorical().nullable(),
    SchemaField.stringField('DESCRIPTION').textual().nullable(),
    SchemaField.longField('CREATION_TIMESTAMP'),
  ],
  [DatasetType.USERS]: [userId, SchemaField.intField('AGE').nullable(), SchemaField.stringField('MEMBERSHIP').categorical()],
  [DatasetType.ACTIONS]: [actionId, SchemaField.longField('VALUE').nullable(), SchemaField.longField('REPEAT_FREQUENCY').nullable()],
  [DatasetType.ACTION_INTERACTIONS]: [userId, actionId, timestamp, eventType],
};
for (const [type, fields] of Object.entries(customSchemas) as Array<[DatasetType, SchemaField[]]>) {
  const recordName = type.replace('_', '');
  const schema = new Schema(stack, `Custom${recordName}Schema`, { definition: SchemaDefinition.fromFields(fields, { recordName }) });
  custom.addDataset(recordName, { datasetType: type, schema });
}

// An ECOMMERCE group with domain schemas; Interactions from JSON text, the others from fields.
const retail = new DatasetGroup(stack, 'Retail', { datasetGroupName: 'integ-data-model-retail', domain: Domain.ECOMMERCE });
const retailInteractions = new Schema(stack, 'RetailInteractionsSchema', {
  schemaName: 'integ-data-model-retail-interactions',
  domain: Domain.ECOMMERCE,
  definition: SchemaDefinition.fromJson(JSON.stringify({
    type: 'record',
    name: 'Interactions',
    namespace: 'com.amazonaws.personalize.schema',
    fields: [
      { name: 'USER_ID', type: 'string' },
      { name: 'ITEM_ID', type: 'string' },
      { name: 'TIMESTAMP', type: 'long' },
      { name: 'EVENT_TYPE', type: 'string' },
      { name: 'EVENT_VALUE', type: ['null', 'float'] },
    ],
    version: '1.0',
  })),
});
retail.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: retailInteractions, datasetName: 'retail-interactions' });

const retailItems = new Schema(stack, 'RetailItemsSchema', {
  domain: Domain.ECOMMERCE,
  definition: SchemaDefinition.fromFields([
    itemId,
    SchemaField.floatField('PRICE'),
    SchemaField.stringField('CATEGORY_L1').categorical(),
    SchemaField.stringField('CATEGORY_L2').categorical().nullable(),
    SchemaField.stringField('PRODUCT_DESCRIPTION').textual().nullable(),
  ], { recordName: 'Items' }),
});
retail.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: retailItems });

const retailUsers = new Schema(stack, 'RetailUsersSchema', {
  domain: Domain.ECOMMERCE,
  definition: SchemaDefinition.fromFields([userId, SchemaField.stringField('MEMBERSHIP').categorical().nullable()], { recordName: 'Users' }),
});
retail.addDataset('Users', { datasetType: DatasetType.USERS, schema: retailUsers });

Tags.of(stack).add('integ', 'data-model');

new IntegTest(app, 'DataModelInteg', { testCases: [stack] });
app.synth();
