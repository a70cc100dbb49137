import {
  DeleteCampaignCommand, DeleteEventTrackerCommand, DeleteFilterCommand, DeleteMetricAttributionCommand, ListBatchInferenceJobsCommand,
  ListBatchSegmentJobsCommand, ListCampaignsCommand,
  ListDatasetImportJobsCommand, ListEventTrackersCommand, ListFiltersCommand, ListMetricAttributionMetricsCommand,
  ListMetricAttributionsCommand, ListRecommendersCommand, ListSolutionsCommand, ListSolutionVersionsCommand, ListTagsForResourceCommand,
  PersonalizeClient, StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT } from './dataset-group-fixtures';
import { tagged } from './events';
import { inUse, notFound, serviceError } from './personalize-errors';
import { VirtualClock } from './virtual-clock';

/** What can block the delete of a dataset or a solution, by the List call that finds it. */
export type NeighbourType = 'filter' | 'eventTracker' | 'metricAttribution' | 'importJob' | 'recommender' | 'solution'
| 'solutionVersion' | 'campaign' | 'batchInferenceJob' | 'batchSegmentJob';

export interface NeighbourOptions {
  readonly status?: string;
  /** The owner tag it carries; none (made outside any stack) when absent. */
  readonly owner?: string;
  /** Campaigns and solution versions: their solution. */
  readonly solutionArn?: string;
  /** Batch jobs: the version they run. */
  readonly solutionVersionArn?: string;
  /** Metric attributions: the expressions of their metrics. */
  readonly expressions?: string[];
  /** One being created becomes ACTIVE this long after it is added. */
  readonly activeAfterMs?: number;
}

interface Neighbour extends NeighbourOptions {
  readonly type: NeighbourType;
  readonly arn: string;
  status: string;
  deletingSince?: number;
  deleteTakesMs?: number;
  activeFrom?: number;
}

const PATH: Record<NeighbourType, string> = {
  filter: 'filter',
  eventTracker: 'event-tracker',
  metricAttribution: 'metric-attribution',
  importJob: 'dataset-import-job',
  recommender: 'recommender',
  solution: 'solution',
  solutionVersion: 'solution-version',
  campaign: 'campaign',
  batchInferenceJob: 'batch-inference-job',
  batchSegmentJob: 'batch-segment-job',
};

/**
 * What lives beside a dataset or a solution, as the service holds it over virtual time: the List calls
 * that find it (one page; filtered by solution where the API lists by solution), its tags, and the
 * deletes and stops the service accepts. A deleted neighbour is DELETE IN_PROGRESS for `deleteTakesMs`,
 * then gone; a stopped training is CREATE STOPPED. Deleting one still being created is refused.
 * `deletes` and `stopped` record what the service accepted.
 */
export class Neighbours {
  public readonly deletes: string[] = [];
  public readonly stopped: string[] = [];
  private readonly all: Neighbour[] = [];

  constructor(private readonly mock: AwsClientStub<PersonalizeClient>, private readonly clock: VirtualClock, private readonly deleteTakesMs = 2_000) {
    this.install();
  }

  /** Adds a neighbour and returns its ARN; a solution version's ARN is under its solution. */
  public add(type: NeighbourType, name: string, options: NeighbourOptions = {}): string {
    const arn = type === 'solutionVersion' ? `${options.solutionArn}/${name}` : `arn:aws:personalize:us-east-1:${ACCOUNT}:${PATH[type]}/${name}`;
    const activeFrom = options.activeAfterMs === undefined ? undefined : this.clock.now() + options.activeAfterMs;
    this.all.push({ ...options, type, arn, status: options.status ?? 'ACTIVE', activeFrom });
    return arn;
  }

  /** Someone else started deleting it; it is gone `takesMs` later. */
  public startDeleting(arn: string, takesMs = this.deleteTakesMs): void {
    const found = this.present().find((n) => n.arn === arn)!;
    found.deletingSince = this.clock.now();
    found.deleteTakesMs = takesMs;
  }

  /** Whether the neighbour still exists (being deleted counts). */
  public has(arn: string): boolean {
    return this.present().some((n) => n.arn === arn);
  }

  /** The status the service shows for it now. */
  public statusOf(arn: string): string | undefined {
    const found = this.present().find((n) => n.arn === arn);
    return found && (found.deletingSince !== undefined ? 'DELETE IN_PROGRESS' : found.status);
  }

