/**
 * The state and the rules of the local Amazon Personalize service: dataset
 * groups, schemas, datasets and the resources built on them (solutions and
 * their versions, campaigns, recommenders, event trackers, filters, metric
 * attributions), their lifecycles and the errors the real service raises. It
 * knows nothing about HTTP; `server.ts` puts it on the wire.
 *
 * Lifecycles are computed on read from timestamps (see lifecycle.ts), so what
 * a request sees depends only on the clock and on holds, never on timers firing.
 */
import { randomBytes, randomUUID } from 'crypto';
import {
  alreadyExists, inUse, InvalidNextToken, invalidInput, LimitExceeded, notFound,
  ServiceError, TooManyTagKeys, TooManyTags,
} from './errors';
import {
  CREATE_NAMES, deletion, epoch, Hold, HoldState, Outcome, Phase, progress, START_NAMES, STATUS, STOP_NAMES, stopping, UPDATE_NAMES,
} from './lifecycle';
import { INPUT_SHAPES, OperationName, validateInput } from './model';

export { STATUS } from './lifecycle';
export type { Hold } from './lifecycle';

/** The kinds built on a dataset group, which share one record type and one lifecycle. */
export type FamilyKind = 'solution' | 'solutionVersion' | 'campaign' | 'recommender' | 'eventTracker' | 'filter' | 'metricAttribution'
  | 'datasetImportJob';
export type ResourceKind = 'datasetGroup' | 'schema' | 'dataset' | FamilyKind;

export interface ServiceConfig {
  readonly activeAfterMs: number;
  readonly deleteAfterMs: number;
  readonly updateAfterMs: number;
  /** Time a solution version takes from CREATE PENDING to ACTIVE. */
  readonly trainAfterMs: number;
  /** Time a dataset import job takes from CREATE PENDING to ACTIVE. */
  readonly importAfterMs: number;
  readonly region: string;
  readonly accountId: string;
  readonly maxDatasetGroups: number;
  readonly maxSchemas: number;
  readonly strictSchemas: boolean;
  readonly now: () => number;
  /** Whether an import job's data location holds data (a local S3); without it, every location does. */
  readonly dataExists?: (location: string) => boolean;
  /** Why the role a job passes cannot read its data location (IAM, KMS), in AWS's words; undefined when it can. */
  readonly readDenied?: (roleArn: string | undefined, location: string) => string | undefined;
  /** Why a dataset group's key cannot be used by the role it passes or by Personalize for the group, in KMS's words. */
  readonly keyDenied?: (roleArn: string, kmsKeyArn: string, datasetGroupArn: string) => string | undefined;
}

/** What currently exists, for assertions in tests. */
export interface ResourceSnapshot {
  readonly kind: ResourceKind;
  readonly arn: string;
  /** '' for a solution version created without a name. */
  readonly name: string;
  /** Absent for schemas, which have no status. */
  readonly status?: string;
  /** Also for datasets, whose Describe output has no failureReason member. */
  readonly failureReason?: string;
  readonly tags: Record<string, string>;
  readonly domain?: string;
  readonly datasetGroupArn?: string;
  readonly datasetType?: string;
  readonly schemaArn?: string;
  /** Status of the dataset's latest UpdateDataset, if any. */
  readonly updateStatus?: string;
  /** Solution versions and campaigns. */
  readonly solutionArn?: string;
  /** Campaigns. */
  readonly solutionVersionArn?: string;
}

interface Lifecycle {
  readonly createdAt: number;
  readonly outcome: Outcome;
  /** Set when the resource was created under holdCreation(). */
  readonly hold?: HoldState;
  deleteRequestedAt?: number;
}

interface DatasetGroupRecord extends Lifecycle {
  readonly kind: 'datasetGroup';
  readonly name: string;
  readonly arn: string;
  readonly domain?: string;
  readonly roleArn?: string;
  readonly kmsKeyArn?: string;
  readonly tags: Map<string, string>;
}

interface SchemaRecord {
  readonly kind: 'schema';
  readonly name: string;
  readonly arn: string;
  readonly schema: string;
  readonly domain?: string;
  readonly createdAt: number;
  readonly tags: Map<string, string>;
}

interface DatasetUpdate {
  readonly schemaArn: string;
  readonly startedAt: number;
  readonly outcome: Outcome;
  readonly hold?: HoldState;
  applied: boolean;
}

interface DatasetRecord extends Lifecycle {
  readonly kind: 'dataset';
  readonly name: string;
  readonly arn: string;
  readonly datasetGroupArn: string;
  readonly datasetType: string;
  schemaArn: string;
  schemaChangedAt?: number;
  readonly trackingId?: string;
  update?: DatasetUpdate;
  readonly tags: Map<string, string>;
}

/** A solution, solution version, campaign, recommender, event tracker, filter or metric attribution. */
interface FamilyRecord extends Lifecycle {
  readonly kind: FamilyKind;
  /** Undefined only for a solution version created without a name. */
  readonly name?: string;
  readonly arn: string;
  readonly datasetGroupArn: string;
  readonly solutionArn?: string;
  /** Changes with UpdateCampaign. */
  solutionVersionArn?: string;
  /** Dataset import jobs. */
  readonly datasetArn?: string;
  readonly tags: Map<string, string>;
  /** Members of the Describe output fixed at creation (recipeArn, solutionConfig, trackingId, ...). */
  readonly details: Output;
  /** StopSolutionVersionCreation. */
  stop?: { readonly at: number; readonly fromInProgress: boolean };
  /** UpdateMetricAttribution: the metrics and output config it sets once it ends ACTIVE. */
  attributionUpdate?: AttributionUpdate;
  /** UpdateCampaign / UpdateRecommender: the members of the Describe output it sets once it ends ACTIVE. */
  servingUpdate?: ServingUpdate;
  /** StartRecommender / StopRecommender. */
  switching?: { readonly at: number; readonly to: 'start' | 'stop' };
  /** UpdateSolution: tracked apart from the solution's own status, as latestSolutionUpdate. */
  solutionUpdate?: SolutionUpdate;
}

interface ServingUpdate {
  readonly startedAt: number;
  readonly outcome: Outcome;
  readonly hold?: HoldState;
  /** What the update asked for, as latestCampaignUpdate / latestRecommenderUpdate show it. */
  readonly requested: Output;
  applied: boolean;
}

interface SolutionUpdate {
  readonly startedAt: number;
  readonly outcome: Outcome;
  readonly hold?: HoldState;
  readonly performAutoTraining?: boolean;
  readonly performIncrementalUpdate?: boolean;
  readonly solutionUpdateConfig?: Output;
  applied: boolean;
}

interface AttributionUpdate {
  readonly startedAt: number;
  readonly outcome: Outcome;
  readonly hold?: HoldState;
  readonly metrics: Output[];
  readonly metricsOutputConfig: Output;
  applied: boolean;
}

type ResourceRecord = DatasetGroupRecord | SchemaRecord | DatasetRecord | FamilyRecord;
type LifecycleRecord = DatasetGroupRecord | DatasetRecord | FamilyRecord;

/** How each kind of the family appears in the API, transcribed from the output shapes of the model. */
interface FamilyApi {
  /** The ARN member of its Describe output and of its Create output. */
  readonly arnMember: string;
  /** The member holding the page in its List output. */
  readonly listMember: string;
  /** The List operation filters by this member of the request. */
  readonly listedBy: 'datasetGroupArn' | 'solutionArn' | 'datasetArn';
  /** Members of the Describe output shape. */
  readonly describe: readonly string[];
  /** Members of the summary shape of the List output. */
  readonly summary: readonly string[];
}

