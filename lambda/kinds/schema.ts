/**
 * Schemas. CreateSchema is synchronous and a schema never changes, so there is
 * nothing to wait for and any change is a replacement. The API has no tags for
 * schemas, so an existing schema is adopted only if its content is identical.
 */
import { CreateSchemaCommand, DeleteSchemaCommand, DescribeSchemaCommand } from '@aws-sdk/client-personalize';
import { sameJson } from '../../src/private/avro';
import { Attributes, ResourceTypes } from '../../src/private/contract';
import { arnPattern, changedFields, describeOrUndefined, optionalString, personalize, personalizeArn, requiredString } from '../personalize';
import { KindContext, ResourceKind } from '../resource-kind';

export interface SchemaSpec {
  readonly name: string;
  /** Avro JSON text. */
  readonly definition: string;
  readonly domain?: string;
}

/** A schema that exists is usable at once; the engine needs a status, so it gets this one. */
const EXISTING_SCHEMA_STATUS = 'ACTIVE';

export const schemaKind: ResourceKind<SchemaSpec> = {
  resourceType: ResourceTypes.SCHEMA,
  noun: 'schema',
  nameProperty: 'schemaName',
  firstPollDelayMs: 0,

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    definition: requiredString(properties, 'Definition'),
    domain: optionalString(properties, 'Domain'),
  }),

  nameOf: (spec) => spec.name,

  isOwnPhysicalId: (physicalId) => arnPattern('schema/[a-zA-Z0-9][a-zA-Z0-9\\-_]*').test(physicalId),

  replacementCauses: (oldSpec, newSpec) => [
    ...changedFields(oldSpec, newSpec, [['name', 'schemaName'], ['domain', 'domain']]),
    ...(sameJson(oldSpec.definition, newSpec.definition) ? [] : ['definition']),
  ],

  create: async (context, spec) => {
    const response = await context.call('CreateSchema', () => personalize().send(new CreateSchemaCommand({
      name: spec.name,
      schema: spec.definition,
      domain: spec.domain as any,
    })));
    return response.schemaArn!;
  },

  arnOf: (context, spec) => personalizeArn(context, `schema/${spec.name}`),

  isOwned: async (context, arn, spec) => {
    const existing = await describeSchema(context, arn);
    return existing !== undefined
      && existing.schema !== undefined
      && sameJson(existing.schema, spec.definition)
      && (existing.domain ?? undefined) === spec.domain;
  },

  // Only formatting can change without a replacement, and the service keeps no formatting worth updating.
  update: async () => {},

  observe: async (context, arn) => {
    const schema = await describeSchema(context, arn);
    if (!schema) return undefined;
    return {
      status: EXISTING_SCHEMA_STATUS,
      attributes: { [Attributes.ARN]: schema.schemaArn ?? arn, [Attributes.NAME]: schema.name ?? '' },
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteSchema', () => personalize().send(new DeleteSchemaCommand({ schemaArn: arn })));
  },
};

async function describeSchema(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeSchema',
    () => personalize().send(new DescribeSchemaCommand({ schemaArn: arn })));
  return response?.schema;
}