  private present(): Neighbour[] {
    for (const n of this.all) if (n.activeFrom !== undefined && this.clock.now() >= n.activeFrom) n.status = 'ACTIVE';
    return this.all.filter((n) => n.deletingSince === undefined || this.clock.now() - n.deletingSince < (n.deleteTakesMs ?? this.deleteTakesMs));
  }

  private remove(arn: string): Record<string, never> {
    const found = this.present().find((n) => n.arn === arn);
    if (!found) throw notFound();
    if (found.deletingSince !== undefined || found.status.startsWith('CREATE ')) throw inUse();
    found.deletingSince = this.clock.now();
    this.deletes.push(arn);
    return {};
  }

  private listed(type: NeighbourType, arnField: string, field: string, solutionArn?: string, solutionVersionArn?: string) {
    const items = this.present().filter((n) => n.type === type && (solutionArn === undefined || n.solutionArn === solutionArn)
      && (solutionVersionArn === undefined || n.solutionVersionArn === solutionVersionArn));
    return { [field]: items.map((n) => ({ [arnField]: n.arn, status: this.statusOf(n.arn) })) };
  }

  private install(): void {
    const { mock } = this;
    mock.on(ListFiltersCommand).callsFake(async () => this.listed('filter', 'filterArn', 'Filters'));
    mock.on(ListEventTrackersCommand).callsFake(async () => this.listed('eventTracker', 'eventTrackerArn', 'eventTrackers'));
    mock.on(ListMetricAttributionsCommand).callsFake(async () => this.listed('metricAttribution', 'metricAttributionArn', 'metricAttributions'));
    mock.on(ListDatasetImportJobsCommand).callsFake(async () => this.listed('importJob', 'datasetImportJobArn', 'datasetImportJobs'));
    mock.on(ListRecommendersCommand).callsFake(async () => this.listed('recommender', 'recommenderArn', 'recommenders'));
    mock.on(ListSolutionsCommand).callsFake(async () => this.listed('solution', 'solutionArn', 'solutions'));
    mock.on(ListSolutionVersionsCommand).callsFake(async (input) => this.listed('solutionVersion', 'solutionVersionArn', 'solutionVersions', input.solutionArn));
    mock.on(ListCampaignsCommand).callsFake(async (input) => this.listed('campaign', 'campaignArn', 'campaigns', input.solutionArn));
    mock.on(ListBatchInferenceJobsCommand).callsFake(async (input) => this.listed('batchInferenceJob', 'batchInferenceJobArn', 'batchInferenceJobs',
      undefined, input.solutionVersionArn));
    mock.on(ListBatchSegmentJobsCommand).callsFake(async (input) => this.listed('batchSegmentJob', 'batchSegmentJobArn', 'batchSegmentJobs',
      undefined, input.solutionVersionArn));
    mock.on(ListMetricAttributionMetricsCommand).callsFake(async (input) => {
      const found = this.present().find((n) => n.arn === input.metricAttributionArn);
      // The model declares no ResourceNotFoundException for this operation.
      if (!found) throw serviceError('InvalidInputException');
      return { metrics: (found.expressions ?? ['SAMPLECOUNT()']).map((expression, i) => ({ metricName: `M${i}`, eventType: 'click', expression })) };
    });
    mock.on(ListTagsForResourceCommand).callsFake(async (input) => {
      const found = this.all.find((n) => n.arn === input.resourceArn);
      // The resource under test itself carries its own stack resource's owner tag.
      if (!found) return tagged();
      return tagged({}, found.owner ?? null);
    });
    mock.on(DeleteFilterCommand).callsFake(async (input) => this.remove(input.filterArn));
    mock.on(DeleteEventTrackerCommand).callsFake(async (input) => this.remove(input.eventTrackerArn));
    mock.on(DeleteMetricAttributionCommand).callsFake(async (input) => this.remove(input.metricAttributionArn));
    mock.on(DeleteCampaignCommand).callsFake(async (input) => this.remove(input.campaignArn));
    mock.on(StopSolutionVersionCreationCommand).callsFake(async (input) => {
      const found = this.present().find((n) => n.arn === input.solutionVersionArn);
      if (!found) throw notFound();
      if (found.status !== 'CREATE PENDING' && found.status !== 'CREATE IN_PROGRESS') throw inUse();
      found.status = 'CREATE STOPPED';
      this.stopped.push(found.arn);
      return {};
    });
  }
}