const TIMES = ['creationDateTime', 'lastUpdatedDateTime'];
const FAMILY: Record<FamilyKind, FamilyApi> = {
  solution: {
    arnMember: 'solutionArn',
    listMember: 'solutions',
    listedBy: 'datasetGroupArn',
    describe: [
      'name', 'solutionArn', 'performHPO', 'performAutoML', 'performAutoTraining', 'performIncrementalUpdate', 'recipeArn',
      'datasetGroupArn', 'eventType', 'solutionConfig', 'status', ...TIMES, 'latestSolutionVersion', 'latestSolutionUpdate',
    ],
    summary: ['name', 'solutionArn', 'status', ...TIMES, 'recipeArn'],
  },
  solutionVersion: {
    arnMember: 'solutionVersionArn',
    listMember: 'solutionVersions',
    listedBy: 'solutionArn',
    describe: [
      'name', 'solutionVersionArn', 'solutionArn', 'performHPO', 'performAutoML', 'performIncrementalUpdate', 'recipeArn',
      'eventType', 'datasetGroupArn', 'solutionConfig', 'trainingMode', 'status', 'failureReason', ...TIMES, 'trainingType',
    ],
    summary: ['solutionVersionArn', 'status', 'trainingMode', 'trainingType', ...TIMES, 'failureReason'],
  },
  campaign: {
    arnMember: 'campaignArn',
    listMember: 'campaigns',
    listedBy: 'solutionArn',
    describe: [
      'name', 'campaignArn', 'solutionVersionArn', 'minProvisionedTPS', 'campaignConfig', 'status', 'failureReason', ...TIMES,
      'latestCampaignUpdate',
    ],
    summary: ['name', 'campaignArn', 'status', ...TIMES, 'failureReason'],
  },
  recommender: {
    arnMember: 'recommenderArn',
    listMember: 'recommenders',
    listedBy: 'datasetGroupArn',
    describe: [
      'recommenderArn', 'datasetGroupArn', 'name', 'recipeArn', 'recommenderConfig', ...TIMES, 'status', 'failureReason',
      'latestRecommenderUpdate',
    ],
    summary: ['name', 'recommenderArn', 'datasetGroupArn', 'recipeArn', 'recommenderConfig', 'status', ...TIMES],
  },
  eventTracker: {
    arnMember: 'eventTrackerArn',
    listMember: 'eventTrackers',
    listedBy: 'datasetGroupArn',
    describe: ['name', 'eventTrackerArn', 'accountId', 'trackingId', 'datasetGroupArn', 'status', ...TIMES],
    summary: ['name', 'eventTrackerArn', 'status', ...TIMES],
  },
  filter: {
    arnMember: 'filterArn',
    listMember: 'Filters', // sic: the only capitalised list member of the model
    listedBy: 'datasetGroupArn',
    describe: ['name', 'filterArn', ...TIMES, 'datasetGroupArn', 'failureReason', 'filterExpression', 'status'],
    summary: ['name', 'filterArn', ...TIMES, 'datasetGroupArn', 'failureReason', 'status'],
  },
  metricAttribution: {
    arnMember: 'metricAttributionArn',
    listMember: 'metricAttributions',
    listedBy: 'datasetGroupArn',
    describe: ['name', 'metricAttributionArn', 'datasetGroupArn', 'metricsOutputConfig', 'status', ...TIMES, 'failureReason'],
    summary: ['name', 'metricAttributionArn', 'status', ...TIMES, 'failureReason'],
  },
  datasetImportJob: {
    arnMember: 'datasetImportJobArn',
    listMember: 'datasetImportJobs',
    listedBy: 'datasetArn',
    describe: [
      'jobName', 'datasetImportJobArn', 'datasetArn', 'dataSource', 'roleArn', 'status', ...TIMES, 'failureReason', 'importMode',
      'publishAttributionMetricsToS3',
    ],
    summary: ['datasetImportJobArn', 'jobName', 'status', ...TIMES, 'failureReason', 'importMode'],
  },
};

/** Names of the kinds in messages. */
const LABEL: Record<ResourceKind, string> = {
  datasetGroup: 'Dataset group',
  schema: 'Schema',
  dataset: 'Dataset',
  solution: 'Solution',
  solutionVersion: 'Solution version',
  campaign: 'Campaign',
  recommender: 'Recommender',
  eventTracker: 'Event tracker',
  filter: 'Filter',
  metricAttribution: 'Metric attribution',
  datasetImportJob: 'Dataset import job',
};

/** Statuses of a resource whose creation is still under way. */
const IN_FLIGHT: readonly string[] = [STATUS.createPending, STATUS.createInProgress, STATUS.createStopping];

/** Canonical dataset types; the API accepts them in any case. */
const DATASET_TYPES = ['Interactions', 'Items', 'Users', 'Actions', 'Action_Interactions'];
const DOMAIN_FORBIDDEN_TYPES = ['Actions', 'Action_Interactions'];
const UPDATABLE_TYPES = ['Items', 'Users'];
/** Fields a schema must have to be used for a dataset of each type. */
const REQUIRED_FIELDS: Record<string, string[]> = {
  Interactions: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'],
  Items: ['ITEM_ID'],
  Users: ['USER_ID'],
  Actions: ['ACTION_ID'],
  Action_Interactions: ['USER_ID', 'ACTION_ID', 'TIMESTAMP', 'EVENT_TYPE'],
};
/** Recipe name prefixes of the use cases of each domain (recipe/aws-ecomm-..., recipe/aws-vod-...). */
const DOMAIN_RECIPE_PREFIX: Record<string, string> = { ECOMMERCE: 'aws-ecomm-', VIDEO_ON_DEMAND: 'aws-vod-' };
/** The forms a filter expression starts with; the rest of the grammar is not checked. */
const FILTER_EXPRESSION = /^\s*(INCLUDE|EXCLUDE)\s+(ItemID|ActionID|UserID)\s+WHERE\s+\S/;
const MAX_TAGS = 50;

type Input = Record<string, any>;
type Output = Record<string, unknown>;

export class PersonalizeService {
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly creationOutcomes = new Map<string, { outcome: Outcome; kind?: ResourceKind }>();
  private readonly updateOutcomes = new Map<string, Outcome>();
  private creationHolds: HoldState[] = [];
  private updateHolds: HoldState[] = [];
  private readonly handlers: Record<OperationName, (input: Input, now: number) => Output>;

  constructor(private readonly config: ServiceConfig) {
    this.handlers = {
      CreateDatasetGroup: (i, n) => this.createDatasetGroup(i, n),
      DescribeDatasetGroup: (i, n) => ({ datasetGroup: this.datasetGroupOutput(this.find(i.datasetGroupArn, 'datasetGroup'), n) }),
      DeleteDatasetGroup: (i, n) => this.deleteDatasetGroup(i, n),
      ListDatasetGroups: (i, n) => this.listDatasetGroups(i, n),
      CreateSchema: (i, n) => this.createSchema(i, n),
      DescribeSchema: (i) => ({ schema: this.schemaOutput(this.find(i.schemaArn, 'schema')) }),
      DeleteSchema: (i) => this.deleteSchema(i),
      ListSchemas: (i) => this.listSchemas(i),
      CreateDataset: (i, n) => this.createDataset(i, n),
      DescribeDataset: (i, n) => ({ dataset: this.datasetOutput(this.find(i.datasetArn, 'dataset'), n) }),
      DeleteDataset: (i, n) => this.deleteDataset(i, n),
      UpdateDataset: (i, n) => this.updateDataset(i, n),
      ListDatasets: (i, n) => this.listDatasets(i, n),
      TagResource: (i) => this.tagResource(i),
      UntagResource: (i) => this.untagResource(i),
      ListTagsForResource: (i) => ({ tags: tagList(this.findAny(i.resourceArn).tags) }),
      CreateSolution: (i, n) => this.createSolution(i, n),
      DescribeSolution: (i, n) => this.describe('solution', i.solutionArn, n),
      UpdateSolution: (i, n) => this.updateSolution(i, n),
      DeleteSolution: (i, n) => this.deleteSolution(i, n),
      ListSolutions: (i, n) => this.list('solution', i, n),
      CreateSolutionVersion: (i, n) => this.createSolutionVersion(i, n),
      DescribeSolutionVersion: (i, n) => this.describe('solutionVersion', i.solutionVersionArn, n),
      ListSolutionVersions: (i, n) => this.listSolutionVersions(i, n),
      StopSolutionVersionCreation: (i, n) => this.stopSolutionVersionCreation(i, n),
      CreateCampaign: (i, n) => this.createCampaign(i, n),
      DescribeCampaign: (i, n) => this.describeServing('campaign', i.campaignArn, n),
      DeleteCampaign: (i, n) => this.beginDelete(this.find(i.campaignArn, 'campaign'), n),
      ListCampaigns: (i, n) => this.list('campaign', i, n),
      CreateRecommender: (i, n) => this.createRecommender(i, n),
      DescribeRecommender: (i, n) => this.describeServing('recommender', i.recommenderArn, n),
      DeleteRecommender: (i, n) => this.beginDelete(this.find(i.recommenderArn, 'recommender'), n),
      ListRecommenders: (i, n) => this.list('recommender', i, n),
      CreateEventTracker: (i, n) => this.createEventTracker(i, n),
      DescribeEventTracker: (i, n) => this.describe('eventTracker', i.eventTrackerArn, n),
      DeleteEventTracker: (i, n) => this.beginDelete(this.find(i.eventTrackerArn, 'eventTracker'), n),
      ListEventTrackers: (i, n) => this.list('eventTracker', i, n),
      CreateFilter: (i, n) => this.createFilter(i, n),
      DescribeFilter: (i, n) => this.describe('filter', i.filterArn, n),
      DeleteFilter: (i, n) => this.beginDelete(this.find(i.filterArn, 'filter'), n),
      ListFilters: (i, n) => this.list('filter', i, n),
      CreateMetricAttribution: (i, n) => this.createMetricAttribution(i, n),
      DescribeMetricAttribution: (i, n) => this.describe('metricAttribution', i.metricAttributionArn, n),
      DeleteMetricAttribution: (i, n) => this.beginDelete(this.find(i.metricAttributionArn, 'metricAttribution'), n),
      ListMetricAttributions: (i, n) => this.list('metricAttribution', i, n),
      CreateDatasetImportJob: (i, n) => this.createDatasetImportJob(i, n),
      DescribeDatasetImportJob: (i, n) => ({ datasetImportJob: this.familyOutput(this.find(i.datasetImportJobArn, 'datasetImportJob'), n, FAMILY.datasetImportJob.describe) }),
      ListDatasetImportJobs: (i, n) => this.list('datasetImportJob', i, n),
      UpdateMetricAttribution: (i, n) => this.updateMetricAttribution(i, n),
      UpdateCampaign: (i, n) => this.updateCampaign(i, n),
      UpdateRecommender: (i, n) => this.updateRecommender(i, n),
      StartRecommender: (i, n) => this.switchRecommender(i, n, 'start'),
      StopRecommender: (i, n) => this.switchRecommender(i, n, 'stop'),
      ListMetricAttributionMetrics: (i) => this.listMetricAttributionMetrics(i),
    };
  }

