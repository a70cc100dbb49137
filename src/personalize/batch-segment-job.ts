import { IResource, Resource } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BatchJob, BatchJobProps } from './batch-job';
import { buildBatchJob, solutionOf } from './private/batch-jobs';
import { BATCH_SEGMENT_JOB } from './private/declarations';
import { BATCH_ONLY, recipeName } from './private/serving';
import { refuseOrWarn } from '../private/checks';
import { importedPersonalizeResource } from '../private/imported';

/**
 * An Amazon Personalize batch segment job, owned by this app or imported.
 */
export interface IBatchSegmentJob extends IResource {
  /**
   * The ARN of the batch segment job.
   * @attribute
   */
  readonly batchSegmentJobArn: string;
}

/**
 * Properties of a batch segment job.
 */
export interface BatchSegmentJobProps extends BatchJobProps {
  /**
   * Run the job even if the synth check of its recipe refuses it.
   *
   * **Warning:** the check follows the Personalize developer guide ("Getting batch user
   * segments"): segments come from the Item-Affinity and Item-Attribute-Affinity recipes only.
   * A job Personalize refuses fails the deploy. What the check found is still printed at synth,
   * as a warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

/**
 * User segments: for each item or item attribute query of a JSON Lines file in S3, Personalize
 * writes the users most likely to interact with it to an output folder in S3. The solution must
 * use a user-segmentation recipe (Item-Affinity or Item-Attribute-Affinity).
 *
 * The job runs on deploy, and again whenever its inputs change; with `recurringRuns`, also on a
 * schedule (ADR 0018). Batch segment jobs can be neither stopped nor deleted: removing the
 * construct leaves the job, and its output stays in S3.
 *
 * **Cost:** billed per user in the segments written, for every run.
 *
 * @resource Custom::PersonalizeBatchSegmentJob
 */
export class BatchSegmentJob extends BatchJob implements IBatchSegmentJob {
  /**
   * Imports a batch segment job by its ARN, `…:batch-segment-job/NAME`.
   */
  public static fromBatchSegmentJobArn(scope: Construct, id: string, batchSegmentJobArn: string): IBatchSegmentJob {
    return importedPersonalizeResource<IBatchSegmentJob>(Resource, scope, id, BATCH_SEGMENT_JOB, 'batchSegmentJobArn', batchSegmentJobArn);
  }

  public get batchSegmentJobArn(): string {
    return this._deployed.arn;
  }

  /**
   * The name of the job run on deploy, generated.
   * @attribute
   */
  public get batchSegmentJobName(): string {
    return this._deployed.name;
  }

  constructor(scope: Construct, id: string, props: BatchSegmentJobProps) {
    super(scope, id);
    const recipe = recipeName(solutionOf(props)?.recipeArn);
    if (recipe !== undefined && !BATCH_ONLY.includes(recipe)) {
      refuseOrWarn(this, props.skipChecks, [`Invalid solutionVersion of batch segment job '${this.node.path}': recipe '${recipe}' does not make `
        + `user segments; only the user-segmentation recipes do (${BATCH_ONLY.join(', ')}). Use a BatchInferenceJob for recommendations, `
        + 'or a solution of Recipe.ITEM_AFFINITY or Recipe.ITEM_ATTRIBUTE_AFFINITY.']);
    }
    this._deployed = buildBatchJob(this, props, {
      kind: BATCH_SEGMENT_JOB,
      variant: 'segment',
      numResultsMax: { value: 5_000_000, source: 'the developer guide, "Creating a batch segment job": at most 5 million users per segment' },
      createOnVersion: false,
    });
  }
}
