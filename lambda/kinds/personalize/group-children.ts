/**
 * What lives in a dataset group besides the group: what keeps DeleteDatasetGroup
 * from succeeding, and how `EmptyOnDelete` removes it. Children go in dependency
 * order (as AWS's own teardown does it), each stage only once the one before it
 * is gone: recommenders and campaigns; solutions (stopping training first);
 * event trackers, filters and metric attributions; datasets.
 */
import {
  DeleteCampaignCommand, DeleteDatasetCommand, DeleteEventTrackerCommand, DeleteFilterCommand, DeleteMetricAttributionCommand,
  DeleteRecommenderCommand, DeleteSolutionCommand, ListCampaignsCommand, ListDatasetsCommand, ListEventTrackersCommand,
  ListFiltersCommand, ListMetricAttributionsCommand, ListRecommendersCommand, ListSolutionsCommand, ListSolutionVersionsCommand,
  StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { conditionOf, personalize } from './common';
import {
  CAMPAIGN, DATASET, EVENT_TRACKER, FILTER, groupChildKinds, METRIC_ATTRIBUTION, RECOMMENDER, SOLUTION,
} from '../../../src/personalize/private/declarations';
import { log } from '../../log';
import { Condition, KindContext } from '../../resource-kind';
import { isErrorNamed } from '../../retry';

export interface Child {
  readonly arn: string;
  readonly noun: string;
  readonly condition: Condition;
}

export interface Page<T> {
  readonly items?: T[];
  readonly nextToken?: string;
}

interface ChildType {
  readonly noun: string;
  list(context: KindContext, groupArn: string): Promise<Child[]>;
  remove(context: KindContext, arn: string): Promise<void>;
}

export const PAGE_SIZE = 100;

/** Every page of a List call, each page one call with the engine's retries. */
export async function listAll<T>(context: KindContext, operation: string, page: (nextToken?: string) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const response = await context.call(operation, () => page(nextToken));
    items.push(...(response.items ?? []));
    nextToken = response.nextToken;
  } while (nextToken);
  return items;
}

function children(noun: string, items: Array<{ arn?: string; status?: string }>): Child[] {
  return items.filter((item) => item.arn).map((item) => ({ arn: item.arn!, noun, condition: conditionOf(item.status ?? 'UNKNOWN') }));
}