  /** Validates the input against the model, then runs the operation. Throws ServiceError. */
  public handle(operation: OperationName, input: unknown): Output {
    validateInput(INPUT_SHAPES[operation], input);
    const now = this.config.now();
    this.sweep(now);
    return this.handlers[operation](input as Input, now);
  }

  // ---- behaviour injection ------------------------------------------------

  public failCreation(name: string, reason: string, kind?: ResourceKind): void {
    this.creationOutcomes.set(name, { outcome: { kind: 'fail', reason }, kind });
  }

  public neverActivate(name: string, kind?: ResourceKind): void {
    this.creationOutcomes.set(name, { outcome: { kind: 'hang' }, kind });
  }

  public failUpdate(datasetName: string, reason: string): void {
    this.updateOutcomes.set(datasetName, { kind: 'fail', reason });
  }

  public holdCreation(name: string, kind?: ResourceKind): Hold {
    const hold = new HoldState(name, kind, this.config.now);
    this.creationHolds.push(hold);
    return hold;
  }

  public holdUpdate(datasetName: string): Hold {
    const hold = new HoldState(datasetName, undefined, this.config.now);
    this.updateHolds.push(hold);
    return hold;
  }

  /** Forgets failCreation / neverActivate / failUpdate and disarms holds; what a hold already holds stays held until released. */
  public clearBehaviours(): void {
    this.creationOutcomes.clear();
    this.updateOutcomes.clear();
    this.creationHolds = [];
    this.updateHolds = [];
  }

  // ---- introspection ---------------------------------------------------------

  public snapshot(): ResourceSnapshot[] {
    const now = this.config.now();
    this.sweep(now);
    return [...this.resources.values()].map((r) => {
      const tags = Object.fromEntries(r.tags);
      switch (r.kind) {
        case 'schema':
          return { kind: r.kind, arn: r.arn, name: r.name, tags, domain: r.domain };
        case 'datasetGroup': {
          const phase = this.phase(r, now);
          return { kind: r.kind, arn: r.arn, name: r.name, tags, status: phase.status, failureReason: phase.failureReason, domain: r.domain };
        }
        case 'dataset': {
          const phase = this.phase(r, now);
          return {
            kind: r.kind,
            arn: r.arn,
            name: r.name,
            tags,
            status: phase.status,
            failureReason: phase.failureReason,
            datasetGroupArn: r.datasetGroupArn,
            datasetType: r.datasetType,
            schemaArn: r.schemaArn,
            updateStatus: r.update ? this.updatePhase(r.update, now).status : undefined,
          };
        }
        default: {
          const phase = this.phase(r, now);
          return {
            kind: r.kind,
            arn: r.arn,
            name: r.name ?? '',
            tags,
            status: phase.status,
            failureReason: phase.failureReason,
            datasetGroupArn: r.datasetGroupArn,
            solutionArn: r.solutionArn,
            solutionVersionArn: r.solutionVersionArn,
          };
        }
      }
    });
  }

  // ---- lifecycles -------------------------------------------------------------

  /**
   * CREATE PENDING for the first third of activeAfterMs, then CREATE IN_PROGRESS,
   * then ACTIVE or CREATE FAILED at activeAfterMs (trainAfterMs for solution
   * versions; a full duration after the release for held resources). A delete
   * shows DELETE PENDING (groups) or DELETE PENDING then DELETE IN_PROGRESS
   * (every other kind) for deleteAfterMs.
   */
  private phase(r: LifecycleRecord, now: number): Phase {
    const { activeAfterMs, deleteAfterMs, trainAfterMs } = this.config;
    if (r.deleteRequestedAt !== undefined) return deletion(r.deleteRequestedAt, deleteAfterMs, r.kind !== 'datasetGroup', now);
    if (r.kind === 'solutionVersion' && r.stop) return stopping(r.stop, activeAfterMs / 3, now);
    if (r.kind === 'recommender' && r.switching) return this.switchPhase(r.switching, now);
    if (r.kind === 'metricAttribution' && r.attributionUpdate) {
      const { updateAfterMs } = this.config;
      const u = r.attributionUpdate;
      return progress(u.startedAt, { pendingMs: updateAfterMs / 3, doneMs: updateAfterMs }, u.hold, u.outcome, now, UPDATE_NAMES);
    }
    const doneMs = r.kind === 'solutionVersion' ? trainAfterMs : r.kind === 'datasetImportJob' ? this.config.importAfterMs : activeAfterMs;
    return progress(r.createdAt, { pendingMs: activeAfterMs / 3, doneMs }, r.hold, r.outcome, now, CREATE_NAMES);
  }

  private updatePhase(u: DatasetUpdate, now: number): Phase {
    const { updateAfterMs } = this.config;
    return progress(u.startedAt, { pendingMs: updateAfterMs / 3, doneMs: updateAfterMs }, u.hold, u.outcome, now, UPDATE_NAMES);
  }

  /**
   * Removes resources whose delete has finished (and the versions of removed
   * solutions), and applies finished dataset updates.
   */
  private sweep(now: number): void {
    for (const r of [...this.resources.values()]) {
      if (r.kind === 'schema') continue;
      const phase = this.phase(r, now);
      if (phase.gone) {
        this.resources.delete(r.arn);
        continue;
      }
      if ((r.kind === 'campaign' || r.kind === 'recommender') && r.servingUpdate && !r.servingUpdate.applied) this.applyServingUpdate(r, r.servingUpdate, now);
      if (r.kind === 'metricAttribution' && r.attributionUpdate && !r.attributionUpdate.applied && phase.status === STATUS.active) {
        // What the update set becomes what Describe and ListMetricAttributionMetrics answer.
        (r.details as Record<string, unknown>).metrics = r.attributionUpdate.metrics;
        (r.details as Record<string, unknown>).metricsOutputConfig = r.attributionUpdate.metricsOutputConfig;
        r.attributionUpdate.applied = true;
      }
      if (r.kind === 'solution' && r.solutionUpdate && !r.solutionUpdate.applied) {
        const u = r.solutionUpdate;
        const up = this.solutionUpdatePhase(u, now);
        if (up.status === STATUS.active) {
          // What the update set becomes what the solution holds.
          const details = r.details as Record<string, any>;
          if (u.performAutoTraining !== undefined) details.performAutoTraining = u.performAutoTraining;
          if (u.performIncrementalUpdate !== undefined) details.performIncrementalUpdate = u.performIncrementalUpdate;
          details.solutionConfig = { ...details.solutionConfig, ...u.solutionUpdateConfig };
          u.applied = true;
        } else if (up.status === STATUS.createFailed) {
          u.applied = true;
        }
      }
      if (r.kind === 'dataset' && r.update && !r.update.applied) {
        const up = this.updatePhase(r.update, now);
        if (up.status === STATUS.active) {
          r.schemaArn = r.update.schemaArn;
          r.schemaChangedAt = up.since;
          r.update.applied = true;
        } else if (up.status === STATUS.updateFailed) {
          r.update.applied = true;
        }
      }
    }
    for (const v of this.ofKind('solutionVersion')) {
      if (!this.resources.has(v.solutionArn!)) this.resources.delete(v.arn);
    }
    // Import jobs cannot be deleted in the API; they go with their dataset.
    for (const job of this.ofKind('datasetImportJob')) {
      if (!this.resources.has(job.datasetArn!)) this.resources.delete(job.arn);
    }
  }

  /** How a resource created now with this name ends, and the hold it starts under. */
  private startCreation(name: string, kind: ResourceKind): { outcome: Outcome; hold?: HoldState } {
    const configured = this.creationOutcomes.get(name);
    const outcome: Outcome = configured && (configured.kind === undefined || configured.kind === kind) ? configured.outcome : { kind: 'succeed' };
    const hold = this.creationHolds.find((h) => h.matches(name, kind));
    hold?.catch();
    return { outcome, hold };
  }

  /** ResourceInUseException unless the resource is ACTIVE. */
  private requireActive(r: LifecycleRecord, now: number, purpose: string): void {
    const { status } = this.phase(r, now);
    if (status !== STATUS.active) throw inUse(`${LABEL[r.kind]} ${r.arn} is in ${status} state. It must be ACTIVE ${purpose}.`);
  }

  /**
   * Starts the delete of a resource, as every Delete operation does: the
   * resource must be ACTIVE or CREATE FAILED, and nothing may still depend on
   * it (each blocker is a reason and the resources behind it). AWS documents the
   * error type (ResourceInUseException, HTTP 400) but not its wording; this one
   * names the resource, the rule and the ARNs that block it.
   * Source: https://docs.aws.amazon.com/personalize/latest/dg/deleting-resources.html ("You can't delete
   * a resource whose status is changing from one state to another ... The resource status must be ACTIVE
   * or CREATE FAILED"); INACTIVE recommenders and metric attributions after a failed update are settled too.
   */
  private beginDelete(r: LifecycleRecord, now: number, blockers: Array<[string, ResourceRecord[]]> = []): Output {
    const { status } = this.phase(r, now);
    if (status !== STATUS.active && status !== STATUS.createFailed && status !== STATUS.updateFailed && status !== STATUS.inactive) {
      throw inUse(`${LABEL[r.kind]} ${r.arn} is in ${status} state and cannot be deleted.`);
    }
    for (const [reason, found] of blockers) {
      if (found.length > 0) throw inUse(`${LABEL[r.kind]} ${r.arn} ${reason}: ${found.map((f) => f.arn).join(', ')}.`);
    }
    r.deleteRequestedAt = now;
    return {};
  }

