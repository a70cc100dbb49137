import {
  DeleteCampaignCommand, DeleteDatasetCommand, DeleteDatasetGroupCommand, DeleteEventTrackerCommand, DeleteFilterCommand,
  DeleteMetricAttributionCommand, DeleteRecommenderCommand, DeleteSolutionCommand, DescribeDatasetGroupCommand, ListCampaignsCommand,
  ListDatasetsCommand, ListEventTrackersCommand, ListFiltersCommand, ListMetricAttributionsCommand, ListRecommendersCommand,
  ListSolutionsCommand, ListSolutionVersionsCommand, ListTagsForResourceCommand, PersonalizeClient, StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { AwsClientStub } from 'aws-sdk-client-mock';
import { ACCOUNT, describedGroup, GROUP_ARN, GROUP_NAME } from './dataset-group-fixtures';
import { tagged } from './events';
import { inUse, notFound } from './personalize-errors';
import { VirtualClock } from './virtual-clock';

/** What a dataset group can hold, by the field its List call answers with. */
export type ChildType = 'recommenders' | 'campaigns' | 'solutions' | 'solutionVersions' | 'eventTrackers' | 'filters'
| 'metricAttributions' | 'datasets';

interface Child {
  readonly type: ChildType;
  readonly arn: string;
  status: string;
  /** The solution a campaign or solution version belongs to. */
  readonly solutionArn?: string;
  /** When its delete started (by anyone); it is gone deleteTakesMs later. */
  deletingSince?: number;
  /** When a child being created becomes ACTIVE. */
  activeFrom?: number;
}

/** The order in which emptying a group deletes its children: recommenders and campaigns first, datasets last. */
export const DELETION_STAGE: Record<ChildType, number> = {
  recommenders: 1, campaigns: 1, solutions: 2, solutionVersions: 2, eventTrackers: 3, filters: 3, metricAttributions: 3, datasets: 4,
};

const RESOURCE_PATH: Record<ChildType, string> = {
  recommenders: 'recommender',
  campaigns: 'campaign',
  solutions: 'solution',
  solutionVersions: 'solution-version',
  eventTrackers: 'event-tracker',
  filters: 'filter',
  metricAttributions: 'metric-attribution',
  datasets: 'dataset',
};

/**
 * The test group (GROUP_ARN, owned by this stack resource) and its children, as the
 * service holds them over virtual time. List calls answer in pages of `pageSize`;
 * a child being deleted is listed as DELETE IN_PROGRESS until `deleteTakesMs` have
 * passed. Deleting a child still being created is refused (ResourceInUse), as are
 * DeleteDatasetGroup while any child is left and DeleteSolution while one of its
 * versions is training. `deletes` records the deletes the service accepted.
 */
export class GroupContents {
  /** ARNs whose delete the service accepted, in order; the group's own is GROUP_ARN. */
  public readonly deletes: string[] = [];
  /** Solution versions StopSolutionVersionCreation was called for. */
  public readonly stopped: string[] = [];
  /** When each List call was made (virtual ms since the fake was made). */
  public readonly listedAt: number[] = [];
  private readonly children: Child[] = [];
  private readonly createdAt: number;
  private groupDeleted = false;
  private looksSinceGroupDelete = 0;

  constructor(private readonly mock: AwsClientStub<PersonalizeClient>, private readonly clock: VirtualClock,
    private readonly options: { pageSize?: number; deleteTakesMs?: number } = {}) {
    this.createdAt = clock.now();
    this.install();
  }

  /** Adds a child and returns its ARN; campaigns and solution versions belong to `solutionArn`. */
  public add(type: ChildType, name: string, status = 'ACTIVE', solutionArn?: string): string {
    const arn = type === 'solutionVersions' ? `${solutionArn}/${name}`
      : `arn:aws:personalize:us-east-1:${ACCOUNT}:${RESOURCE_PATH[type]}/${type === 'datasets' ? `${GROUP_NAME}/` : ''}${name}`;
    this.children.push({ type, arn, status, solutionArn });
    return arn;
  }

  /** When emptying the group deletes this child (1 first), by DELETION_STAGE. */
  public stageOf(arn: string): number {
    const child = this.children.find((c) => c.arn === arn);
    if (!child) throw new Error(`no child ${arn}`);
    return DELETION_STAGE[child.type];
  }

  /** A child being created becomes ACTIVE `afterMs` from now; until then its delete is refused. */
  public becomesActive(arn: string, afterMs: number): void {
    this.find(arn).activeFrom = this.clock.now() + afterMs;
  }

  /** Someone else started deleting this child. */
  public startDeleting(arn: string): void {
    this.find(arn).deletingSince = this.clock.now();
  }

  /** Children still there (deleting or not), oldest first. */
  public remaining(type?: ChildType): string[] {
    return this.present().filter((c) => type === undefined || c.type === type).map((c) => c.arn);
  }

  /** Children that exist now; a solution version goes with its solution. */
  private present(): Child[] {
    const takes = this.options.deleteTakesMs ?? 2_000;
    const there = this.children.filter((c) => c.deletingSince === undefined || this.clock.now() - c.deletingSince < takes);
    return there.filter((c) => c.type !== 'solutionVersions' || there.some((s) => s.arn === c.solutionArn));
  }

  private find(arn: string): Child {
    const child = this.present().find((c) => c.arn === arn);
    if (!child) throw notFound();
    return child;
  }

  private page(type: ChildType, input: { nextToken?: string; solutionArn?: string }) {
    this.listedAt.push(this.clock.now() - this.createdAt);
    const all = this.present().filter((c) => c.type === type && (input.solutionArn === undefined || c.solutionArn === input.solutionArn));
    const size = this.options.pageSize ?? 100;
    const offset = Number(input.nextToken ?? 0);
    const items = all.slice(offset, offset + size).map((c) => ({ arn: c.arn, status: this.statusOf(c) }));
    return { items, nextToken: offset + size < all.length ? String(offset + size) : undefined };
  }

  private statusOf(child: Child): string {
    if (child.deletingSince !== undefined) return 'DELETE IN_PROGRESS';
    return child.activeFrom !== undefined && this.clock.now() >= child.activeFrom ? 'ACTIVE' : child.status;
  }

  private remove(arn: string): Record<string, never> {
    const child = this.find(arn);
    if (child.deletingSince !== undefined || this.statusOf(child).startsWith('CREATE ')) throw inUse();
    if (child.type === 'solutions'
      && this.present().some((c) => c.solutionArn === arn && ['CREATE PENDING', 'CREATE IN_PROGRESS'].includes(this.statusOf(c)))) {
      throw inUse();
    }
    child.deletingSince = this.clock.now();
    this.deletes.push(arn);
    return {};
  }

  private install(): void {
    const { mock } = this;
    const list = (type: ChildType, field: string, arnField: string) => async (input: { nextToken?: string; solutionArn?: string }) => {
      const { items, nextToken } = this.page(type, input);
      return { [field]: items.map((item) => ({ [arnField]: item.arn, status: item.status })), nextToken };
    };
    mock.on(ListRecommendersCommand).callsFake(list('recommenders', 'recommenders', 'recommenderArn'));
    mock.on(ListSolutionsCommand).callsFake(list('solutions', 'solutions', 'solutionArn'));
    mock.on(ListCampaignsCommand).callsFake(list('campaigns', 'campaigns', 'campaignArn'));
    mock.on(ListSolutionVersionsCommand).callsFake(list('solutionVersions', 'solutionVersions', 'solutionVersionArn'));
    mock.on(ListEventTrackersCommand).callsFake(list('eventTrackers', 'eventTrackers', 'eventTrackerArn'));
    mock.on(ListFiltersCommand).callsFake(list('filters', 'Filters', 'filterArn'));
    mock.on(ListMetricAttributionsCommand).callsFake(list('metricAttributions', 'metricAttributions', 'metricAttributionArn'));
    mock.on(ListDatasetsCommand).callsFake(list('datasets', 'datasets', 'datasetArn'));

    mock.on(DeleteRecommenderCommand).callsFake(async (input) => this.remove(input.recommenderArn));
    mock.on(DeleteCampaignCommand).callsFake(async (input) => this.remove(input.campaignArn));
    mock.on(DeleteSolutionCommand).callsFake(async (input) => this.remove(input.solutionArn));
    mock.on(DeleteEventTrackerCommand).callsFake(async (input) => this.remove(input.eventTrackerArn));
    mock.on(DeleteFilterCommand).callsFake(async (input) => this.remove(input.filterArn));
    mock.on(DeleteMetricAttributionCommand).callsFake(async (input) => this.remove(input.metricAttributionArn));
    mock.on(DeleteDatasetCommand).callsFake(async (input) => this.remove(input.datasetArn));
    mock.on(StopSolutionVersionCreationCommand).callsFake(async (input) => {
      this.find(input.solutionVersionArn).status = 'CREATE STOPPED';
      this.stopped.push(input.solutionVersionArn);
      return {};
    });

    mock.on(ListTagsForResourceCommand).resolves(tagged());
    mock.on(DescribeDatasetGroupCommand).callsFake(async () => {
      if (this.groupDeleted && ++this.looksSinceGroupDelete > 1) throw notFound();
      return describedGroup(this.groupDeleted ? 'DELETE PENDING' : 'ACTIVE');
    });
    mock.on(DeleteDatasetGroupCommand).callsFake(async (input) => {
      if (input.datasetGroupArn !== GROUP_ARN || this.groupDeleted) throw notFound();
      if (this.present().length > 0) throw inUse();
      this.groupDeleted = true;
      this.deletes.push(GROUP_ARN);
      return {};
    });
  }
}