function solutionsOf(context: KindContext, groupArn: string) {
  return listAll(context, 'ListSolutions', async (nextToken) => {
    const r = await personalize().send(new ListSolutionsCommand({ datasetGroupArn: groupArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.solutions?.map((s) => ({ arn: s.solutionArn, status: s.status })), nextToken: r.nextToken };
  });
}

const groupChild = (noun: string, operation: string,
  page: (groupArn: string, nextToken?: string) => Promise<Page<{ arn?: string; status?: string }>>,
  remove: (arn: string) => Promise<unknown>, deleteOperation: string): ChildType => ({
  noun,
  list: async (context, groupArn) => children(noun, await listAll(context, operation, (nextToken) => page(groupArn, nextToken))),
  remove: async (context, arn) => {
    await context.call(deleteOperation, () => remove(arn));
  },
});

const RECOMMENDERS = groupChild('recommender', 'ListRecommenders', async (datasetGroupArn, nextToken) => {
  const r = await personalize().send(new ListRecommendersCommand({ datasetGroupArn, nextToken, maxResults: PAGE_SIZE }));
  return { items: r.recommenders?.map((x) => ({ arn: x.recommenderArn, status: x.status })), nextToken: r.nextToken };
}, (recommenderArn) => personalize().send(new DeleteRecommenderCommand({ recommenderArn })), 'DeleteRecommender');

const CAMPAIGNS: ChildType = {
  noun: 'campaign',
  list: async (context, groupArn) => {
    const found: Child[] = [];
    for (const solution of await solutionsOf(context, groupArn)) {
      found.push(...children('campaign', await listAll(context, 'ListCampaigns', async (nextToken) => {
        const r = await personalize().send(new ListCampaignsCommand({ solutionArn: solution.arn, nextToken, maxResults: PAGE_SIZE }));
        return { items: r.campaigns?.map((x) => ({ arn: x.campaignArn, status: x.status })), nextToken: r.nextToken };
      })));
    }
    return found;
  },
  remove: async (context, campaignArn) => {
    await context.call('DeleteCampaign', () => personalize().send(new DeleteCampaignCommand({ campaignArn })));
  },
};

/**
 * Stops the solution's training still under way (billed while it runs, and it blocks
 * DeleteSolution), then deletes the solution. DeleteSolution is refused with
 * ResourceInUseException until every stopped version has left CREATE STOPPING.
 */
export async function stopTrainingAndDeleteSolution(context: KindContext, solutionArn: string): Promise<void> {
  const versions = await listAll(context, 'ListSolutionVersions', async (nextToken) => {
    const r = await personalize().send(new ListSolutionVersionsCommand({ solutionArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.solutionVersions?.map((x) => ({ arn: x.solutionVersionArn, status: x.status })), nextToken: r.nextToken };
  });
  for (const version of versions.filter((v) => v.status === 'CREATE PENDING' || v.status === 'CREATE IN_PROGRESS')) {
    try {
      await context.call('StopSolutionVersionCreation',
        () => personalize().send(new StopSolutionVersionCreationCommand({ solutionVersionArn: version.arn })));
    } catch (error) {
      // It ended, or is stopping, meanwhile: DeleteSolution says whether to wait.
      if (!isErrorNamed(error, 'ResourceInUseException')) throw error;
    }
  }
  await context.call('DeleteSolution', () => personalize().send(new DeleteSolutionCommand({ solutionArn })));
}

const SOLUTIONS: ChildType = {
  noun: 'solution',
  list: async (context, groupArn) => children('solution', await solutionsOf(context, groupArn)),
  remove: stopTrainingAndDeleteSolution,
};

const EVENT_TRACKERS = groupChild('event tracker', 'ListEventTrackers', async (datasetGroupArn, nextToken) => {
  const r = await personalize().send(new ListEventTrackersCommand({ datasetGroupArn, nextToken, maxResults: PAGE_SIZE }));
  return { items: r.eventTrackers?.map((x) => ({ arn: x.eventTrackerArn, status: x.status })), nextToken: r.nextToken };
}, (eventTrackerArn) => personalize().send(new DeleteEventTrackerCommand({ eventTrackerArn })), 'DeleteEventTracker');

const FILTERS = groupChild('filter', 'ListFilters', async (datasetGroupArn, nextToken) => {
  const r = await personalize().send(new ListFiltersCommand({ datasetGroupArn, nextToken, maxResults: PAGE_SIZE }));
  return { items: r.Filters?.map((x) => ({ arn: x.filterArn, status: x.status })), nextToken: r.nextToken };
}, (filterArn) => personalize().send(new DeleteFilterCommand({ filterArn })), 'DeleteFilter');

const METRIC_ATTRIBUTIONS = groupChild('metric attribution', 'ListMetricAttributions', async (datasetGroupArn, nextToken) => {
  const r = await personalize().send(new ListMetricAttributionsCommand({ datasetGroupArn, nextToken, maxResults: PAGE_SIZE }));
  return { items: r.metricAttributions?.map((x) => ({ arn: x.metricAttributionArn, status: x.status })), nextToken: r.nextToken };
}, (metricAttributionArn) => personalize().send(new DeleteMetricAttributionCommand({ metricAttributionArn })), 'DeleteMetricAttribution');

const DATASETS = groupChild('dataset', 'ListDatasets', async (datasetGroupArn, nextToken) => {
  const r = await personalize().send(new ListDatasetsCommand({ datasetGroupArn, nextToken, maxResults: PAGE_SIZE }));
  return { items: r.datasets?.map((x) => ({ arn: x.datasetArn, status: x.status })), nextToken: r.nextToken };
}, (datasetArn) => personalize().send(new DeleteDatasetCommand({ datasetArn })), 'DeleteDataset');

const CHILD_TYPES: Record<string, ChildType> = {
  [RECOMMENDER.resourceType]: RECOMMENDERS,
  [CAMPAIGN.resourceType]: CAMPAIGNS,
  [SOLUTION.resourceType]: SOLUTIONS,
  [EVENT_TRACKER.resourceType]: EVENT_TRACKERS,
  [FILTER.resourceType]: FILTERS,
  [METRIC_ATTRIBUTION.resourceType]: METRIC_ATTRIBUTIONS,
  [DATASET.resourceType]: DATASETS,
};

/** Deletion order, as the kinds declare it: a stage starts once every child of the stages before it is gone. */
const STAGES: ReadonlyArray<ReadonlyArray<ChildType>> = (() => {
  const stages = new Map<number, ChildType[]>();
  for (const kind of groupChildKinds()) {
    const type = CHILD_TYPES[kind.resourceType];
    if (!type) throw new Error(`The ${kind.noun} kind declares a place in the group's deletion order, but the group cannot list or delete it`);
    stages.set(kind.groupDeletionStage!, [...stages.get(kind.groupDeletionStage!) ?? [], type]);
  }
  return [...stages.keys()].sort((a, b) => a - b).map((stage) => stages.get(stage)!);
})();

/** Every child of the group, whatever its state. */
export async function listChildren(context: KindContext, groupArn: string): Promise<Child[]> {
  const found: Child[] = [];
  for (const stage of STAGES) for (const type of stage) found.push(...await type.list(context, groupArn));
  return found;
}

/**
 * One step of emptying the group: starts deleting the children of the first stage
 * that still has any, and says what it is waiting for; undefined once the group is empty.
 */
export async function deleteNextChildren(context: KindContext, groupArn: string): Promise<string | undefined> {
  for (const stage of STAGES) {
    const present: Child[] = [];
    for (const type of stage) present.push(...await type.list(context, groupArn));
    if (present.length === 0) continue;
    for (const child of present.filter((c) => c.condition !== 'deleting')) {
      const type = stage.find((t) => t.noun === child.noun)!;
      try {
        await type.remove(context, child.arn);
        log('info', 'deleting a child of the dataset group', { groupArn, child: child.arn });
      } catch (error) {
        // Still being created, or gone meanwhile: the next step looks again.
        if (!isErrorNamed(error, 'ResourceInUseException') && !isErrorNamed(error, 'ResourceNotFoundException')) throw error;
      }
    }
    return `emptying the dataset group: waiting for ${present.length} ${present[0].noun}(s) to be deleted (${present.map((c) => c.arn).join(', ')})`;
  }
  return undefined;
}