  // ---- lookups ------------------------------------------------------------------

  private arn(resource: string): string {
    return `arn:aws:personalize:${this.config.region}:${this.config.accountId}:${resource}`;
  }

  private find(arn: string, kind: 'datasetGroup'): DatasetGroupRecord;
  private find(arn: string, kind: 'schema'): SchemaRecord;
  private find(arn: string, kind: 'dataset'): DatasetRecord;
  private find(arn: string, kind: FamilyKind): FamilyRecord;
  private find(arn: string, kind: ResourceKind): ResourceRecord {
    const r = this.resources.get(arn);
    if (!r || r.kind !== kind) throw notFound(`Resource Arn ${arn} does not exist.`);
    return r;
  }

  /** The tags a resource holds, for IAM's aws:ResourceTag keys; undefined when there is no such resource. */
  public tagsOf(arn: string): Record<string, string> | undefined {
    const resource = this.resources.get(arn);
    return resource ? Object.fromEntries(resource.tags) : undefined;
  }

  private findAny(arn: string): ResourceRecord {
    const r = this.resources.get(arn);
    if (!r) throw notFound(`Resource Arn ${arn} does not exist.`);
    return r;
  }

  private ofKind<K extends 'datasetGroup' | 'schema' | 'dataset'>(kind: K): Array<Extract<ResourceRecord, { kind: K }>>;
  private ofKind(kind: FamilyKind): FamilyRecord[];
  private ofKind(kind: ResourceKind): ResourceRecord[] {
    return [...this.resources.values()].filter((r) => r.kind === kind);
  }

  /** Resources of a kind that belong to a dataset group. */
  private inGroup(groupArn: string, kind: 'dataset' | FamilyKind): Array<DatasetRecord | FamilyRecord> {
    return [...this.resources.values()].filter((r): r is DatasetRecord | FamilyRecord =>
      r.kind === kind && 'datasetGroupArn' in r && r.datasetGroupArn === groupArn);
  }

  private withStatus<R extends LifecycleRecord>(records: R[], statuses: readonly string[], now: number): R[] {
    return records.filter((r) => statuses.includes(this.phase(r, now).status));
  }

  // ---- dataset groups -------------------------------------------------------------

  private createDatasetGroup(input: Input, now: number): Output {
    const name: string = input.name;
    if (input.roleArn !== undefined && input.kmsKeyArn === undefined) {
      throw invalidInput('roleArn is only valid when a kmsKeyArn is also provided.');
    }
    if (input.kmsKeyArn !== undefined && input.roleArn === undefined) {
      throw invalidInput('A roleArn that can access the KMS key is required when kmsKeyArn is provided.');
    }
    const tags = mergeTags(new Map(), input.tags ?? []);
    const arn = this.arn(`dataset-group/${name}`);
    if (this.resources.has(arn)) throw alreadyExists(`Dataset group with name ${name} already exists.`);
    if (this.ofKind('datasetGroup').length >= this.config.maxDatasetGroups) {
      throw new ServiceError(LimitExceeded, `The limit of ${this.config.maxDatasetGroups} dataset groups has been reached.`);
    }
    const record: DatasetGroupRecord = {
      kind: 'datasetGroup',
      name,
      arn,
      domain: input.domain,
      roleArn: input.roleArn,
      kmsKeyArn: input.kmsKeyArn,
      tags,
      createdAt: now,
      ...this.startCreation(name, 'datasetGroup'),
    };
    // The group is accepted, then fails once Personalize finds it cannot use the key with the role.
    const keyDenied = input.kmsKeyArn && this.config.keyDenied?.(input.roleArn, input.kmsKeyArn, arn);
    this.resources.set(arn, keyDenied ? { ...record, outcome: { kind: 'fail', reason: `Unable to use the KMS key: ${keyDenied}` } } : record);
    return { datasetGroupArn: arn, domain: input.domain };
  }

  private datasetGroupOutput(g: DatasetGroupRecord, now: number): Output {
    const phase = this.phase(g, now);
    return {
      name: g.name,
      datasetGroupArn: g.arn,
      status: phase.status,
      roleArn: g.roleArn,
      kmsKeyArn: g.kmsKeyArn,
      creationDateTime: epoch(g.createdAt),
      lastUpdatedDateTime: epoch(phase.since),
      failureReason: phase.failureReason,
      domain: g.domain,
    };
  }

  /**
   * Event trackers, solutions and datasets:
   * https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteDatasetGroup.html ("Before you delete a
   * dataset group, you must delete ... All associated event trackers. All associated solutions. All datasets").
   * Recommenders: https://docs.aws.amazon.com/personalize/latest/dg/gs-cleanup.html (Domain dataset groups:
   * "DatasetGroup | All associated recommenders"). Filters and metric attributions are this fake's rule, not
   * AWS's documented one: both belong to one group and must go before any dataset, so no group is emptied around them.
   */
  private deleteDatasetGroup(input: Input, now: number): Output {
    const group = this.find(input.datasetGroupArn, 'datasetGroup');
    const children: Array<['dataset' | FamilyKind, string]> = [
      ['dataset', 'datasets'], ['solution', 'solutions'], ['eventTracker', 'event trackers'],
      ['recommender', 'recommenders'], ['filter', 'filters'], ['metricAttribution', 'metric attributions'],
    ];
    return this.beginDelete(group, now, children.map(([kind, what]) => [`still contains ${what}`, this.inGroup(group.arn, kind)]));
  }

  private listDatasetGroups(input: Input, now: number): Output {
    const { page, nextToken } = paginate(this.ofKind('datasetGroup'), input);
    return {
      datasetGroups: page.map((g) => {
        const { name, datasetGroupArn, status, creationDateTime, lastUpdatedDateTime, failureReason, domain } = this.datasetGroupOutput(g, now);
        return { name, datasetGroupArn, status, creationDateTime, lastUpdatedDateTime, failureReason, domain };
      }),
      nextToken,
    };
  }

  // ---- schemas -----------------------------------------------------------------

  private createSchema(input: Input, now: number): Output {
    const name: string = input.name;
    try {
      JSON.parse(input.schema);
    } catch {
      throw invalidInput('The schema is not valid JSON.');
    }
    if (this.config.strictSchemas && parseAvroRecord(input.schema) === undefined) {
      throw invalidInput('The schema is not a valid Avro record schema: it must be a JSON object with "type": "record" and a "fields" array of named fields.');
    }
    const arn = this.arn(`schema/${name}`);
    if (this.resources.has(arn)) throw alreadyExists(`Schema with name ${name} already exists.`);
    if (this.ofKind('schema').length >= this.config.maxSchemas) {
      throw new ServiceError(LimitExceeded, `The limit of ${this.config.maxSchemas} schemas has been reached.`);
    }
    this.resources.set(arn, { kind: 'schema', name, arn, schema: input.schema, domain: input.domain, createdAt: now, tags: new Map() });
    return { schemaArn: arn };
  }

  private schemaOutput(s: SchemaRecord): Output {
    return {
      name: s.name,
      schemaArn: s.arn,
      schema: s.schema,
      creationDateTime: epoch(s.createdAt),
      lastUpdatedDateTime: epoch(s.createdAt),
      domain: s.domain,
    };
  }

  /**
   * https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSchema.html: "Before deleting a schema, you must
   * delete all datasets referencing the schema." A dataset whose UpdateDataset to this schema is unfinished is
   * this fake's addition: the schema is about to be referenced.
   */
  private deleteSchema(input: Input): Output {
    const schema = this.find(input.schemaArn, 'schema');
    const users = this.ofKind('dataset').filter((d) => d.schemaArn === schema.arn || (d.update && !d.update.applied && d.update.schemaArn === schema.arn));
    if (users.length > 0) {
      throw inUse(`Schema ${schema.arn} is used by datasets: ${users.map((d) => d.arn).join(', ')}.`);
    }
    this.resources.delete(schema.arn);
    return {};
  }

  private listSchemas(input: Input): Output {
    const { page, nextToken } = paginate(this.ofKind('schema'), input);
    return {
      schemas: page.map((s) => {
        const { name, schemaArn, creationDateTime, lastUpdatedDateTime, domain } = this.schemaOutput(s);
        return { name, schemaArn, creationDateTime, lastUpdatedDateTime, domain };
      }),
      nextToken,
    };
  }

  // ---- datasets ------------------------------------------------------------------

  private createDataset(input: Input, now: number): Output {
    const name: string = input.name;
    const datasetType = canonicalDatasetType(input.datasetType);
    const tags = mergeTags(new Map(), input.tags ?? []);
    const group = this.find(input.datasetGroupArn, 'datasetGroup');
    const schema = this.find(input.schemaArn, 'schema');

    if (group.domain !== undefined && DOMAIN_FORBIDDEN_TYPES.includes(datasetType)) {
      throw invalidInput(`A ${datasetType} dataset cannot be created in a Domain dataset group.`);
    }
    this.checkSchemaFits(schema, group, datasetType);
    this.requireActive(group, now, 'before datasets are added');
    const arn = this.arn(`dataset/${group.name}/${datasetType.toUpperCase()}`);
    if (this.resources.has(arn)) {
      throw alreadyExists(`A dataset of type ${datasetType} already exists in dataset group ${group.arn}.`);
    }
    const record: DatasetRecord = {
      kind: 'dataset',
      name,
      arn,
      datasetGroupArn: group.arn,
      datasetType,
      schemaArn: schema.arn,
      tags,
      createdAt: now,
      ...this.startCreation(name, 'dataset'),
      trackingId: datasetType === 'Action_Interactions' ? randomUUID() : undefined,
    };
    this.resources.set(arn, record);
    return { datasetArn: arn };
  }

