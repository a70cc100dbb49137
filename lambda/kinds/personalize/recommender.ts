/**
 * Recommenders: a Domain dataset group's use case behind GetRecommendations. The
 * recommender config changes in place with UpdateRecommender, followed on
 * `latestRecommenderUpdate`; a stopped recommender (`Running` 'false') is INACTIVE,
 * reached with StopRecommender and left with StartRecommender. A new name, group or
 * use case is a replacement. Tags change in place.
 *
 * Each request takes one call: UpdateRecommender for a new config (it needs the
 * recommender ACTIVE), StopRecommender or StartRecommender for a new running state.
 * `observe` never calls anything during an update: a cancelled update's handler goes on
 * looking after CloudFormation stopped listening, and a look that acted would undo the
 * rollback. A change that needs two calls (a new config for a stopped recommender, or a
 * new config and a stop at once) is refused with the two deploys that make it. The one
 * exception is a recommender created stopped: once its create is ACTIVE, `observe` stops
 * it (a create is followed only by its own rollback Delete, which a Stop cannot undo).
 */
import {
  CreateRecommenderCommand, DeleteRecommenderCommand, DescribeRecommenderCommand, Recommender as ApiRecommender, RecommenderConfig,
  StartRecommenderCommand, StopRecommenderCommand, UpdateRecommenderCommand,
} from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { holdsEntries, optionalCount, parseExploration, updateCondition } from './serving';
import { RECOMMENDER } from '../../../src/personalize/private/declarations';
import { Attributes, RecommenderProperties } from '../../../src/private/contract';
import { optionalBoolean, parseTags, requiredString } from '../../properties';
import { Condition, KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { arnByName, declaredFields } from '../declared';

export interface RecommenderSpec {
  readonly name: string;
  readonly datasetGroupArn: string;
  readonly recipeArn: string;
  readonly minRecommendationRequestsPerSecond: number;
  readonly enableMetadataWithRecommendations: boolean;
  readonly itemExplorationConfig?: Record<string, string>;
  /** Columns left out of training, by dataset type. */
  readonly excludedColumns: Record<string, string[]>;
  readonly running: boolean;
  readonly tags: Record<string, string>;
}

const INACTIVE = 'INACTIVE';
/** Start and stop statuses; everything else is a Personalize status common.ts knows. */
const SWITCHING: Record<string, Condition> = {
  'START PENDING': 'busy', 'START IN_PROGRESS': 'busy', 'STOP PENDING': 'busy', 'STOP IN_PROGRESS': 'busy',
};

type Step = 'update' | 'start' | 'stop';

export const recommenderKind: ResourceKind<RecommenderSpec, RecommenderProperties> = {
  ...declaredFields(RECOMMENDER),

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    datasetGroupArn: requiredString(properties, 'DatasetGroupArn'),
    recipeArn: requiredString(properties, 'RecipeArn'),
    minRecommendationRequestsPerSecond: optionalCount(properties, 'MinRecommendationRequestsPerSecond') ?? 1,
    enableMetadataWithRecommendations: optionalBoolean(properties, 'EnableMetadataWithRecommendations', false),
    itemExplorationConfig: parseExploration(properties),
    excludedColumns: parseExcludedColumns(properties.ExcludedColumns),
    running: optionalBoolean(properties, 'Running', true),
    tags: parseTags(properties),
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [
    ['name', 'recommenderName'], ['datasetGroupArn', 'datasetGroup'], ['recipeArn', 'useCase'],
  ]),

  create: async (context, spec) => {
    const response = await context.call('CreateRecommender', () => personalize().send(new CreateRecommenderCommand({
      name: spec.name,
      datasetGroupArn: spec.datasetGroupArn,
      recipeArn: spec.recipeArn,
      recommenderConfig: apiConfig(spec),
      tags: apiTags(spec.tags, context.owner),
    })));
    return response.recommenderArn!;
  },

  arnOf: arnByName(RECOMMENDER),

  isOwned: async (context, arn, spec, question) => {
    if (!await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const recommender = await describeRecommender(context, arn);
    return recommender !== undefined && recommender.datasetGroupArn === spec.datasetGroupArn && recommender.recipeArn === spec.recipeArn;
  },

  update: async (context, arn, oldSpec, newSpec) => {
    const recommender = await describeRecommender(context, arn);
    if (!recommender) throw new Error(`Recommender ${arn} disappeared; it was probably deleted outside CloudFormation.`);
    const heldPrevious = configHeld(recommender, oldSpec) && isRunning(recommender) === oldSpec.running;
    // A new request retries a config whose last update failed. The engine also calls update with the same
    // props again (after an operation in flight, or guarding against a cancelled update's calls): not a new request.
    const step = stepFor(arn, recommender, newSpec, JSON.stringify(oldSpec) !== JSON.stringify(newSpec));
    if (step) await take(context, arn, step, newSpec);
    const heldPreviousTags = await syncTags(context, arn, newSpec.tags, oldSpec.tags);
    return heldPrevious && heldPreviousTags;
  },

  observe: async (context, arn, operation, spec) => {
    const recommender = await describeRecommender(context, arn);
    if (!recommender) return undefined;
    const status = recommender.status ?? 'UNKNOWN';
    const attributes = { [Attributes.ARN]: recommender.recommenderArn ?? arn, [Attributes.NAME]: recommender.name ?? '' };
    const settled = status === 'ACTIVE' || status === INACTIVE;
    const condition = settled ? 'ready' : SWITCHING[status] ?? conditionOf(status);
    if (operation === 'delete' || spec === undefined || !settled) {
      return { status, condition, failureReason: recommender.failureReason, attributes };
    }
    const update = recommender.latestRecommenderUpdate;
    const updating = updateCondition(update);
    if (updating === 'busy') return { status: update!.status!, condition: 'busy', attributes };
    const held = configHeld(recommender, spec);
    if (held && isRunning(recommender) === spec.running) return { status, condition: 'ready', attributes };
    if (operation === 'create' && held && status === 'ACTIVE' && !spec.running) {
      await take(context, arn, 'stop', spec);
      return { status, condition: 'busy', attributes };
    }
    if (updating === 'failed' && !held) {
      return { status: update!.status!, condition: 'failed', failureReason: update!.failureReason ?? 'no reason given', attributes };
    }
    return {
      status,
      condition: 'failed',
      failureReason: `the recommender is ${status} with config ${JSON.stringify(recommender.recommenderConfig ?? {})}, `
        + 'not what the stack asks for',
      attributes,
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteRecommender', () => personalize().send(new DeleteRecommenderCommand({ recommenderArn: arn })));
  },
};

function isRunning(recommender: ApiRecommender): boolean {
  return recommender.status !== INACTIVE;
}

/**
 * The one call that brings a settled recommender to `spec`, if any. `retryFailed` false
 * leaves a config whose last update failed alone. Throws for a change that needs two calls.
 */
function stepFor(arn: string, recommender: ApiRecommender, spec: RecommenderSpec, retryFailed: boolean): Step | undefined {
  if (updateCondition(recommender.latestRecommenderUpdate) === 'busy') return undefined;
  const held = configHeld(recommender, spec);
  if (recommender.status === INACTIVE) {
    if (!held) {
      throw new Error(`Recommender ${arn} is stopped (INACTIVE), and Personalize changes a recommender's config only while it runs. `
        + 'Deploy twice: first with running: true and the current config, then with the new config (and running: false if it '
        + 'should stay stopped).');
    }
    return spec.running ? 'start' : undefined;
  }
  if (recommender.status !== 'ACTIVE') return undefined;
  if (!held) {
    if (!spec.running) {
      throw new Error(`Recommender ${arn} would need a new config and a stop at once, and Personalize stops a recommender only once `
        + 'its update is done. Deploy twice: first the new config with running: true, then running: false.');
    }
    return retryFailed || updateCondition(recommender.latestRecommenderUpdate) !== 'failed' ? 'update' : undefined;
  }
  return spec.running ? undefined : 'stop';
}

async function take(context: KindContext, arn: string, step: Step, spec: RecommenderSpec): Promise<void> {
  try {
    if (step === 'update') {
      await context.call('UpdateRecommender', () => personalize().send(new UpdateRecommenderCommand({
        recommenderArn: arn, recommenderConfig: apiConfig(spec, true),
      })));
    } else if (step === 'start') {
      await context.call('StartRecommender', () => personalize().send(new StartRecommenderCommand({ recommenderArn: arn })));
    } else {
      await context.call('StopRecommender', () => personalize().send(new StopRecommenderCommand({ recommenderArn: arn })));
    }
  } catch (error) {
    // A retry whose first attempt went through (its response was lost) meets the recommender changing; the next look follows it.
    if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
  }
}

/** The API's config. An update always names the excluded columns, so that removing them all clears them. */
function apiConfig(spec: RecommenderSpec, forUpdate = false): RecommenderConfig {
  const excluding = Object.keys(spec.excludedColumns).length > 0;
  return {
    minRecommendationRequestsPerSecond: spec.minRecommendationRequestsPerSecond,
    enableMetadataWithRecommendations: spec.enableMetadataWithRecommendations,
    ...(excluding || forUpdate ? { trainingDataConfig: { excludedDatasetColumns: spec.excludedColumns } } : {}),
    ...(spec.itemExplorationConfig ? { itemExplorationConfig: spec.itemExplorationConfig } : {}),
  };
}

function configHeld(recommender: ApiRecommender, spec: RecommenderSpec): boolean {
  const config = recommender.recommenderConfig ?? {};
  return (config.minRecommendationRequestsPerSecond ?? 1) === spec.minRecommendationRequestsPerSecond
    && (config.enableMetadataWithRecommendations ?? false) === spec.enableMetadataWithRecommendations
    && holdsEntries(config.itemExplorationConfig, spec.itemExplorationConfig)
    && sameColumns(config.trainingDataConfig?.excludedDatasetColumns ?? {}, spec.excludedColumns);
}

function sameColumns(held: Record<string, string[]>, wanted: Record<string, string[]>): boolean {
  const canonical = (columns: Record<string, string[]>) => JSON.stringify(Object.entries(columns)
    .filter(([, names]) => names.length > 0)
    .map(([type, names]) => [type.toUpperCase(), [...names].sort()])
    .sort(([a], [b]) => String(a).localeCompare(String(b))));
  return canonical(held) === canonical(wanted);
}

function parseExcludedColumns(value: unknown): Record<string, string[]> {
  if (value === undefined || value === null || value === '') return {};
  if (!Array.isArray(value)) throw new Error('Property \'ExcludedColumns\' must be a list of {DatasetType, Columns}');
  const columns: Record<string, string[]> = {};
  value.forEach((item: unknown, index) => {
    const { DatasetType, Columns } = (item ?? {}) as Record<string, unknown>;
    if (typeof DatasetType !== 'string' || !Array.isArray(Columns) || !Columns.every((c) => typeof c === 'string')) {
      throw new Error(`Property 'ExcludedColumns' item ${index + 1} must be {DatasetType: string, Columns: string[]}, got ${JSON.stringify(item)}`);
    }
    columns[DatasetType] = Columns as string[];
  });
  return columns;
}

async function describeRecommender(context: KindContext, arn: string): Promise<ApiRecommender | undefined> {
  const response = await describeOrUndefined(context, 'DescribeRecommender',
    () => personalize().send(new DescribeRecommenderCommand({ recommenderArn: arn })));
  return response?.recommender;
}
