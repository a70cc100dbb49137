/**
 * What keeps a dataset, a solution or a schema from being deleted, as AWS documents
 * it, and how a group's `emptyOnDelete` removes what the stack does not manage.
 *
 * Each blocker is in one of three states:
 * - `deleting`: being deleted; the delete waits for it.
 * - `settling`: an operation under way (a training, an import, a recommender being
 *   created) that stops blocking once it ends by itself; the delete waits for it.
 * - `standing`: blocks until someone deletes it; nobody is, so the delete fails after
 *   the engine's grace, listing it.
 * Under the group's `emptyOnDelete`, the kind removes the standing and settling blockers
 * that this stack does not manage (deletes them, or stops their training) and waits for
 * them. What carries this stack's owner tag is never removed that way: it is still in
 * the app, or the stack retains it, and deleting it would leave the stack pointing at
 * nothing. Kinds the API cannot tag (metric attributions) cannot show an owner: they
 * count as not this stack's. The stack's own attribution depends on every dataset of its
 * group, so CloudFormation deletes it first, and its metrics must name datasets of the app.
 */
import {
  DeleteCampaignCommand, DeleteEventTrackerCommand, DeleteFilterCommand, DeleteMetricAttributionCommand, DescribeDatasetCommand,
  ListBatchInferenceJobsCommand, ListBatchSegmentJobsCommand, ListCampaignsCommand, ListDatasetImportJobsCommand, ListDatasetsCommand,
  ListEventTrackersCommand,
  ListFiltersCommand, ListMetricAttributionMetricsCommand, ListMetricAttributionsCommand, ListRecommendersCommand,
  ListSolutionsCommand, ListSolutionVersionsCommand, StopSolutionVersionCreationCommand,
} from '@aws-sdk/client-personalize';
import { conditionOf, describeOrUndefined, isNotFound, ownedByThisStack, personalize } from './common';
import { listAll, PAGE_SIZE } from './group-children';
import { log } from '../../log';
import { Blockers, KindContext } from '../../resource-kind';
import { isErrorNamed } from '../../retry';

export type BlockerState = 'deleting' | 'settling' | 'standing';

export interface Blocker {
  readonly arn: string;
  readonly state: BlockerState;
  /** False for kinds the API cannot tag, whose ownership cannot be read. */
  readonly taggable: boolean;
  /** Where its ownership is read, when not on itself: a solution version is its solution's (automatic training tags nothing). */
  readonly ownerArn?: string;
  /** Makes it stop blocking: deletes it, or stops its training. Absent when nothing can (an import job). */
  readonly remove?: (context: KindContext) => Promise<unknown>;
}

/** Statuses of something whose creation (or training) is still under way. */
const IN_FLIGHT = new Set(['CREATE PENDING', 'CREATE IN_PROGRESS']);

/** `…:dataset/GROUP/TYPE`: the group's ARN and the dataset type (upper case, as in the ARN). */
export function groupAndTypeOf(datasetArn: string): { groupArn: string; type: string } {
  const match = /^(arn:[^:]+:personalize:[^:]*:[^:]*):dataset\/([^/]+)\/([^/]+)$/.exec(datasetArn);
  if (!match) throw new Error(`Not a dataset ARN: ${datasetArn}`);
  return { groupArn: `${match[1]}:dataset-group/${match[2]}`, type: match[3] };
}

/**
 * What blocks DeleteDataset, by https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: every
 * filter of the group; the event tracker, for the Interactions dataset; a metric attribution that references
 * the dataset; the dataset's import jobs, the group's batch inference and batch segment jobs, recommenders and
 * solution versions, while CREATE PENDING or IN PROGRESS; the group's campaigns while CREATE PENDING, IN PROGRESS or ACTIVE.
 */