  private checkSchemaFits(schema: SchemaRecord, group: DatasetGroupRecord, datasetType: string): void {
    if (schema.domain !== group.domain) {
      throw invalidInput(`The domain of schema ${schema.arn} (${schema.domain ?? 'none'}) does not match the domain of dataset group ${group.arn} (${group.domain ?? 'none'}).`);
    }
    if (!this.config.strictSchemas) return;
    const fields = parseAvroRecord(schema.schema) ?? [];
    const names = new Set(fields.map((f) => f.name.toUpperCase()));
    const missing = REQUIRED_FIELDS[datasetType].filter((f) => !names.has(f));
    if (missing.length > 0) {
      throw invalidInput(`Schema ${schema.arn} cannot be used for a ${datasetType} dataset: missing required field(s) ${missing.join(', ')}.`);
    }
  }

  private datasetOutput(d: DatasetRecord, now: number): Output {
    const phase = this.phase(d, now);
    let latestDatasetUpdate: Output | undefined;
    if (d.update) {
      const up = this.updatePhase(d.update, now);
      latestDatasetUpdate = {
        schemaArn: d.update.schemaArn,
        status: up.status,
        failureReason: up.failureReason,
        creationDateTime: epoch(d.update.startedAt),
        lastUpdatedDateTime: epoch(up.since),
      };
    }
    return {
      name: d.name,
      datasetArn: d.arn,
      datasetGroupArn: d.datasetGroupArn,
      datasetType: d.datasetType,
      schemaArn: d.schemaArn,
      status: phase.status,
      creationDateTime: epoch(d.createdAt),
      lastUpdatedDateTime: epoch(Math.max(phase.since, d.schemaChangedAt ?? 0)),
      latestDatasetUpdate,
      trackingId: d.trackingId,
    };
  }

  /**
   * The rules of https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html ("Deleting a dataset"):
   * - "You must delete all filters before deleting any dataset."
   * - "If you created an event tracker, you must delete it before you delete an Item interactions dataset."
   * - "If you created a metric attribution that references the dataset, you must delete the metric attribution
   *   first." (which datasets it references: see metricAttributionsReferencing)
   * - "No associated DatasetImportJob can have a status of CREATE PENDING or IN PROGRESS." (also the
   *   DeleteDataset API reference, https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteDataset.html)
   * - "No associated Recommender, SolutionVersion can have a status of CREATE PENDING or IN PROGRESS." (also the
   *   API reference for solution versions; CREATE STOPPING counts as in progress here)
   * - "No associated Campaign can have a status of CREATE PENDING or IN PROGRESS or ACTIVE."
   * - "No associated BatchInferenceJob or BatchSegmentJob ...": not modelled, this fake has no batch jobs.
   * Plus this fake's rule: no schema update (UpdateDataset) under way.
   */
  private deleteDataset(input: Input, now: number): Output {
    const dataset = this.find(input.datasetArn, 'dataset');
    const group = dataset.datasetGroupArn;
    const interactions = dataset.datasetType === 'Interactions';
    const pendingUpdate = dataset.update && !dataset.update.applied ? [dataset] : [];
    return this.beginDelete(dataset, now, [
      ['has an update in progress', pendingUpdate],
      ['has import jobs in progress', this.withStatus(this.ofKind('datasetImportJob').filter((j) => j.datasetArn === dataset.arn), IN_FLIGHT, now)],
      ['cannot be deleted while its dataset group has filters', this.inGroup(group, 'filter')],
      ['is used by event trackers', interactions ? this.inGroup(group, 'eventTracker') : []],
      ['is used by metric attributions', this.metricAttributionsReferencing(dataset)],
      ['is used by recommenders being created', this.withStatus(this.inGroup(group, 'recommender'), IN_FLIGHT, now)],
      ['is used by solution versions in training', this.withStatus(this.inGroup(group, 'solutionVersion'), IN_FLIGHT, now)],
      ['is used by campaigns', this.withStatus(this.inGroup(group, 'campaign'), [...IN_FLIGHT, STATUS.active], now)],
    ]);
  }

  /**
   * The metric attributions of the dataset's group that reference it. Every metric names an event type, a
   * column of the Interactions dataset; a SUM() metric names the dataset type it sums, "either Interactions or
   * Items ... For example SUM(Items.PRICE)" (https://docs.aws.amazon.com/personalize/latest/dg/API_MetricAttribute.html).
   * The metrics an update under way adds count already.
   */
  private metricAttributionsReferencing(dataset: DatasetRecord): FamilyRecord[] {
    return (this.inGroup(dataset.datasetGroupArn, 'metricAttribution') as FamilyRecord[]).filter((attribution) => {
      if (dataset.datasetType === 'Interactions') return true;
      const pending = attribution.attributionUpdate && !attribution.attributionUpdate.applied ? attribution.attributionUpdate.metrics : [];
      const metrics = [...(attribution.details.metrics as Output[]), ...pending];
      const typeInSum = new RegExp(`\\bSUM\\s*\\(\\s*${dataset.datasetType}\\.`, 'i');
      return metrics.some((metric) => typeInSum.test(String(metric.expression)));
    });
  }

  private updateDataset(input: Input, now: number): Output {
    const dataset = this.find(input.datasetArn, 'dataset');
    const schema = this.find(input.schemaArn, 'schema');
    if (!UPDATABLE_TYPES.includes(dataset.datasetType)) {
      throw invalidInput(`Only ${UPDATABLE_TYPES.join(' and ')} datasets can have their schema replaced; ${dataset.arn} is a ${dataset.datasetType} dataset.`);
    }
    const group = this.find(dataset.datasetGroupArn, 'datasetGroup');
    this.checkSchemaFits(schema, group, dataset.datasetType);
    if (this.config.strictSchemas) {
      const problem = schemaReplacementProblem(this.find(dataset.schemaArn, 'schema').schema, schema.schema);
      if (problem) throw invalidInput(`Schema ${schema.arn} cannot replace the schema of ${dataset.arn}: ${problem}`);
    }
    this.requireActive(dataset, now, 'to be updated');
    if (dataset.update && !dataset.update.applied) {
      throw inUse(`Dataset ${dataset.arn} already has an update in progress.`);
    }
    const hold = this.updateHolds.find((h) => h.matches(dataset.name, 'update'));
    hold?.catch();
    dataset.update = {
      schemaArn: schema.arn,
      startedAt: now,
      outcome: this.updateOutcomes.get(dataset.name) ?? { kind: 'succeed' },
      hold,
      applied: false,
    };
    return { datasetArn: dataset.arn };
  }

  private listDatasets(input: Input, now: number): Output {
    const all = this.ofKind('dataset').filter((d) => input.datasetGroupArn === undefined || d.datasetGroupArn === input.datasetGroupArn);
    const { page, nextToken } = paginate(all, input);
    return {
      datasets: page.map((d) => {
        const { name, datasetArn, datasetType, status, creationDateTime, lastUpdatedDateTime } = this.datasetOutput(d, now);
        return { name, datasetArn, datasetType, status, creationDateTime, lastUpdatedDateTime };
      }),
      nextToken,
    };
  }

  // ---- the family: common operations ------------------------------------------------

  /**
   * Registers a new solution, version, campaign, ... The ARN of a named kind
   * contains the name, so a second resource of that name (even a deleting one)
   * is ResourceAlreadyExistsException.
   */
  private createMember(
    kind: FamilyKind, now: number,
    fields: Pick<FamilyRecord, 'name' | 'arn' | 'datasetGroupArn' | 'solutionArn' | 'solutionVersionArn' | 'datasetArn' | 'details'>,
    tags: Map<string, string>, behaviourName = fields.name!,
  ): Output {
    if (this.resources.has(fields.arn)) throw alreadyExists(`${LABEL[kind]} with name ${fields.name} already exists.`);
    const record: FamilyRecord = { kind, ...fields, tags, createdAt: now, ...this.startCreation(behaviourName, kind) };
    this.resources.set(fields.arn, record);
    return { [FAMILY[kind].arnMember]: fields.arn };
  }

