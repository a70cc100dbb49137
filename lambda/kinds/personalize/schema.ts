/**
 * Schemas. CreateSchema is synchronous and a schema never changes, so there is
 * nothing to wait for and any change is a replacement. The API has no tags for
 * schemas: an existing schema is this stack resource's own only if its content
 * is what the stack asks for and, where the engine asks, it was created no
 * earlier than this request (or the cancelled Create it cleans up after) could
 * have created it. Another stack's schema of the same name is never adopted.
 * A delete that datasets using the schema block fails with their ARNs after the
 * engine's grace; a schema belongs to no group, so nothing is removed for it.
 */
import { CreateSchemaCommand, DeleteSchemaCommand, DescribeSchemaCommand } from '@aws-sdk/client-personalize';
import { schemaBlockers, sortBlockers } from './blockers';
import { changedFields, describeOrUndefined, personalize } from './common';
import { sameJson } from '../../../src/personalize/private/avro';
import { SCHEMA } from '../../../src/personalize/private/declarations';
import { Attributes, SchemaProperties } from '../../../src/private/contract';
import { optionalString, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { arnByName, declaredFields } from '../declared';

export interface SchemaSpec {
  readonly name: string;
  /** Avro JSON text. */
  readonly definition: string;
  readonly domain?: string;
}

/** A schema that exists is usable at once; messages need a status, so it gets this one. */
const EXISTING_SCHEMA_STATUS = 'ACTIVE';

export const schemaKind: ResourceKind<SchemaSpec, SchemaProperties> = {
  ...declaredFields(SCHEMA),
  firstPollDelayMs: 0,
  blockedDeleteHint: 'Delete those datasets, or move Items and Users datasets to another schema with UpdateDataset',

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    definition: requiredString(properties, 'Definition'),
    domain: optionalString(properties, 'Domain'),
  }),

  nameOf: (spec) => spec.name,


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

  arnOf: arnByName(SCHEMA),

  isOwned: async (context, arn, spec, question) => {
    if (spec === undefined) return false;
    const existing = await describeSchema(context, arn);
    if (existing === undefined || existing.schema === undefined) return false;
    const createdAt = existing.creationDateTime?.getTime();
    const recentEnough = question.createdNoEarlierThan === undefined
      || (createdAt !== undefined && createdAt >= question.createdNoEarlierThan);
    return recentEnough && existing.name === spec.name && sameJson(existing.schema, spec.definition)
      && (existing.domain ?? undefined) === spec.domain;
  },

  // Only formatting can change without a replacement, and the service keeps no formatting worth updating.
  update: async () => {},

  observe: async (context, arn) => {
    const schema = await describeSchema(context, arn);
    if (!schema) return undefined;
    return {
      status: EXISTING_SCHEMA_STATUS,
      condition: 'ready',
      attributes: { [Attributes.ARN]: schema.schemaArn ?? arn, [Attributes.NAME]: schema.name ?? '' },
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteSchema', () => personalize().send(new DeleteSchemaCommand({ schemaArn: arn })));
  },

  blockers: async (context, arn) => sortBlockers(context, await schemaBlockers(context, arn), false, 'schema'),
};

async function describeSchema(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeSchema',
    () => personalize().send(new DescribeSchemaCommand({ schemaArn: arn })));
  return response?.schema;
}
