/**
 * Batch inference jobs and batch segment jobs: a run of an ACTIVE solution version over input
 * data in S3, PENDING, IN PROGRESS, then ACTIVE or CREATE FAILED batchAfterMs later. Both kinds
 * are built here from one description each (Variant); only the recipes they take and the members
 * of their requests differ. The input is not read; the config says whether it is there and
 * whether the role may read it and write the output. The API has no delete or stop: a job goes
 * with its solution version.
 */
import type { ResourceKind } from '.';
import type { DatasetRecord } from './dataset';
import { Family, FamilyApi, FamilyRecord, TIMES } from './family';
import { Input, KindFactory, Output, paginate, ServiceCore } from '../core';
import { invalidInput, LimitExceeded, ServiceError } from '../errors';
import { BATCH_IN_FLIGHT, BATCH_NAMES, STATUS } from '../lifecycle';
import type { OperationName } from '../model';
import { requestTags } from '../tags';

interface BatchJobRecord extends FamilyRecord {
  /** Set once the output object has been handed to writeOutput. */
  outputWritten?: boolean;
}

type BatchJobType = 'BatchInferenceJob' | 'BatchSegmentJob';

/** What tells the two kinds of batch job apart. */
interface Rules {
  /** Members of its Describe output shape and its summary shape besides those both kinds have. */
  readonly ownDescribe: readonly string[];
  readonly ownSummary: readonly string[];
  /** The largest numResults the service takes, if the documentation gives one. */
  readonly maxNumResults?: number;
  /** One line of the output format of the service, for the object writeOutput receives. */
  readonly outputLine: Output;
  /** Why a solution trained with `recipe` (undefined: AutoML) cannot run this job; undefined when it can. */
  recipeRefusal(recipe: string | undefined): string | undefined;
  /** The members of the request that only this kind takes, checked against the recipe, as Describe shows them. */
  ownMembers(input: Input, recipe: string | undefined): Output;
}

/** A kind of batch job: its names, all derived from the model's name of its shape, and its rules. */
interface Variant extends Rules {
  readonly kind: Extract<ResourceKind, Uncapitalize<BatchJobType>>;
  /** Its name in messages: 'Batch inference job'. */
  readonly label: string;
  /** The resource part of its ARN: `batch-inference-job/NAME`. */
  readonly arnPrefix: string;
  readonly operations: { readonly create: OperationName; readonly describe: OperationName; readonly list: OperationName };
  readonly api: FamilyApi;
}