  private familyOutput(r: FamilyRecord, now: number, members: readonly string[]): Output {
    const phase = this.phase(r, now);
    const full: Output = {
      ...r.details,
      solutionArn: r.solutionArn,
      solutionVersionArn: r.solutionVersionArn,
      datasetArn: r.datasetArn,
      name: r.name,
      [FAMILY[r.kind].arnMember]: r.arn,
      datasetGroupArn: r.datasetGroupArn,
      status: phase.status,
      failureReason: phase.failureReason,
      creationDateTime: epoch(r.createdAt),
      lastUpdatedDateTime: epoch(phase.since),
    };
    if (r.kind === 'solution' && members.includes('latestSolutionVersion')) {
      const versions = this.ofKind('solutionVersion').filter((v) => v.solutionArn === r.arn);
      const latest = versions[versions.length - 1];
      if (latest) full.latestSolutionVersion = this.familyOutput(latest, now, FAMILY.solutionVersion.summary);
    }
    if (r.kind === 'solution' && r.solutionUpdate && members.includes('latestSolutionUpdate')) {
      const u = r.solutionUpdate;
      const up = this.solutionUpdatePhase(u, now);
      full.latestSolutionUpdate = {
        solutionUpdateConfig: u.solutionUpdateConfig,
        status: up.status,
        performAutoTraining: u.performAutoTraining,
        performIncrementalUpdate: u.performIncrementalUpdate,
        creationDateTime: epoch(u.startedAt),
        lastUpdatedDateTime: epoch(up.since),
        failureReason: up.failureReason,
      };
    }
    return pick(full, members);
  }

  private describe(kind: FamilyKind, arn: string, now: number): Output {
    return { [kind]: this.familyOutput(this.find(arn, kind), now, FAMILY[kind].describe) };
  }

  private list(kind: FamilyKind, input: Input, now: number): Output {
    const by = FAMILY[kind].listedBy;
    const all = this.ofKind(kind).filter((r) => input[by] === undefined || r[by] === input[by]);
    const { page, nextToken } = paginate(all, input);
    return { [FAMILY[kind].listMember]: page.map((r) => this.familyOutput(r, now, FAMILY[kind].summary)), nextToken };
  }

  /** The group a new member goes into: it must exist and be ACTIVE. */
  private activeGroup(arn: string, now: number, what: string): DatasetGroupRecord {
    const group = this.find(arn, 'datasetGroup');
    this.requireActive(group, now, `before ${what} can be created in it`);
    return group;
  }

  // ---- solutions and solution versions ---------------------------------------------

  private createSolution(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    const autoML = input.performAutoML === true;
    if (autoML && input.recipeArn !== undefined) throw invalidInput('recipeArn must be omitted when performAutoML is true.');
    if (!autoML && input.recipeArn === undefined) throw invalidInput('recipeArn is required when performAutoML is false.');
    const group = this.activeGroup(input.datasetGroupArn, now, 'solutions');
    const details: Output = {
      performHPO: input.performHPO ?? false,
      performAutoML: autoML,
      performAutoTraining: input.performAutoTraining ?? true,
      performIncrementalUpdate: input.performIncrementalUpdate,
      recipeArn: input.recipeArn,
      eventType: input.eventType,
      solutionConfig: input.solutionConfig,
    };
    return this.createMember('solution', now, { name: input.name, arn: this.arn(`solution/${input.name}`), datasetGroupArn: group.arn, details }, tags);
  }

  /**
   * A version is matched by failCreation / neverActivate / holdCreation through
   * its own name, or through its solution's name when it has none.
   */
  private createSolutionVersion(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    const solution = this.find(input.solutionArn, 'solution');
    this.requireActive(solution, now, 'before it can be trained');
    const trainingMode: string = input.trainingMode ?? 'FULL';
    const versions = this.ofKind('solutionVersion').filter((v) => v.solutionArn === solution.arn);
    if (trainingMode === 'UPDATE' && !versions.some((v) => v.details.trainingMode === 'FULL' && this.phase(v, now).status === STATUS.active)) {
      throw invalidInput(`trainingMode UPDATE needs an ACTIVE solution version of ${solution.arn} trained with FULL.`);
    }
    const { performHPO, performAutoML, performIncrementalUpdate, recipeArn, eventType, solutionConfig } = solution.details;
    const details: Output = {
      performHPO, performAutoML, performIncrementalUpdate, recipeArn, eventType, solutionConfig, trainingMode, trainingType: 'MANUAL',
    };
    const arn = `${solution.arn}/${randomBytes(4).toString('hex')}`;
    const fields = { name: input.name, arn, datasetGroupArn: solution.datasetGroupArn, solutionArn: solution.arn, details };
    return this.createMember('solutionVersion', now, fields, tags, input.name ?? solution.name);
  }

  private listSolutionVersions(input: Input, now: number): Output {
    if (input.solutionArn !== undefined) this.find(input.solutionArn, 'solution');
    return this.list('solutionVersion', input, now);
  }

  private stopSolutionVersionCreation(input: Input, now: number): Output {
    const version = this.find(input.solutionVersionArn, 'solutionVersion');
    const { status } = this.phase(version, now);
    if (status !== STATUS.createPending && status !== STATUS.createInProgress) {
      throw inUse(`Solution version ${version.arn} is in ${status} state; only a CREATE PENDING or CREATE IN_PROGRESS version can be stopped.`);
    }
    version.stop = { at: now, fromInProgress: status === STATUS.createInProgress };
    return {};
  }

  /** A solution update goes CREATE PENDING > CREATE IN_PROGRESS > ACTIVE or CREATE FAILED (API reference, UpdateSolution). */
  private solutionUpdatePhase(u: SolutionUpdate, now: number): Phase {
    const { updateAfterMs } = this.config;
    return progress(u.startedAt, { pendingMs: updateAfterMs / 3, doneMs: updateAfterMs }, u.hold, u.outcome, now, CREATE_NAMES);
  }

  /** One update at a time, on an ACTIVE solution; the solution stays ACTIVE while it runs. */
  private updateSolution(input: Input, now: number): Output {
    const solution = this.find(input.solutionArn, 'solution');
    this.requireActive(solution, now, 'to be updated');
    if (solution.solutionUpdate) {
      const { status } = this.solutionUpdatePhase(solution.solutionUpdate, now);
      if (status === STATUS.createPending || status === STATUS.createInProgress) {
        throw inUse(`Solution ${solution.arn} has an update in ${status} state.`);
      }
    }
    const recipe = String(solution.details.recipeArn ?? '');
    if (input.performIncrementalUpdate !== undefined && !recipe.endsWith('/aws-semantic-similarity')) {
      throw invalidInput('performIncrementalUpdate is supported only for solutions that use the aws-semantic-similarity recipe.');
    }
    const hold = this.updateHolds.find((h) => h.matches(solution.name!, 'update'));
    hold?.catch();
    solution.solutionUpdate = {
      startedAt: now,
      outcome: this.updateOutcomes.get(solution.name!) ?? { kind: 'succeed' },
      hold,
      performAutoTraining: input.performAutoTraining,
      performIncrementalUpdate: input.performIncrementalUpdate,
      solutionUpdateConfig: input.solutionUpdateConfig,
      applied: false,
    };
    return { solutionArn: solution.arn };
  }

  /** Documented: campaigns of the solution must be deleted first, and no version may be in training. */
  /**
   * https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSolution.html: "Before deleting a solution, you
   * must delete all campaigns based on the solution" (deleting ones included, until they are gone) and "You can't
   * delete a solution if an associated SolutionVersion is in the CREATE PENDING or IN PROGRESS state" (CREATE
   * STOPPING counts as in progress here). https://docs.aws.amazon.com/personalize/latest/dg/deleting-resources.html
   * adds that a resource whose status is changing cannot be deleted, and "This includes the latestSolutionUpdate
   * status of a solution".
   */
  private deleteSolution(input: Input, now: number): Output {
    const solution = this.find(input.solutionArn, 'solution');
    const ofSolution = (kind: 'campaign' | 'solutionVersion') => this.ofKind(kind).filter((r) => r.solutionArn === solution.arn);
    const update = solution.solutionUpdate && !solution.solutionUpdate.applied ? this.solutionUpdatePhase(solution.solutionUpdate, now) : undefined;
    if (update && IN_FLIGHT.includes(update.status) && this.phase(solution, now).status === STATUS.active) {
      throw inUse(`Solution ${solution.arn} has an update in progress (latestSolutionUpdate ${update.status}).`);
    }
    return this.beginDelete(solution, now, [
      ['still has campaigns', ofSolution('campaign')],
      ['has solution versions in training', this.withStatus(ofSolution('solutionVersion'), IN_FLIGHT, now)],
    ]);
  }

  // ---- campaigns, recommenders, event trackers, filters, metric attributions --------

  private createCampaign(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    // A version ARN, or SOLUTION_ARN/$LATEST with syncWithLatestSolutionVersion.
    const version = this.deployableVersion(input.solutionVersionArn, input.campaignConfig?.syncWithLatestSolutionVersion === true, now);
    const details: Output = {
      solutionVersionArn: version.arn,
      requestedVersionArn: input.solutionVersionArn,
      minProvisionedTPS: input.minProvisionedTPS ?? 1,
      campaignConfig: input.campaignConfig,
    };
    const fields = {
      name: input.name,
      arn: this.arn(`campaign/${input.name}`),
      datasetGroupArn: version.datasetGroupArn,
      solutionArn: version.solutionArn,
      solutionVersionArn: version.arn,
      details,
    };
    return this.createMember('campaign', now, fields, tags);
  }

  /** Recommenders exist in Domain dataset groups only, with a use case (recipe) of that domain. */
  private createRecommender(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    const group = this.find(input.datasetGroupArn, 'datasetGroup');
    if (group.domain === undefined) throw invalidInput(`Recommenders can only be created in a Domain dataset group; ${group.arn} is a Custom dataset group.`);
    const recipe = String(input.recipeArn).split('/').pop() ?? '';
    if (!recipe.startsWith(DOMAIN_RECIPE_PREFIX[group.domain])) {
      throw invalidInput(`Recipe ${input.recipeArn} is not a use case of the ${group.domain} domain of ${group.arn}.`);
    }
    this.requireActive(group, now, 'before recommenders can be created in it');
    const details: Output = { recipeArn: input.recipeArn, recommenderConfig: input.recommenderConfig };
    return this.createMember('recommender', now, { name: input.name, arn: this.arn(`recommender/${input.name}`), datasetGroupArn: group.arn, details }, tags);
  }

