/** A Domain dataset group for the recommender tests, construct tests and lifecycle scenarios alike. */
import { Stack } from 'aws-cdk-lib';
import { DatasetGroup, DatasetType, Domain, Schema, SchemaDefinition, SchemaField } from '../../src';

/** The Items fields each domain requires. */
const DOMAIN_ITEM_FIELDS: Record<Domain, SchemaField[]> = {
  [Domain.ECOMMERCE]: [SchemaField.floatField('PRICE'), SchemaField.stringField('CATEGORY_L1').categorical()],
  [Domain.VIDEO_ON_DEMAND]: [SchemaField.stringField('GENRES').categorical(), SchemaField.longField('CREATION_TIMESTAMP')],
};

export interface DomainGroupOptions {
  readonly domain?: Domain;
  /** An Items dataset (the domain's fields and COLOR). @default true */
  readonly items?: boolean;
  readonly emptyOnDelete?: boolean;
}

/**
 * Domain group 'shop' (construct 'Group', e-commerce by default) with an Interactions dataset
 * and, unless `items` is false, an Items dataset. Schemas: InteractionsSchema, ItemsSchema.
 */
export function domainGroup(stack: Stack, options: DomainGroupOptions = {}): DatasetGroup {
  const domain = options.domain ?? Domain.ECOMMERCE;
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'shop', domain, emptyOnDelete: options.emptyOnDelete });
  const schema = (id: string, fields: SchemaField[]) =>
    new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields, { recordName: id }), domain });
  group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: schema('InteractionsSchema', [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
      SchemaField.stringField('EVENT_TYPE')]),
  });
  if (options.items !== false) {
    group.addDataset('Items', {
      datasetType: DatasetType.ITEMS,
      schema: schema('ItemsSchema', [SchemaField.stringField('ITEM_ID'), ...DOMAIN_ITEM_FIELDS[domain], SchemaField.stringField('COLOR').categorical()]),
    });
  }
  return group;
}
