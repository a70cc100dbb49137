import { Duration, ITaggable, Resource, TagManager } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IFilter } from './filter';
import type { BuiltBatchJob } from './private/batch-jobs';
import { waitBoundSeconds, waitChoice } from './private/job-wait';
import { RecurringRuns } from './recurring-runs';
import { ISolution } from './solution';
import { ISolutionVersion } from './solution-version';

/**
 * When the deployment is done with a batch job.
 */
export abstract class BatchJobWait {
  /**
   * Wait until the job is ACTIVE, and fail the deployment with the service's reason if the
   * job fails, or, shortly before `bound`, if it is still running (the job goes on then).
   * What depends on the construct starts after the job's output is written.
   *
   * The deploy is held by a CloudFormation wait condition that the stack's long wait signals
   * (a Step Functions state machine, ADR 0014), so `bound` may be up to 12 hours.
   */
  public static untilActive(bound: Duration): BatchJobWait {
    return waitChoice(BatchJobWait, 'active', waitBoundSeconds(bound, 'BatchJobWait', 'jobs'));
  }

  /**
   * Start the job and finish the deployment at once: the output lands in S3 later, or not
   * at all if the job fails. Check the job's status in Personalize.
   */
  public static startOnly(): BatchJobWait {
    return waitChoice(BatchJobWait, 'started');
  }

  /** @internal */
  public abstract readonly _mode: string;
  /** @internal */
  public abstract readonly _seconds?: number;
}

/**
 * What batch inference and batch segment jobs share. A job runs on deploy, and again whenever
 * any of these changes (a hash of them is part of its name); `recurringRuns` runs it on a
 * schedule too. Batch jobs can be neither stopped nor deleted in the API: removing the
 * construct leaves the job, and its output stays in S3.
 */
export interface BatchJobProps {
  /**
   * The trained solution version that makes the output. The job starts after the training,
   * and every recurring run uses this version. Give this or `solution`.
   * @default - none: `solution` must be given
   */
  readonly solutionVersion?: ISolutionVersion;

  /**
   * The solution whose latest ACTIVE version makes the output, whoever trained it (this app,
   * automatic training, a team's pipeline): the handler finds it when the job starts on
   * deploy, after the trainings of the solution this app declares. Recurring runs use the
   * version that deploy found (`solutionVersionArn`). Give this or `solutionVersion`.
   * @default - none: `solutionVersion` must be given
   */
  readonly solution?: ISolution;

  /** The bucket that holds the input, JSON Lines in the format of the job's recipe. */
  readonly inputBucket: s3.IBucket;

  /**
   * The key of the input file, or a prefix ending in `/` for every file under it (at most
   * 1,000 files and 1 GB, Personalize's quotas for a batch job's input).
   */
  readonly inputKey: string;

  /** The bucket Personalize writes the output to. */
  readonly outputBucket: s3.IBucket;

  /**
   * The folder the output goes to: a prefix ending in `/`. Personalize writes `<input file>.out`
   * there; a recurring run writes under `<outputPrefix><scheduled time>/`.
   */
  readonly outputPrefix: string;

  /**
   * A filter of the solution's dataset group, applied to the output.
   * @default - no filter
   */
  readonly filter?: IFilter;

  /**
   * How many results each line of input gets.
   * @default - the service's default (25)
   */
  readonly numResults?: number;

  /**
   * The role Personalize reads the input and writes the output with. A given role is not
   * changed: it must allow both itself (and the buckets' KMS keys).
   * @default - a role is created, trusted by Personalize for this account and region only, that may
   *   read exactly the input and write under the output prefix
   */
  readonly role?: iam.IRole;

  /**
   * A token of your own (for example a date) that runs the job again when it changes, although
   * nothing else did (new input under the same key).
   * @default - the job runs again only when what it does changes
   */
  readonly dataVersion?: string;

  /**
   * When the deployment is done with the job on deploy (recurring runs are never waited for).
   * @default BatchJobWait.untilActive(Duration.hours(12))
   */
  readonly wait?: BatchJobWait;

  /**
   * Run the job on a schedule too, with no function in between.
   * @default - the job runs on deploy only
   */
  readonly recurringRuns?: RecurringRuns;
}

/**
 * What a batch inference job and a batch segment job have alike: the job run on deploy, the role
 * it runs as, and its recurring runs.
 */
export abstract class BatchJob extends Resource implements ITaggable {
  /** @internal the job on deploy and what was made around it; each kind's constructor builds it */
  protected _deployed!: BuiltBatchJob;

  /**
   * The ARN of the solution version the job on deploy ran: the given one, or the solution's latest
   * when it started. Recurring runs use it.
   * @attribute
   */
  public get solutionVersionArn(): string {
    return this._deployed.solutionVersionArn;
  }

  /** The role Personalize reads the input and writes the output with. */
  public get role(): iam.IRole {
    return this._deployed.role;
  }

  /** Tags of the job run on deploy. */
  public get tags(): TagManager {
    return this._deployed.tags;
  }

  /** With `recurringRuns`: where refused runs go. */
  public get deadLetterQueue(): sqs.IQueue | undefined {
    return this._deployed.runs?.deadLetterQueue;
  }

  /**
   * With `recurringRuns`: the schedule group of the runs, whose metrics (`metricTargetErrors`,
   * `metricSentToDLQ`) count this job's runs only.
   */
  public get runsScheduleGroup(): scheduler.IScheduleGroup | undefined {
    return this._deployed.runs?.scheduleGroup;
  }
}