  /** One event tracker per dataset group (the API reference says a second one is an error). */
  private createEventTracker(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    const group = this.activeGroup(input.datasetGroupArn, now, 'event trackers');
    const existing = this.inGroup(group.arn, 'eventTracker');
    if (existing.length > 0) throw alreadyExists(`Dataset group ${group.arn} already has an event tracker: ${existing[0].arn}.`);
    const trackingId = randomUUID();
    const details: Output = { accountId: this.config.accountId, trackingId };
    const arn = this.arn(`event-tracker/${randomBytes(4).toString('hex')}`);
    return { ...this.createMember('eventTracker', now, { name: input.name, arn, datasetGroupArn: group.arn, details }, tags), trackingId };
  }

  private createFilter(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    if (!FILTER_EXPRESSION.test(input.filterExpression)) {
      throw invalidInput('The filter expression must start with INCLUDE or EXCLUDE, then ItemID, ActionID or UserID, then WHERE and a condition.');
    }
    const group = this.activeGroup(input.datasetGroupArn, now, 'filters');
    const details: Output = { filterExpression: input.filterExpression };
    return this.createMember('filter', now, { name: input.name, arn: this.arn(`filter/${input.name}`), datasetGroupArn: group.arn, details }, tags);
  }

  /** One metric attribution per dataset group. */
  private createMetricAttribution(input: Input, now: number): Output {
    const group = this.activeGroup(input.datasetGroupArn, now, 'metric attributions');
    const existing = this.inGroup(group.arn, 'metricAttribution');
    if (existing.length > 0) throw alreadyExists(`Dataset group ${group.arn} already has a metric attribution: ${existing[0].arn}.`);
    uniqueMetricNames(input.metrics);
    const details: Output = { metricsOutputConfig: input.metricsOutputConfig, metrics: input.metrics };
    const arn = this.arn(`metric-attribution/${input.name}`);
    return this.createMember('metricAttribution', now, { name: input.name, arn, datasetGroupArn: group.arn, details }, new Map());
  }

  /**
   * An import into an ACTIVE dataset: CREATE PENDING, CREATE IN_PROGRESS, then ACTIVE or
   * CREATE FAILED (failCreation) activeAfterMs later, like every kind. The data is not read.
   */
  private createDatasetImportJob(input: Input, now: number): Output {
    const tags = mergeTags(new Map(), input.tags ?? []);
    const dataset = this.find(input.datasetArn, 'dataset');
    this.requireActive(dataset, now, 'before data can be imported into it');
    const group = this.find(dataset.datasetGroupArn, 'datasetGroup');
    if (input.dataSource?.dataLocation === undefined) throw invalidInput('The dataSource needs a dataLocation.');
    const details: Output = {
      jobName: input.jobName,
      dataSource: input.dataSource,
      roleArn: input.roleArn,
      importMode: input.importMode ?? 'FULL',
      publishAttributionMetricsToS3: input.publishAttributionMetricsToS3 ?? false,
    };
    const arn = this.arn(`dataset-import-job/${input.jobName}`);
    const output = this.createMember('datasetImportJob', now, { name: input.jobName, arn, datasetGroupArn: group.arn, datasetArn: dataset.arn, details }, tags);
    // The service accepts the job and fails it once it finds no data to read.
    const location = input.dataSource.dataLocation as string;
    const record = this.resources.get(arn) as FamilyRecord;
    if (this.config.dataExists && !this.config.dataExists(location)) {
      this.resources.set(arn, { ...record, outcome: { kind: 'fail', reason: `Input data not found at ${location}. Check the S3 path and the role's access to it.` } });
    } else {
      // Personalize reads the data as the role the job passes, so the role's S3 and key permissions decide.
      const denied = this.config.readDenied?.(input.roleArn as string | undefined, location);
      if (denied) this.resources.set(arn, { ...record, outcome: { kind: 'fail', reason: `Insufficient privileges for accessing data in S3: ${denied}` } });
    }
    return output;
  }

  /**
   * The model declares only InvalidInputException and InvalidNextTokenException for this operation, so an
   * attribution that does not exist (or no longer does) is InvalidInputException, not ResourceNotFoundException.
   */
  private listMetricAttributionMetrics(input: Input): Output {
    const attribution = this.resources.get(input.metricAttributionArn);
    if (attribution?.kind !== 'metricAttribution') throw invalidInput(`Metric attribution ${input.metricAttributionArn} does not exist.`);
    const { page, nextToken } = paginate(attribution.details.metrics as Output[], input);
    return { metrics: page, nextToken };
  }

  /**
   * Adds and removes metrics, and replaces the output config: UPDATE PENDING, UPDATE
   * IN_PROGRESS, then ACTIVE (or UPDATE FAILED with failUpdate) updateAfterMs later,
   * held by holdUpdate(name). The change shows once it is ACTIVE.
   */
  private updateMetricAttribution(input: Input, now: number): Output {
    const attribution = this.find(input.metricAttributionArn, 'metricAttribution');
    // A failed update leaves the attribution as it was, and it can be updated again.
    if (this.phase(attribution, now).status !== STATUS.updateFailed) this.requireActive(attribution, now, 'to be updated');
    const current = attribution.details.metrics as Output[];
    const removed: string[] = input.removeMetrics ?? [];
    const unknown = removed.filter((name) => !current.some((metric) => metric.metricName === name));
    if (unknown.length > 0) throw invalidInput(`Metric attribution ${attribution.arn} has no metrics named ${unknown.join(', ')}.`);
    const kept = current.filter((metric) => !removed.includes(metric.metricName as string));
    const added: Output[] = input.addMetrics ?? [];
    const taken = added.filter((metric) => kept.some((k) => k.metricName === metric.metricName));
    if (taken.length > 0) throw alreadyExists(`Metric attribution ${attribution.arn} already has metrics named ${taken.map((m) => m.metricName).join(', ')}.`);
    const metrics = [...kept, ...added];
    uniqueMetricNames(metrics);
    if (metrics.length > 10) throw invalidInput(`A metric attribution has at most 10 metrics; this update would leave ${metrics.length}.`);
    const hold = this.updateHolds.find((h) => h.matches(attribution.name!, 'update'));
    hold?.catch();
    attribution.attributionUpdate = {
      startedAt: now,
      outcome: this.updateOutcomes.get(attribution.name!) ?? { kind: 'succeed' },
      hold,
      metrics,
      metricsOutputConfig: input.metricsOutputConfig ?? attribution.details.metricsOutputConfig,
      applied: false,
    };
    return { metricAttributionArn: attribution.arn };
  }

  // ---- campaign and recommender updates ------------------------------------------------
  //
  // UpdateCampaign and UpdateRecommender leave the resource ACTIVE, serving what it had,
  // and follow the update on latestCampaignUpdate / latestRecommenderUpdate: CREATE PENDING,
  // CREATE IN_PROGRESS, then ACTIVE (or CREATE FAILED with failUpdate) updateAfterMs later,
  // held by holdUpdate(name). What it sets shows once it is ACTIVE.

  /**
   * The version a campaign deploys: a solution version ARN, or `SOLUTION_ARN/$LATEST` with
   * syncWithLatestSolutionVersion (the solution's newest ACTIVE version).
   */
  private deployableVersion(arn: string, sync: boolean, now: number): FamilyRecord {
    const latest = arn.endsWith('/$LATEST');
    if (latest !== sync) {
      throw invalidInput('syncWithLatestSolutionVersion true needs a solutionVersionArn in SolutionArn/$LATEST format, and that format needs syncWithLatestSolutionVersion true.');
    }
    if (!latest) {
      const version = this.find(arn, 'solutionVersion');
      this.requireActive(version, now, 'before it can be deployed in a campaign');
      return version;
    }
    const solution = this.find(arn.slice(0, -'/$LATEST'.length), 'solution');
    const active = this.ofKind('solutionVersion').filter((v) => v.solutionArn === solution.arn && this.phase(v, now).status === STATUS.active);
    if (active.length === 0) throw inUse(`Solution ${solution.arn} has no ACTIVE solution version to deploy.`);
    return active[active.length - 1];
  }

  private updateCampaign(input: Input, now: number): Output {
    const campaign = this.find(input.campaignArn, 'campaign');
    const { status } = this.phase(campaign, now);
    if (status !== STATUS.active && status !== STATUS.createFailed) {
      throw inUse(`Campaign ${campaign.arn} is in ${status} state. It must be ACTIVE or CREATE FAILED to be updated.`);
    }
    this.requireNoServingUpdate(campaign, now);
    const config = (input.campaignConfig ?? campaign.details.campaignConfig) as Output | undefined;
    const versionArn: string = input.solutionVersionArn ?? campaign.details.requestedVersionArn ?? campaign.solutionVersionArn;
    this.deployableVersion(versionArn, config?.syncWithLatestSolutionVersion === true, now);
    const requested: Output = {
      solutionVersionArn: versionArn,
      minProvisionedTPS: input.minProvisionedTPS ?? campaign.details.minProvisionedTPS,
      campaignConfig: config,
    };
    this.startServingUpdate(campaign, requested, now);
    return { campaignArn: campaign.arn };
  }

