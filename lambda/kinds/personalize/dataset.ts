/**
 * Datasets. A dataset's ARN is its group and type (`dataset/GROUP/TYPE`), so a
 * group holds one dataset per type. The schema of an Items or Users dataset is
 * replaced in place with UpdateDataset, after checking here that the new schema
 * keeps every field and only adds nullable ones; the update is then followed on
 * `latestDatasetUpdate`. Any other change of schema, type, group or name is a
 * replacement, which the API refuses while the old dataset holds the type's place.
 * A delete that what lives in the group blocks (blockers.ts) fails with their ARNs
 * after the engine's grace; under the group's emptyOnDelete, the delete first removes
 * those this stack does not manage.
 */
import {
  CreateDatasetCommand,
  DeleteDatasetCommand,
  DescribeDatasetCommand,
  DescribeSchemaCommand,
  Dataset as ApiDataset,
  UpdateDatasetCommand,
} from '@aws-sdk/client-personalize';
import { datasetBlockers, removeForeignBlockers, sortBlockers } from './blockers';
import { apiTags, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { AvroRecord, parseAvroSchema, schemaReplacementProblems } from '../../../src/personalize/private/avro';
import { DATASET } from '../../../src/personalize/private/declarations';
import { Attributes, DatasetProperties } from '../../../src/private/contract';
import { log } from '../../log';
import { optionalBoolean, parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { declaredFields } from '../declared';

export interface DatasetSpec {
  readonly name: string;
  readonly datasetGroupArn: string;
  /** As the API spells it, e.g. Action_Interactions; the API treats it case-insensitively. */
  readonly datasetType: string;
  readonly schemaArn: string;
  readonly tags: Record<string, string>;
  /** The group's emptyOnDelete: a delete removes the blockers this stack does not manage. */
  readonly groupEmptyOnDelete: boolean;
}

/** Types whose schema UpdateDataset can replace. */
const SCHEMA_UPDATABLE_TYPES = new Set(['ITEMS', 'USERS']);

export const datasetKind: ResourceKind<DatasetSpec, DatasetProperties> = {
  ...declaredFields(DATASET),
  blockedDeleteHint: 'Delete them (every filter of the group, its event tracker, metric attributions that reference the dataset and '
    + 'campaigns block a dataset), or set emptyOnDelete on the DatasetGroup so that the stack deletes those it does not manage first',
  // An Action_Interactions dataset's tracking ID is what PutActionInteractions is sent with; other types have none.
  hasSecretAttributes: (spec) => typeKey(spec) === 'ACTION_INTERACTIONS',

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    datasetGroupArn: requiredString(properties, 'DatasetGroupArn'),
    datasetType: requiredString(properties, 'DatasetType'),
    schemaArn: requiredString(properties, 'SchemaArn'),
    tags: parseTags(properties),
    // Absent from what constructs before it synthesized.
    groupEmptyOnDelete: optionalBoolean(properties, 'GroupEmptyOnDelete', false),
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => {
    const causes: string[] = [];
    if (oldSpec.name !== newSpec.name) causes.push('datasetName');
    if (oldSpec.datasetGroupArn !== newSpec.datasetGroupArn) causes.push('datasetGroup');
    if (typeKey(oldSpec) !== typeKey(newSpec)) causes.push('datasetType');
    if (oldSpec.schemaArn !== newSpec.schemaArn && !SCHEMA_UPDATABLE_TYPES.has(typeKey(newSpec))) causes.push('schema');
    return causes;
  },

  create: async (context, spec) => {
    try {
      const response = await context.call('CreateDataset', () => personalize().send(new CreateDatasetCommand({
        name: spec.name,
        datasetGroupArn: spec.datasetGroupArn,
        datasetType: spec.datasetType,
        schemaArn: spec.schemaArn,
        tags: apiTags(spec.tags, context.owner),
      })));
      return response.datasetArn!;
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
      throw await explainTakenPlace(context, spec, error);
    }
  },

  arnOf: (_context, spec) => datasetArn(spec),

  isOwned: async (context, arn, spec, question) => {
    if (question.purpose === 'delete' || spec === undefined) return hasOwnerTag(context, arn);
    const existing = await describeDataset(context, arn);
    return existing !== undefined && matches(existing, spec) && await hasOwnerTag(context, arn);
  },

  update: async (context, arn, oldSpec, newSpec) => {
    const heldPreviousSchema = await replaceSchema(context, arn, newSpec.schemaArn, oldSpec.schemaArn);
    const heldPreviousTags = await syncTags(context, arn, newSpec.tags, oldSpec.tags);
    return heldPreviousSchema && heldPreviousTags;
  },

  observe: async (context, arn, operation, spec) => {
    const dataset = await describeDataset(context, arn);
    if (!dataset) return undefined;
    const attributes = {
      [Attributes.ARN]: dataset.datasetArn ?? arn,
      [Attributes.NAME]: dataset.name ?? '',
      // Always present, so that Fn::GetAtt TrackingId never fails for want of it.
      [Attributes.TRACKING_ID]: dataset.trackingId ?? '',
    };
    const status = dataset.status ?? 'UNKNOWN';
    const condition = conditionOf(status);
    const update = dataset.latestDatasetUpdate;
    // A schema update under way, whoever started it, must settle before the dataset is what anyone asked for.
    if (condition === 'ready' && update?.status && conditionOf(update.status) === 'busy') {
      return { status: update.status, condition: 'busy', attributes };
    }
    if (operation === 'delete' || condition !== 'ready' || spec === undefined || dataset.schemaArn === spec.schemaArn) {
      // The Dataset shape has no failureReason; only latestDatasetUpdate carries one.
      return { status, condition, attributes };
    }
    // Ready, but not with the schema the stack asks for: say what the service holds, and why if it is known.
    const updateFailed = update?.schemaArn === spec.schemaArn && update.status !== undefined && conditionOf(update.status) === 'failed';
    return {
      status: updateFailed ? update!.status! : status,
      condition: 'failed',
      failureReason: updateFailed
        ? update!.failureReason ?? 'no reason given'
        : `the dataset uses schema ${dataset.schemaArn}, not ${spec.schemaArn} as the stack asks`,
      attributes,
    };
  },

  delete: async (context, arn, spec) => {
    try {
      await context.call('DeleteDataset', () => personalize().send(new DeleteDatasetCommand({ datasetArn: arn })));
    } catch (error) {
      // Refused: under emptyOnDelete, remove what blocks it and this stack does not manage; the engine asks again.
      if (isErrorNamed(error, 'ResourceInUseException') && spec?.groupEmptyOnDelete) await removeForeignBlockers(context, await datasetBlockers(context, arn));
      throw error;
    }
  },

  blockers: async (context, arn, spec) => sortBlockers(context, await datasetBlockers(context, arn), spec?.groupEmptyOnDelete ?? false, 'dataset'),
};

function typeKey(spec: DatasetSpec): string {
  return spec.datasetType.toUpperCase();
}

/** `…:dataset-group/GROUP` becomes `…:dataset/GROUP/TYPE`. */
function datasetArn(spec: DatasetSpec): string {
  return `${spec.datasetGroupArn.replace(/:dataset-group\//, ':dataset/')}/${typeKey(spec)}`;
}

function matches(existing: ApiDataset, spec: DatasetSpec): boolean {
  return existing.name === spec.name && existing.schemaArn === spec.schemaArn
    && (existing.datasetType ?? '').toUpperCase() === typeKey(spec);
}

async function describeDataset(context: KindContext, arn: string): Promise<ApiDataset | undefined> {
  const response = await describeOrUndefined(context, 'DescribeDataset',
    () => personalize().send(new DescribeDatasetCommand({ datasetArn: arn })));
  return response?.dataset;
}

/**
 * CreateDataset found the group's place for this type taken. Returns the original
 * error when the dataset there is this stack resource's own, identical one (the
 * engine then adopts it), and an error that says what to do otherwise.
 */
async function explainTakenPlace(context: KindContext, spec: DatasetSpec, original: unknown): Promise<unknown> {
  const arn = datasetArn(spec);
  const existing = await describeDataset(context, arn);
  if (!existing) return original;
  const ours = await hasOwnerTag(context, arn);
  if (ours && matches(existing, spec)) return original;
  const holder = `${arn} (named '${existing.name}', schema ${existing.schemaArn})`;
  if (ours) {
    return new Error(`This change needs a new dataset of type ${spec.datasetType}, but dataset group ${spec.datasetGroupArn} holds one `
      + `dataset of each type and this stack resource's current dataset ${holder} still holds that place. Only the schema of `
      + 'Items and Users datasets can change in place. To replace the dataset, remove it from the app and deploy, then add it '
      + 'back with the new properties (its imported data is lost either way).');
  }
  return new Error(`Dataset group ${spec.datasetGroupArn} already has a dataset of type ${spec.datasetType}, ${holder}, which this `
    + 'stack resource did not create, and a dataset group holds one dataset of each type. Delete that dataset, or import it '
    + 'with Dataset.fromDatasetArn instead of creating one.');
}

/**
 * Starts UpdateDataset when the dataset's schema (as the service holds it, which a
 * cancelled update may have changed) is not the one asked for, after checking that
 * the new schema is a compatible extension of the current one. Returns whether the
 * dataset held the previous request's schema.
 */
async function replaceSchema(context: KindContext, arn: string, schemaArn: string, previousSchemaArn: string): Promise<boolean> {
  const dataset = await describeDataset(context, arn);
  if (!dataset) throw new Error(`Dataset ${arn} disappeared; it was probably deleted outside CloudFormation.`);
  const heldPrevious = dataset.schemaArn === previousSchemaArn;
  // A repeated event, or a rollback to the schema the dataset still has.
  if (hasOrIsGettingSchema(dataset, schemaArn)) return heldPrevious;
  if (!SCHEMA_UPDATABLE_TYPES.has((dataset.datasetType ?? '').toUpperCase())) {
    throw new Error(`Dataset ${arn} uses schema ${dataset.schemaArn}, and the schema of a ${dataset.datasetType} dataset cannot `
      + `change in place to ${schemaArn}.`);
  }

  const [current, replacement] = await Promise.all([schemaRecord(context, dataset.schemaArn!), schemaRecord(context, schemaArn)]);
  if (current && replacement) {
    const problems = schemaReplacementProblems(current, replacement);
    if (problems.length > 0) {
      throw new Error(`Dataset ${arn} (${dataset.datasetType}) uses schema ${dataset.schemaArn}, and schema ${schemaArn} cannot `
        + `replace it in place: ${problems.join('; ')}. Personalize can only add nullable fields to a dataset's schema. To change `
        + 'fields in other ways, the dataset must be deleted and created again. If this is a rollback after an update that '
        + 'extended the schema, continue the rollback and skip this resource (aws cloudformation continue-update-rollback '
        + '--resources-to-skip).');
    }
  } else {
    log('warn', 'could not read both schemas; leaving the compatibility check to UpdateDataset', { arn });
  }
  try {
    await context.call('UpdateDataset', () => personalize().send(new UpdateDatasetCommand({ datasetArn: arn, schemaArn })));
  } catch (error) {
    // A retry whose first attempt started the update (its response was lost) meets that update.
    if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
    const now = await describeDataset(context, arn);
    if (!now || !hasOrIsGettingSchema(now, schemaArn)) throw error;
  }
  return heldPrevious;
}

function hasOrIsGettingSchema(dataset: ApiDataset, schemaArn: string): boolean {
  const pending = dataset.latestDatasetUpdate;
  return dataset.schemaArn === schemaArn
    || (pending?.schemaArn === schemaArn && pending.status !== undefined && conditionOf(pending.status) === 'busy');
}

async function schemaRecord(context: KindContext, schemaArn: string): Promise<AvroRecord | undefined> {
  const response = await describeOrUndefined(context, 'DescribeSchema',
    () => personalize().send(new DescribeSchemaCommand({ schemaArn })));
  const text = response?.schema?.schema;
  return text === undefined ? undefined : parseAvroSchema(text).record;
}
