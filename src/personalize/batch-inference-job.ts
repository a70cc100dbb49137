import { IResource, Resource, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BatchJob, BatchJobProps } from './batch-job';
import { ItemExploration, RankingInfluence } from './campaign';
import { buildBatchJob, solutionOf } from './private/batch-jobs';
import { BATCH_INFERENCE_JOB } from './private/declarations';
import { importedPersonalizeResource } from '../private/imported';
import { BATCH_ONLY, explorationProperties, NEXT_BEST_ACTION, rankingWeights, recipeName, USER_PERSONALIZATION } from './private/serving';
import { refuseOrWarn } from '../private/checks';

/**
 * What a batch inference job makes.
 */
export enum BatchInferenceMode {
  /** Recommendations for each user or item of the input. */
  BATCH_INFERENCE = 'BATCH_INFERENCE',
  /**
   * Batch recommendations of similar items with a generated theme (a descriptive title) for each
   * group. Similar-Items recipe only; the `themeItemNameField` names the item's name field.
   */
  THEME_GENERATION = 'THEME_GENERATION',
}

/**
 * An Amazon Personalize batch inference job, owned by this app or imported.
 */
export interface IBatchInferenceJob extends IResource {
  /**
   * The ARN of the batch inference job.
   * @attribute
   */
  readonly batchInferenceJobArn: string;
}

/**
 * Properties of a batch inference job.
 */
export interface BatchInferenceJobProps extends BatchJobProps {
  /**
   * What the job makes.
   * @default BatchInferenceMode.BATCH_INFERENCE
   */
  readonly mode?: BatchInferenceMode;

  /**
   * With `BatchInferenceMode.THEME_GENERATION`: the Items dataset field that holds each item's
   * name, from which Personalize writes the themes.
   * @default - none; required for theme generation
   */
  readonly themeItemNameField?: string;

  /**
   * Item exploration. User-Personalization recipes only.
   * @default - the recipe's defaults
   */
  readonly itemExploration?: ItemExploration;

  /**
   * How popularity and freshness weigh in the ranking.
   * @default - the recipe's defaults
   */
  readonly rankingInfluence?: RankingInfluence;

  /**
   * Run the job even if the synth checks of its recipe refuse it.
   *
   * **Warning:** the checks follow the Personalize developer guide ("Getting batch item
   * recommendations", "Batch recommendations with themes"): batch inference serves
   * User-Personalization, Popularity-Count, Personalized-Ranking and related-items recipes, not
   * Trending-Now, Next-Best-Action or the user-segmentation recipes; themes need Similar-Items and
   * one of the Regions that offer them; item exploration needs User-Personalization. A job
   * Personalize refuses fails the deploy. What the checks found is still printed at synth, as a
   * warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

/** Batch inference: "Getting batch item recommendations" lists the recipes; Trending-Now and Next-Best-Action are not among them. */
const NOT_BATCH_INFERENCE = [...BATCH_ONLY, ...NEXT_BEST_ACTION, 'aws-trending-now'];
/** "Batch recommendations with themes from Content Generator": Similar-Items, in three Regions. */
const THEME_RECIPES = ['aws-similar-items'];
const THEME_REGIONS = ['us-east-1', 'us-west-2', 'ap-northeast-1'];

/**
 * Batch recommendations: Personalize reads users or items from a JSON Lines file in S3 and
 * writes recommendations for each to an output folder in S3.
 *
 * The job runs on deploy, and again whenever its inputs change; with `recurringRuns`, also on a
 * schedule (ADR 0018). Batch inference jobs can be neither stopped nor deleted: removing the
 * construct leaves the job, and its output stays in S3.
 *
 * **Cost:** billed per batch recommendation (each line of input, for the number of results it
 * asks), for every run.
 *
 * @resource Custom::PersonalizeBatchInferenceJob
 */
export class BatchInferenceJob extends BatchJob implements IBatchInferenceJob {
  /**
   * Imports a batch inference job by its ARN, `…:batch-inference-job/NAME`.
   */
  public static fromBatchInferenceJobArn(scope: Construct, id: string, batchInferenceJobArn: string): IBatchInferenceJob {
    return importedPersonalizeResource<IBatchInferenceJob>(Resource, scope, id, BATCH_INFERENCE_JOB, 'batchInferenceJobArn', batchInferenceJobArn);
  }

  public get batchInferenceJobArn(): string {
    return this._deployed.arn;
  }