  private updateRecommender(input: Input, now: number): Output {
    const recommender = this.find(input.recommenderArn, 'recommender');
    this.requireActive(recommender, now, 'to be updated');
    this.requireNoServingUpdate(recommender, now);
    this.startServingUpdate(recommender, { recommenderConfig: input.recommenderConfig }, now);
    return { recommenderArn: recommender.arn };
  }

  /** StopRecommender needs an ACTIVE recommender with no update under way; StartRecommender an INACTIVE one. */
  private switchRecommender(input: Input, now: number, to: 'start' | 'stop'): Output {
    const recommender = this.find(input.recommenderArn, 'recommender');
    const { status } = this.phase(recommender, now);
    const from = to === 'stop' ? STATUS.active : STATUS.inactive;
    if (status !== from) throw inUse(`Recommender ${recommender.arn} is in ${status} state. It must be ${from} to ${to}.`);
    if (to === 'stop') this.requireNoServingUpdate(recommender, now);
    recommender.switching = { at: now, to };
    return { recommenderArn: recommender.arn };
  }

  private switchPhase(switching: { readonly at: number; readonly to: 'start' | 'stop' }, now: number): Phase {
    const { updateAfterMs } = this.config;
    const names = switching.to === 'stop' ? STOP_NAMES : START_NAMES;
    return progress(switching.at, { pendingMs: updateAfterMs / 3, doneMs: updateAfterMs }, undefined, { kind: 'succeed' }, now, names);
  }

  private requireNoServingUpdate(r: FamilyRecord, now: number): void {
    const update = r.servingUpdate;
    if (update && !update.applied && this.servingUpdatePhase(update, now).status !== STATUS.createFailed) {
      throw inUse(`${LABEL[r.kind]} ${r.arn} already has an update in progress.`);
    }
  }

  private startServingUpdate(r: FamilyRecord, requested: Output, now: number): void {
    const hold = this.updateHolds.find((h) => h.matches(r.name!, 'update'));
    hold?.catch();
    r.servingUpdate = { startedAt: now, outcome: this.updateOutcomes.get(r.name!) ?? { kind: 'succeed' }, hold, requested, applied: false };
  }

  private servingUpdatePhase(u: ServingUpdate, now: number): Phase {
    const { updateAfterMs } = this.config;
    return progress(u.startedAt, { pendingMs: updateAfterMs / 3, doneMs: updateAfterMs }, u.hold, u.outcome, now, CREATE_NAMES);
  }

  /** A finished update becomes what Describe answers; a failed one leaves the resource as it was. */
  private applyServingUpdate(r: FamilyRecord, u: ServingUpdate, now: number): void {
    const { status } = this.servingUpdatePhase(u, now);
    if (status === STATUS.createFailed) u.applied = true;
    if (status !== STATUS.active) return;
    const details = r.details as Record<string, unknown>;
    if (r.kind === 'campaign') {
      details.requestedVersionArn = u.requested.solutionVersionArn;
      details.minProvisionedTPS = u.requested.minProvisionedTPS;
      details.campaignConfig = u.requested.campaignConfig;
      r.solutionVersionArn = this.deployableVersion(
        u.requested.solutionVersionArn as string, (u.requested.campaignConfig as Output | undefined)?.syncWithLatestSolutionVersion === true, now,
      ).arn;
    } else {
      details.recommenderConfig = u.requested.recommenderConfig;
    }
    u.applied = true;
  }

  /** Describe with the latest update's summary; a campaign that follows its solution's latest version shows that version. */
  private describeServing(kind: 'campaign' | 'recommender', arn: string, now: number): Output {
    const r = this.find(arn, kind);
    if (kind === 'campaign' && (r.details.campaignConfig as Output | undefined)?.syncWithLatestSolutionVersion === true) {
      const solutionArn = r.solutionArn!;
      const active = this.ofKind('solutionVersion').filter((v) => v.solutionArn === solutionArn && this.phase(v, now).status === STATUS.active);
      if (active.length > 0) r.solutionVersionArn = active[active.length - 1].arn;
    }
    const output = this.familyOutput(r, now, FAMILY[kind].describe);
    const u = r.servingUpdate;
    if (u) {
      const phase = this.servingUpdatePhase(u, now);
      output[kind === 'campaign' ? 'latestCampaignUpdate' : 'latestRecommenderUpdate'] = {
        ...u.requested,
        ...(kind === 'campaign' ? { solutionVersionArn: u.requested.solutionVersionArn } : {}),
        status: phase.status,
        failureReason: phase.failureReason,
        creationDateTime: epoch(u.startedAt),
        lastUpdatedDateTime: epoch(phase.since),
      };
    }
    return { [kind]: output };
  }

  // ---- tags ----------------------------------------------------------------------

  private tagResource(input: Input): Output {
    const resource = this.findAny(input.resourceArn);
    const merged = mergeTags(resource.tags, input.tags);
    resource.tags.clear();
    for (const [k, v] of merged) resource.tags.set(k, v);
    return {};
  }

  private untagResource(input: Input): Output {
    const keys: string[] = input.tagKeys;
    if (keys.length > MAX_TAGS) throw new ServiceError(TooManyTagKeys, `At most ${MAX_TAGS} tag keys can be removed in one request.`);
    for (const key of keys) checkTagKey(key);
    const resource = this.findAny(input.resourceArn);
    for (const key of keys) resource.tags.delete(key);
    return {};
  }
}

// ---- helpers ------------------------------------------------------------------------

function canonicalDatasetType(value: string): string {
  const found = DATASET_TYPES.find((t) => t.toLowerCase() === value.toLowerCase());
  if (!found) throw invalidInput(`Invalid datasetType ${value}. Valid values are ${DATASET_TYPES.join(', ')}.`);
  return found;
}

function checkTagKey(key: string): void {
  if (key.toLowerCase().startsWith('aws:')) throw invalidInput(`Tag key ${key} is invalid: keys starting with aws: are reserved.`);
}

/** Adds `additions` to `existing` (returning a new map), enforcing the tag rules of the service. */
function mergeTags(existing: Map<string, string>, additions: Array<{ tagKey: string; tagValue: string }>): Map<string, string> {
  const seen = new Set<string>();
  for (const { tagKey } of additions) {
    checkTagKey(tagKey);
    if (seen.has(tagKey)) throw invalidInput(`Tag key ${tagKey} appears more than once.`);
    seen.add(tagKey);
  }
  const merged = new Map(existing);
  for (const { tagKey, tagValue } of additions) merged.set(tagKey, tagValue);
  if (merged.size > MAX_TAGS) throw new ServiceError(TooManyTags, `A resource can have at most ${MAX_TAGS} tags; this request would give it ${merged.size}.`);
  return merged;
}

/** The members of `full` that an output shape has, in the shape's order. */
function pick(full: Output, members: readonly string[]): Output {
  return Object.fromEntries(members.filter((m) => full[m] !== undefined).map((m) => [m, full[m]]));
}

function tagList(tags: Map<string, string>): Array<{ tagKey: string; tagValue: string }> {
  return [...tags].map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
}

function uniqueMetricNames(metrics: Output[]): void {
  const names = metrics.map((metric) => metric.metricName);
  const repeated = names.filter((name, index) => names.indexOf(name) !== index);
  if (repeated.length > 0) throw invalidInput(`Metric names must be unique; repeated: ${[...new Set(repeated)].join(', ')}.`);
}

function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (input.nextToken !== undefined) {
    const decoded = Number(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new ServiceError(InvalidNextToken, 'The nextToken is not valid.');
    offset = decoded;
  }
  const size = input.maxResults ?? 100;
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(String(offset + size), 'utf8').toString('base64url') : undefined;
  return { page, nextToken: next };
}

interface AvroField { readonly name: string; readonly type: unknown }

/** The fields of an Avro record schema, or undefined if the text is not one. */
function parseAvroRecord(text: string): AvroField[] | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.type !== 'record' || !Array.isArray(parsed.fields)) return undefined;
  const fields = parsed.fields as unknown[];
  const ok = fields.every((f: any) => typeof f === 'object' && f !== null && typeof f.name === 'string' && f.type !== undefined);
  return ok ? (fields as AvroField[]) : undefined;
}

/**
 * The rules of a schema replacement: every old field stays with the same type,
 * and every new field allows null.
 */
function schemaReplacementProblem(oldText: string, newText: string): string | undefined {
  const oldFields = parseAvroRecord(oldText) ?? [];
  const newFields = parseAvroRecord(newText) ?? [];
  const byName = new Map(newFields.map((f) => [f.name, f]));
  for (const f of oldFields) {
    const replacement = byName.get(f.name);
    if (!replacement) return `field ${f.name} is missing.`;
    if (JSON.stringify(replacement.type) !== JSON.stringify(f.type)) return `field ${f.name} changes its type.`;
  }
  const oldNames = new Set(oldFields.map((f) => f.name));
  for (const f of newFields) {
    if (oldNames.has(f.name)) continue;
    const nullable = f.type === 'null' || (Array.isArray(f.type) && f.type.includes('null'));
    if (!nullable) return `new field ${f.name} must allow null.`;
  }
  return undefined;
}