function variantOf(type: BatchJobType, rules: Rules): Variant {
  const kind = `${type[0].toLowerCase()}${type.slice(1)}` as Uncapitalize<BatchJobType>;
  const words = type.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`).trim();
  const arnMember = `${kind}Arn`;
  return {
    ...rules,
    kind,
    label: `${words[0].toUpperCase()}${words.slice(1)}`,
    arnPrefix: words.replace(/ /g, '-'),
    operations: { create: `Create${type}`, describe: `Describe${type}`, list: `List${type}s` },
    api: {
      arnMember,
      listMember: `${kind}s`,
      listedBy: 'solutionArn', // unused: the List is filtered by solutionVersionArn (batchJobKind)
      describe: [
        'jobName', arnMember, 'filterArn', 'failureReason', 'solutionVersionArn', 'numResults', 'jobInput', 'jobOutput', 'roleArn', 'status',
        ...TIMES, ...rules.ownDescribe,
      ],
      summary: [arnMember, 'jobName', 'status', ...TIMES, 'failureReason', 'solutionVersionArn', ...rules.ownSummary],
    },
  };
}

/**
 * Recipes are named by the last part of their ARN (`arn:aws:personalize:::recipe/aws-item-affinity`).
 * https://docs.aws.amazon.com/personalize/latest/dg/user-segmentation-recipes.html: Item-Affinity and
 * Item-Attribute-Affinity are the USER_SEGMENTATION recipes; "To create user segments, you train a solution
 * version with the ... recipe, and then create a batch segment job".
 */
const SEGMENTATION_RECIPES = ['aws-item-affinity', 'aws-item-attribute-affinity'];
/**
 * https://docs.aws.amazon.com/personalize/latest/dg/API_CreateBatchInferenceJob.html: "You can't get batch
 * recommendations with the Trending-Now or Next-Best-Action recipes"; USER_PERSONALIZATION, PERSONALIZED_RANKING,
 * RELATED_ITEMS and Popularity-Count solutions get batch recommendations
 * (https://docs.aws.amazon.com/personalize/latest/dg/batch-inference-job-output-examples.html). The
 * segmentation recipes only make batch segment jobs (above).
 */
const NO_BATCH_INFERENCE = ['aws-trending-now', 'aws-next-best-action', ...SEGMENTATION_RECIPES];
/**
 * https://docs.aws.amazon.com/personalize/latest/dg/themed-batch-recommendations.html: "Your solution must use the
 * Similar-Items recipe"; API_CreateBatchInferenceJob.html: "set the job's mode to THEME_GENERATION and specify the
 * name of the field that contains item names".
 */
const THEME_RECIPE = 'aws-similar-items';
/**
 * https://docs.aws.amazon.com/personalize/latest/dg/limits.html, quotas for each region: "Total number of pending or
 * in progress batch inference jobs. 5" and "... batch segment jobs. 5", each kind counted apart.
 */
const MAX_RUNNING_JOBS = 5;
/**
 * creating-batch-inference-job.html and creating-batch-seg-job.html (console): the number of results (users for a
 * segment) "The default is 25".
 */
const DEFAULT_NUM_RESULTS = 25;

const recipeName = (recipe: string | undefined) => recipe?.slice(recipe.lastIndexOf('/') + 1);

const INFERENCE = variantOf('BatchInferenceJob', {
  ownDescribe: ['batchInferenceJobConfig', 'batchInferenceJobMode', 'themeGenerationConfig'],
  ownSummary: ['batchInferenceJobMode'],
  recipeRefusal: (recipe) => (NO_BATCH_INFERENCE.includes(recipeName(recipe) ?? '')
    ? `Batch inference jobs cannot use a solution version trained with ${recipe}: batch recommendations need a USER_PERSONALIZATION, `
      + 'PERSONALIZED_RANKING, RELATED_ITEMS or Popularity-Count recipe (not Trending-Now, Next-Best-Action or a USER_SEGMENTATION recipe).'
    : undefined),
  ownMembers: (input, recipe) => {
    const mode: string = input.batchInferenceJobMode ?? 'BATCH_INFERENCE';
    if (mode === 'THEME_GENERATION') {
      if (recipeName(recipe) !== THEME_RECIPE) {
        throw invalidInput(`batchInferenceJobMode THEME_GENERATION needs a solution version trained with the Similar-Items recipe (${THEME_RECIPE}), not ${recipe ?? 'AutoML'}.`);
      }
      if (input.themeGenerationConfig === undefined) {
        throw invalidInput('batchInferenceJobMode THEME_GENERATION needs a themeGenerationConfig naming the item name column.');
      }
    }
    const { batchInferenceJobConfig, themeGenerationConfig } = input;
    return { batchInferenceJobConfig, batchInferenceJobMode: mode, themeGenerationConfig };
  },
  // https://docs.aws.amazon.com/personalize/latest/dg/batch-inference-job-output-examples.html
  outputLine: { input: {}, output: { recommendedItems: [], scores: [] }, error: null },
});

const SEGMENT = variantOf('BatchSegmentJob', {
  ownDescribe: [],
  ownSummary: [],
  recipeRefusal: (recipe) => (SEGMENTATION_RECIPES.includes(recipeName(recipe) ?? '')
    ? undefined
    : `Batch segment jobs need a solution version trained with a USER_SEGMENTATION recipe (${SEGMENTATION_RECIPES.join(', ')}), not ${recipe ?? 'AutoML'}.`),
  ownMembers: () => ({}),
  // https://docs.aws.amazon.com/personalize/latest/dg/API_CreateBatchSegmentJob.html (numResults): "The maximum number of
  // users per segment is 5 million"; limits.html: "Maximum number of users per segment 5 million".
  maxNumResults: 5_000_000,
  // https://docs.aws.amazon.com/personalize/latest/dg/batch-segment-job-output-examples.html
  outputLine: { input: {}, output: { recommendedUsers: [] }, error: null },
});

/** `s3://b/out/` and `s3://b/in/users.json` give `s3://b/out/users.json.out` (creating-batch-inference-job.html: "input-name.out"). */
function outputLocation(job: BatchJobRecord): string {
  const input: string = (job.details.jobInput as any).s3DataSource.path;
  const output: string = (job.details.jobOutput as any).s3DataDestination.path;
  const inputName = input.split('/').filter((part) => part !== '').pop();
  return `${output.endsWith('/') ? output : `${output}/`}${inputName}.out`;
}

function batchJobKind(variant: Variant): KindFactory {
  return (core: ServiceCore) => {
    const jobs = new Family<BatchJobRecord>(core, variant.kind, variant.api);
    const { config } = core;
    const noun = `${variant.label.toLowerCase()}s`;

    function create(input: Input, now: number): Output {
      const tags = requestTags(input);
      const numResults: number = input.numResults ?? DEFAULT_NUM_RESULTS;
      // The model gives numResults no range; a count below 1 is this fake's refusal.
      if (numResults < 1) throw invalidInput(`numResults must be at least 1, got ${numResults}.`);
      if (variant.maxNumResults !== undefined && numResults > variant.maxNumResults) {
        throw invalidInput(`numResults must be at most ${variant.maxNumResults}, got ${numResults}.`);
      }
      const version = core.find<FamilyRecord>(input.solutionVersionArn, 'solutionVersion');
      // The version must be trained: ResourceInUseException, as for CreateCampaign (the API reference names no other error).
      core.requireActive(version, now, `before a ${variant.label.toLowerCase()} can use it`);
      const solution = core.find<FamilyRecord>(version.solutionArn!, 'solution');
      const recipe = solution.details.recipeArn as string | undefined;
      const refusal = variant.recipeRefusal(recipe);
      if (refusal) throw invalidInput(refusal);
      const own = variant.ownMembers(input, recipe);
      if (input.filterArn !== undefined) requireFilterOf(core, input.filterArn, version.datasetGroupArn);
      const running = core.withStatus(jobs.all(), BATCH_IN_FLIGHT, now);
      if (running.length >= MAX_RUNNING_JOBS) {
        throw new ServiceError(LimitExceeded, `The limit of ${MAX_RUNNING_JOBS} pending or in progress ${noun} has been reached.`);
      }
      const details: Output = {
        jobName: input.jobName,
        filterArn: input.filterArn,
        numResults,
        jobInput: input.jobInput,
        jobOutput: input.jobOutput,
        roleArn: input.roleArn,
        ...own,
      };
      const arn = core.arn(`${variant.arnPrefix}/${input.jobName}`);
      const fields = {
        name: input.jobName, arn, datasetGroupArn: version.datasetGroupArn, solutionArn: solution.arn, solutionVersionArn: version.arn, details,
      };
      const output = jobs.create(now, fields, tags);
      const reason = dataProblem(input.roleArn, input.jobInput.s3DataSource.path, input.jobOutput.s3DataDestination.path);
      if (reason) core.put({ ...jobs.find(arn), outcome: { kind: 'fail', reason } });
      return output;
    }

    /** Why the service, once it runs the job, fails it for its data; undefined when it does not. */
    function dataProblem(roleArn: string, inputPath: string, outputPath: string): string | undefined {
      if (config.dataExists && !config.dataExists(inputPath)) {
        return `Input data not found at ${inputPath}. Check the S3 path and the role's access to it.`;
      }
      // Personalize reads the input and writes the output as the role the job passes.
      const readDenied = config.readDenied?.(roleArn, inputPath);
      if (readDenied) return `Insufficient privileges for accessing data in S3: ${readDenied}`;
      const writeDenied = config.writeDenied?.(roleArn, outputPath);
      if (writeDenied) return `Insufficient privileges for writing data to S3: ${writeDenied}`;
      return undefined;
    }

    /** The jobs of one solution version, or every job; an unknown version has none (the model declares no ResourceNotFoundException). */
    function list(input: Input, now: number): Output {
      const all = jobs.all().filter((j) => input.solutionVersionArn === undefined || j.solutionVersionArn === input.solutionVersionArn);
      const { page, nextToken } = paginate(all, input);
      return { [variant.api.listMember]: page.map((j) => jobs.summary(j, now)), nextToken };
    }

    return {
      label: variant.label,
      creationMs: config.batchAfterMs,
      createNames: BATCH_NAMES,
      operations: { [variant.operations.create]: create, [variant.operations.describe]: jobs.describe, [variant.operations.list]: list },
      parentArn: (job: BatchJobRecord) => job.solutionVersionArn!,
      // The output appears when the job is first seen ACTIVE: statuses come from the clock, not from timers.
      settle: (job: BatchJobRecord, phase) => {
        if (phase.status !== STATUS.active || job.outputWritten || !config.writeOutput) return;
        job.outputWritten = true;
        config.writeOutput(outputLocation(job), `${JSON.stringify(variant.outputLine)}\n`);
      },
      snapshot: jobs.snapshot,
      blocks: {
        // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: "No associated BatchInferenceJob or
        // BatchSegmentJob can have a status of CREATE PENDING or IN PROGRESS" (their statuses are PENDING and IN PROGRESS).
        dataset: {
          reason: `is used by ${noun} in progress`,
          blocking: (dataset: DatasetRecord, now) =>
            core.withStatus(jobs.all().filter((j) => j.datasetGroupArn === dataset.datasetGroupArn), BATCH_IN_FLIGHT, now),
        },
      },
    };
  };
}

/**
 * A batch job's filter must exist and be a filter of the solution's dataset group: InvalidInputException otherwise
 * (https://docs.aws.amazon.com/personalize/latest/dg/filter-batch.html: the filter is created for the dataset group and
 * filters the job's output; which error AWS answers is not documented).
 */
function requireFilterOf(core: ServiceCore, filterArn: string, datasetGroupArn: string): void {
  const filter = core.get(filterArn) as FamilyRecord | undefined;
  if (!filter || filter.kind !== 'filter') throw invalidInput(`Filter ${filterArn} does not exist.`);
  if (filter.datasetGroupArn !== datasetGroupArn) {
    throw invalidInput(`Filter ${filterArn} belongs to dataset group ${filter.datasetGroupArn}, not to the solution's dataset group ${datasetGroupArn}.`);
  }
}

export const batchInferenceJobKind = batchJobKind(INFERENCE);
export const batchSegmentJobKind = batchJobKind(SEGMENT);