  /**
   * The name of the job run on deploy, generated.
   * @attribute
   */
  public get batchInferenceJobName(): string {
    return this._deployed.name;
  }

  constructor(scope: Construct, id: string, props: BatchInferenceJobProps) {
    super(scope, id);
    const mode = props.mode ?? BatchInferenceMode.BATCH_INFERENCE;
    const exploration = explorationProperties('itemExploration', props.itemExploration);
    const weights = rankingWeights(props.rankingInfluence);
    refuseOrWarn(this, props.skipChecks, recipeProblems(this, props, mode));
    if (mode === BatchInferenceMode.THEME_GENERATION && props.themeItemNameField === undefined) {
      throw new Error('Invalid themeItemNameField: theme generation needs the Items field that holds each item\'s name.');
    }
    if (mode !== BatchInferenceMode.THEME_GENERATION && props.themeItemNameField !== undefined) {
      throw new Error('Invalid themeItemNameField: it is for BatchInferenceMode.THEME_GENERATION only. Remove it, or set that mode.');
    }
    if (props.themeItemNameField !== undefined && !Token.isUnresolved(props.themeItemNameField)
      && !/^[A-Za-z_][A-Za-z\d_]{0,149}$/.test(props.themeItemNameField)) {
      throw new Error(`Invalid themeItemNameField: '${props.themeItemNameField}'. Expected a field name: letters, digits and underscores, `
        + 'not starting with a digit, at most 150 characters.');
    }
    const jobConfig = {
      ...(exploration.ExplorationWeight !== undefined || exploration.ExplorationItemAgeCutOff !== undefined ? {
        itemExplorationConfig: {
          ...(exploration.ExplorationWeight !== undefined ? { explorationWeight: exploration.ExplorationWeight } : {}),
          ...(exploration.ExplorationItemAgeCutOff !== undefined ? { explorationItemAgeCutOff: exploration.ExplorationItemAgeCutOff } : {}),
        },
      } : {}),
      ...(weights.length > 0 ? { rankingInfluence: Object.fromEntries(weights) } : {}),
    };
    this._deployed = buildBatchJob(this, props, {
      kind: BATCH_INFERENCE_JOB,
      variant: 'inference',
      numResultsMax: { value: 500, source: 'the developer guide, "Creating a batch inference job": at most 500' },
      own: {
        Mode: mode === BatchInferenceMode.BATCH_INFERENCE ? undefined : mode,
        ThemeItemNameField: props.themeItemNameField,
        JobConfig: Object.keys(jobConfig).length > 0 ? Stack.of(this).toJsonString(jobConfig) : undefined,
      },
      createOnVersion: true,
    });
  }
}

/** The documented rules of what batch inference runs, each with its fix. */
function recipeProblems(job: BatchInferenceJob, props: BatchInferenceJobProps, mode: BatchInferenceMode): string[] {
  const recipe = recipeName(solutionOf(props)?.recipeArn);
  const path = job.node.path;
  const problems: string[] = [];
  if (recipe !== undefined && NOT_BATCH_INFERENCE.includes(recipe)) {
    const instead = BATCH_ONLY.includes(recipe) ? 'Use a BatchSegmentJob for user segments.' : 'Use a recipe that batch inference serves.';
    problems.push(`Invalid solutionVersion of batch inference job '${path}': recipe '${recipe}' does not give batch recommendations. ${instead}`);
  }
  if (mode === BatchInferenceMode.THEME_GENERATION) {
    if (recipe !== undefined && !THEME_RECIPES.includes(recipe)) {
      problems.push(`Invalid mode of batch inference job '${path}': themes are generated for the Similar-Items recipe only, and the `
        + `solution's recipe is '${recipe}'.`);
    }
    const region = Stack.of(job).region;
    if (!Token.isUnresolved(region) && !THEME_REGIONS.includes(region)) {
      problems.push(`Invalid mode of batch inference job '${path}': themes are offered in ${THEME_REGIONS.join(', ')} only, and the stack `
        + `is in ${region}.`);
    }
  }
  // The API reference: item exploration is "only for the User-Personalization recipe" (BatchInferenceJobConfig.itemExplorationConfig).
  if (props.itemExploration && recipe !== undefined && !USER_PERSONALIZATION.includes(recipe)) {
    problems.push(`Invalid itemExploration: the solution's recipe is '${recipe}', and item exploration applies to User-Personalization `
      + `recipes only (${USER_PERSONALIZATION.join(', ')}). Remove itemExploration.`);
  }
  return problems;
}