export async function datasetBlockers(context: KindContext, datasetArn: string): Promise<Blocker[]> {
  const { groupArn, type } = groupAndTypeOf(datasetArn);
  const found: Blocker[] = [];
  const filters = await listOrNone(context, 'ListFilters', async (nextToken) => {
    const r = await personalize().send(new ListFiltersCommand({ datasetGroupArn: groupArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.Filters?.map((x) => ({ arn: x.filterArn, status: x.status })), nextToken: r.nextToken };
  });
  found.push(...filters.map((f) => deletable(f, (arn) => personalize().send(new DeleteFilterCommand({ filterArn: arn })), 'DeleteFilter')));
  if (type === 'INTERACTIONS') {
    const trackers = await listOrNone(context, 'ListEventTrackers', async (nextToken) => {
      const r = await personalize().send(new ListEventTrackersCommand({ datasetGroupArn: groupArn, nextToken, maxResults: PAGE_SIZE }));
      return { items: r.eventTrackers?.map((x) => ({ arn: x.eventTrackerArn, status: x.status })), nextToken: r.nextToken };
    });
    found.push(...trackers.map((t) => deletable(t, (arn) => personalize().send(new DeleteEventTrackerCommand({ eventTrackerArn: arn })), 'DeleteEventTracker')));
  }
  for (const attribution of await attributionsReferencing(context, groupArn, type)) {
    found.push({
      ...deletable(attribution, (arn) => personalize().send(new DeleteMetricAttributionCommand({ metricAttributionArn: arn })), 'DeleteMetricAttribution'),
      taggable: false,
    });
  }
  const jobs = await listOrNone(context, 'ListDatasetImportJobs', async (nextToken) => {
    const r = await personalize().send(new ListDatasetImportJobsCommand({ datasetArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.datasetImportJobs?.map((x) => ({ arn: x.datasetImportJobArn, status: x.status })), nextToken: r.nextToken };
  });
  found.push(...jobs.filter(inFlight).map((j) => ({ arn: j.arn, state: 'settling' as const, taggable: true })));
  const recommenders = await listOrNone(context, 'ListRecommenders', async (nextToken) => {
    const r = await personalize().send(new ListRecommendersCommand({ datasetGroupArn: groupArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.recommenders?.map((x) => ({ arn: x.recommenderArn, status: x.status })), nextToken: r.nextToken };
  });
  found.push(...recommenders.filter(inFlight).map((x) => ({ arn: x.arn, state: 'settling' as const, taggable: true })));
  for (const solution of await solutionsOf(context, groupArn)) {
    const versions = await versionsOf(context, solution.arn);
    const trainings = versions.filter((v) => IN_FLIGHT.has(v.status) || v.status === 'CREATE STOPPING');
    found.push(...trainings.map((version) => training(version, solution.arn)));
    // Batch jobs can be neither stopped nor deleted: a delete waits for them to end.
    for (const version of versions) {
      const batchJobs = [...await batchInferenceJobsOf(context, version.arn), ...await batchSegmentJobsOf(context, version.arn)];
      found.push(...batchJobs.filter((job) => conditionOf(job.status) === 'busy')
        .map((job) => ({ arn: job.arn, state: 'settling' as const, taggable: true })));
    }
    const campaigns = await campaignsOf(context, solution.arn);
    found.push(...campaigns.filter((c) => inFlight(c) || c.status === 'ACTIVE')
      .map((c) => deletable(c, (arn) => personalize().send(new DeleteCampaignCommand({ campaignArn: arn })), 'DeleteCampaign')));
  }
  return found;
}

/**
 * What blocks DeleteSolution, by https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSolution.html: every
 * campaign based on it, and its versions in CREATE PENDING or IN PROGRESS (which the solution's own delete stops).
 * A latestSolutionUpdate in progress blocks it too (https://docs.aws.amazon.com/personalize/latest/dg/deleting-resources.html);
 * it ends by itself, and a refusal with no standing blocker is simply retried, so it needs no entry here.
 */
export async function solutionBlockers(context: KindContext, solutionArn: string): Promise<Blocker[]> {
  const found: Blocker[] = (await campaignsOf(context, solutionArn))
    .map((c) => deletable(c, (arn) => personalize().send(new DeleteCampaignCommand({ campaignArn: arn })), 'DeleteCampaign'));
  // The solution's delete stops its trainings itself.
  const trainings = (await versionsOf(context, solutionArn)).filter((v) => IN_FLIGHT.has(v.status) || v.status === 'CREATE STOPPING');
  found.push(...trainings.map((v) => ({ arn: v.arn, state: 'settling' as const, taggable: true })));
  return found;
}

/**
 * What blocks DeleteSchema, by https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSchema.html: every
 * dataset referencing it, in any group. A dataset whose schema update to this schema is under way will
 * reference it once the update ends. A schema belongs to no group, so nothing of it is ever removed.
 */
export async function schemaBlockers(context: KindContext, schemaArn: string): Promise<Blocker[]> {
  const datasets = await listAll(context, 'ListDatasets', async (nextToken) => {
    const r = await personalize().send(new ListDatasetsCommand({ nextToken, maxResults: PAGE_SIZE }));
    return { items: r.datasets?.map((x) => x.datasetArn).filter((arn): arn is string => arn !== undefined), nextToken: r.nextToken };
  });
  const found: Blocker[] = [];
  for (const datasetArn of datasets) {
    const dataset = (await describeOrUndefined(context, 'DescribeDataset', () => personalize().send(new DescribeDatasetCommand({ datasetArn }))))?.dataset;
    if (!dataset) continue;
    const update = dataset.latestDatasetUpdate;
    if (dataset.schemaArn === schemaArn) {
      found.push({ arn: datasetArn, state: conditionOf(dataset.status ?? '') === 'deleting' ? 'deleting' : 'standing', taggable: true });
    } else if (update?.schemaArn === schemaArn && update.status !== undefined && conditionOf(update.status) === 'busy') {
      found.push({ arn: datasetArn, state: 'settling', taggable: true });
    }
  }
  return found;
}

/**
 * Sorts blockers for the engine: what is being deleted or settles by itself is waited for; under
 * `emptyOnDelete`, so is what the kind removes. The rest fails the delete, with a hint that fits it.
 */
export async function sortBlockers(context: KindContext, blockers: Blocker[], emptyOnDelete: boolean, noun: string): Promise<Blockers> {
  const deleting: string[] = [];
  const remaining: string[] = [];
  for (const blocker of blockers) {
    const waited = blocker.state !== 'standing' || (emptyOnDelete && blocker.remove !== undefined && !await isThisStacks(context, blocker));
    (waited ? deleting : remaining).push(blocker.arn);
  }
  if (!emptyOnDelete || remaining.length === 0) return { deleting, remaining };
  return {
    deleting,
    remaining,
    hint: 'They carry this stack\'s owner tag, so emptyOnDelete leaves them: the stack retains them, or they stay in the app while this '
      + `${noun} leaves it. Remove them from the app together with the ${noun}, or delete them`,
  };
}

/**
 * Under `emptyOnDelete`: removes the blockers this stack does not manage, as far as they can be removed now.
 * One still being created refuses its delete (ResourceInUseException) and is tried again at the next step.
 */
export async function removeForeignBlockers(context: KindContext, blockers: Blocker[]): Promise<void> {
  for (const blocker of blockers) {
    if (blocker.state === 'deleting' || blocker.remove === undefined || await isThisStacks(context, blocker)) continue;
    try {
      await blocker.remove(context);
      log('info', 'removing what blocks a delete and this stack does not manage', { owner: context.owner, blocker: blocker.arn });
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceInUseException') && !isNotFound(error)) throw error;
    }
  }
}

async function isThisStacks(context: KindContext, blocker: Blocker): Promise<boolean> {
  return blocker.taggable && ownedByThisStack(context, blocker.ownerArn ?? blocker.arn);
}

interface Listed {
  readonly arn: string;
  readonly status: string;
}

function inFlight(item: Listed): boolean {
  return IN_FLIGHT.has(item.status);
}

/** A blocker that stays until it is deleted, or is being deleted. */
function deletable(item: Listed, remove: (arn: string) => Promise<unknown>, operation: string): Blocker {
  return {
    arn: item.arn,
    state: conditionOf(item.status) === 'deleting' ? 'deleting' : 'standing',
    taggable: true,
    remove: (context) => context.call(operation, () => remove(item.arn)),
  };
}

/** A training under way: it ends by itself, and StopSolutionVersionCreation ends it sooner (CREATE STOPPING cannot be stopped again). */
function training(version: Listed, solutionArn: string): Blocker {
  return {
    arn: version.arn,
    state: 'settling',
    taggable: true,
    ownerArn: solutionArn,
    remove: version.status === 'CREATE STOPPING' ? undefined : (context) => context.call('StopSolutionVersionCreation',
      () => personalize().send(new StopSolutionVersionCreationCommand({ solutionVersionArn: version.arn }))),
  };
}

/**
 * The group's metric attributions that reference a dataset of this type: every metric names an event type of
 * the Interactions dataset, and a SUM() metric names the dataset type it sums, "either Interactions or Items ...
 * For example SUM(Items.PRICE)" (https://docs.aws.amazon.com/personalize/latest/dg/API_MetricAttribute.html).
 */
async function attributionsReferencing(context: KindContext, groupArn: string, type: string): Promise<Listed[]> {
  const attributions = await listAttributions(context, groupArn);
  if (type === 'INTERACTIONS') return attributions;
  const summing = new RegExp(`\\bSUM\\s*\\(\\s*${type}\\.`, 'i');
  const referencing: Listed[] = [];
  for (const attribution of attributions) {
    let expressions: string[];
    try {
      expressions = await listAll(context, 'ListMetricAttributionMetrics', async (nextToken) => {
        const r = await personalize().send(new ListMetricAttributionMetricsCommand({
          metricAttributionArn: attribution.arn, nextToken, maxResults: PAGE_SIZE,
        }));
        return { items: r.metrics?.map((metric) => metric.expression ?? ''), nextToken: r.nextToken };
      });
    } catch (error) {
      // Deleted meanwhile (by a sibling dataset's delete)? The API's model declares no ResourceNotFoundException
      // here, so an InvalidInputException counts as "gone" once the group no longer lists the attribution.
      if (!isNotFound(error) && !isErrorNamed(error, 'InvalidInputException')) throw error;
      if (!(await listAttributions(context, groupArn)).some((listed) => listed.arn === attribution.arn)) continue;
      throw error;
    }
    if (expressions.some((expression) => summing.test(expression))) referencing.push(attribution);
  }
  return referencing;
}

async function listAttributions(context: KindContext, groupArn: string): Promise<Listed[]> {
  return listOrNone(context, 'ListMetricAttributions', async (nextToken) => {
    const r = await personalize().send(new ListMetricAttributionsCommand({ datasetGroupArn: groupArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.metricAttributions?.map((x) => ({ arn: x.metricAttributionArn, status: x.status })), nextToken: r.nextToken };
  });
}

async function solutionsOf(context: KindContext, groupArn: string): Promise<Listed[]> {
  return listOrNone(context, 'ListSolutions', async (nextToken) => {
    const r = await personalize().send(new ListSolutionsCommand({ datasetGroupArn: groupArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.solutions?.map((x) => ({ arn: x.solutionArn, status: x.status })), nextToken: r.nextToken };
  });
}

async function versionsOf(context: KindContext, solutionArn: string): Promise<Listed[]> {
  return listOrNone(context, 'ListSolutionVersions', async (nextToken) => {
    const r = await personalize().send(new ListSolutionVersionsCommand({ solutionArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.solutionVersions?.map((x) => ({ arn: x.solutionVersionArn, status: x.status })), nextToken: r.nextToken };
  });
}

async function batchInferenceJobsOf(context: KindContext, solutionVersionArn: string): Promise<Listed[]> {
  return listOrNone(context, 'ListBatchInferenceJobs', async (nextToken) => {
    const r = await personalize().send(new ListBatchInferenceJobsCommand({ solutionVersionArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.batchInferenceJobs?.map((x) => ({ arn: x.batchInferenceJobArn, status: x.status })), nextToken: r.nextToken };
  });
}

async function batchSegmentJobsOf(context: KindContext, solutionVersionArn: string): Promise<Listed[]> {
  return listOrNone(context, 'ListBatchSegmentJobs', async (nextToken) => {
    const r = await personalize().send(new ListBatchSegmentJobsCommand({ solutionVersionArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.batchSegmentJobs?.map((x) => ({ arn: x.batchSegmentJobArn, status: x.status })), nextToken: r.nextToken };
  });
}

async function campaignsOf(context: KindContext, solutionArn: string): Promise<Listed[]> {
  return listOrNone(context, 'ListCampaigns', async (nextToken) => {
    const r = await personalize().send(new ListCampaignsCommand({ solutionArn, nextToken, maxResults: PAGE_SIZE }));
    return { items: r.campaigns?.map((x) => ({ arn: x.campaignArn, status: x.status })), nextToken: r.nextToken };
  });
}

/** Every item of a List call; none when what it lists under is gone (a solution deleted meanwhile). */
async function listOrNone(context: KindContext, operation: string,
  page: (nextToken?: string) => Promise<{ items?: Array<{ arn?: string; status?: string }>; nextToken?: string }>): Promise<Listed[]> {
  try {
    const items = await listAll(context, operation, page);
    return items.filter((item) => item.arn !== undefined).map((item) => ({ arn: item.arn!, status: item.status ?? 'UNKNOWN' }));
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}
