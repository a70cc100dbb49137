/**
 * Each Personalize kind's facts, once (see src/private/declaration.ts): read by its construct
 * for the handler's grants and by its handler kind for its ARN and type. Scopes other than
 * `self`, `owned` and `anything` are resources the construct names:
 * - `group`: the dataset group a member is created in; `dataset`, `schema`: those a kind names;
 * - `role`: the service role passed to Personalize; `deployed`: what a campaign deploys;
 * - `versions`: a solution's versions; `children`: what a group with emptyOnDelete deletes;
 * - `groupChildren`: what blocks a dataset's or solution's delete and the stack does not
 *   manage, removed when the group has emptyOnDelete;
 * - `assetObject`, `copy`, `copies`: an import's CDK asset and its copies in the construct's bucket;
 * - `solutionVersion`: the version a batch inference job runs.
 */
import { ResourceTypes } from '../../private/contract';
import { call, DeclaredCall, KindDeclaration, longWaitCall, passingRole, PERSONALIZE_NAME, Scope, taggingCalls } from '../../private/declaration';

/** The service principal every Personalize service role trusts and every PassRole names. */
export const PERSONALIZE_PRINCIPAL = 'personalize.amazonaws.com';

const TAGGING = taggingCalls('personalize');

/** Lists of what lives in a group: each takes no resource-level permission, and every construct grants them (ownedResourcesGrants). */
const lists = (...operations: string[]): DeclaredCall[] => operations.map((operation) => call(`personalize:${operation}`, 'owned'));

/** What a dataset's or a solution's delete reads to find what blocks it (lambda/kinds/personalize/blockers.ts). */
const BLOCKER_LISTS = lists('ListFilters', 'ListEventTrackers', 'ListMetricAttributions', 'ListMetricAttributionMetrics',
  'ListDatasetImportJobs', 'ListRecommenders', 'ListSolutions', 'ListSolutionVersions', 'ListCampaigns', 'ListBatchInferenceJobs',
  'ListBatchSegmentJobs');

/** Removing what blocks a delete and the stack does not manage: granted by a group with emptyOnDelete. */
const removing = (...operations: string[]): DeclaredCall[] => operations.map((operation) => call(`personalize:${operation}`, 'groupChildren'));

/**
 * What every kind the stack manages calls on itself: Create (authorized on the new resource and on `createOn`),
 * Describe, and Delete, which reaches also what the template no longer names (ownedResourcesGrants).
 */
const managed = (type: string, ...createOn: Scope[]): DeclaredCall[] => [
  call(`personalize:Create${type}`, 'self', ...createOn),
  call(`personalize:Describe${type}`, 'self'),
  call(`personalize:Delete${type}`, 'owned'),
];

/** A Personalize kind's facts: its ARN's resource part, with its name rule when that is not a plain Personalize name. */
interface PersonalizeFacts {
  readonly noun: string;
  readonly nameProperty: string;
  readonly arn?: string | KindDeclaration['arn'];
  /** @default true */
  readonly ownerTagGatesIam?: boolean;
  readonly groupDeletionStage?: number;
}

function personalizeKind(type: keyof typeof ResourceTypes, facts: PersonalizeFacts, calls: DeclaredCall[]): KindDeclaration {
  const arn = typeof facts.arn === 'string' ? { resource: facts.arn, namePattern: PERSONALIZE_NAME } : facts.arn;
  return { ...facts, resourceType: ResourceTypes[type], service: 'personalize', arn, ownerTagGatesIam: facts.ownerTagGatesIam ?? true, calls };
}

export const DATASET_GROUP = personalizeKind('DATASET_GROUP', { noun: 'dataset group', nameProperty: 'datasetGroupName', arn: 'dataset-group' }, [
  passingRole(call('personalize:CreateDatasetGroup', 'self'), PERSONALIZE_PRINCIPAL),
  call('personalize:DescribeDatasetGroup', 'self'),
  call('personalize:DeleteDatasetGroup', 'owned'),
  ...TAGGING,
  ...lists('ListRecommenders', 'ListSolutions', 'ListCampaigns', 'ListSolutionVersions', 'ListEventTrackers', 'ListFilters',
    'ListMetricAttributions', 'ListDatasets'),
  ...['DeleteRecommender', 'DeleteCampaign', 'DeleteSolution', 'StopSolutionVersionCreation', 'DeleteEventTracker', 'DeleteFilter',
    'DeleteMetricAttribution', 'DeleteDataset'].map((operation) => call(`personalize:${operation}`, 'children')),
  // Tags tell what this stack manages, which the deletes of its datasets and solutions leave alone.
  call('personalize:ListTagsForResource', 'children'),
]);

export const SCHEMA = personalizeKind('SCHEMA', { noun: 'schema', nameProperty: 'schemaName', arn: 'schema', ownerTagGatesIam: false }, [
  call('personalize:CreateSchema', 'self'),
  call('personalize:DescribeSchema', 'self'),
  call('personalize:DeleteSchema', 'self'),
  // What a refused delete reads to name the datasets, in any group, that use the schema.
  ...lists('ListDatasets'),
  call('personalize:DescribeDataset', 'owned'),
]);

// `dataset/GROUP/TYPE`: a dataset's ARN names its group and type, not its own name.
export const DATASET = personalizeKind('DATASET', {
  noun: 'dataset', nameProperty: 'datasetName', arn: { resource: 'dataset', namePattern: `${PERSONALIZE_NAME}/[A-Za-z_]+` }, groupDeletionStage: 3,
}, [
  ...managed('Dataset', 'group'),
  call('personalize:UpdateDataset', 'self'),
  // CreateDataset and UpdateDataset authorize the dataset and its group, not the schema; the handler reads the schemas.
  call('personalize:DescribeSchema', 'schema'),
  ...TAGGING,
  ...BLOCKER_LISTS,
  ...removing('DeleteFilter', 'DeleteEventTracker', 'DeleteMetricAttribution', 'DeleteCampaign', 'StopSolutionVersionCreation'),
]);

// The service picks the tracker's ID.
export const EVENT_TRACKER = personalizeKind('EVENT_TRACKER', {
  noun: 'event tracker',
  nameProperty: 'eventTrackerName',
  arn: { resource: 'event-tracker', namePattern: '[A-Za-z0-9]+', idPickedByService: true },
  ownerTagGatesIam: false,
  groupDeletionStage: 2,
}, [
  ...managed('EventTracker', 'group'),
  // Finding a tracker by name when its ARN is not known yet (a lost Create response, a cancelled Create).
  call('personalize:ListEventTrackers', 'anything'),
  ...TAGGING,
]);

export const FILTER = personalizeKind('FILTER', { noun: 'filter', nameProperty: 'filterName', arn: 'filter', groupDeletionStage: 2 }, [
  ...managed('Filter', 'group'),
  ...TAGGING,
]);

export const METRIC_ATTRIBUTION = personalizeKind('METRIC_ATTRIBUTION', {
  noun: 'metric attribution', nameProperty: 'metricAttributionName', arn: 'metric-attribution', ownerTagGatesIam: false, groupDeletionStage: 2,
}, [
  passingRole(call('personalize:CreateMetricAttribution', 'self', 'group'), PERSONALIZE_PRINCIPAL),
  call('personalize:DescribeMetricAttribution', 'self'),
  passingRole(call('personalize:UpdateMetricAttribution', 'self'), PERSONALIZE_PRINCIPAL),
  call('personalize:DeleteMetricAttribution', 'self'),
  // What an update compares against; takes no resource-level permission.
  call('personalize:ListMetricAttributionMetrics', 'anything'),
  ...lists('ListMetricAttributions'),
]);

export const DATASET_IMPORT_JOB = personalizeKind('DATASET_IMPORT_JOB', {
  noun: 'dataset import job', nameProperty: 'dataVersion', arn: 'dataset-import-job',
}, [
  passingRole(call('personalize:CreateDatasetImportJob', 'self', 'dataset'), PERSONALIZE_PRINCIPAL),
  call('personalize:DescribeDatasetImportJob', 'self'),
  call('personalize:DescribeDataset', 'dataset'),
  { operation: 's3:CopyObject', permissions: [{ action: 's3:GetObject', on: ['assetObject'] }, { action: 's3:PutObject', on: ['copy'] }] },
  { operation: 's3:DeleteObject', permissions: [{ action: 's3:DeleteObject', on: ['copies', 'owned'] }] },
  ...TAGGING,
  longWaitCall('personalize:DescribeDatasetImportJob', 'self'),
]);

/** A batch job's calls: CreateBatchX is authorized on the new job and, for inference, on the solution (version) it runs (ADR 0018). */
const batchJob = (type: string, ...createOn: Scope[]): DeclaredCall[] => [
  passingRole(call(`personalize:Create${type}`, 'self', ...createOn), PERSONALIZE_PRINCIPAL),
  call(`personalize:Describe${type}`, 'self'),
  // Finding the solution's latest ACTIVE version; takes no resource-level permission.
  call('personalize:ListSolutionVersions', 'anything'),
  ...TAGGING,
  longWaitCall(`personalize:Describe${type}`, 'self'),
];

// The API can neither delete nor stop a batch job: it runs to its end and stays listed.
export const BATCH_INFERENCE_JOB = personalizeKind('BATCH_INFERENCE_JOB', {
  noun: 'batch inference job', nameProperty: 'dataVersion', arn: 'batch-inference-job',
}, batchJob('BatchInferenceJob', 'solutionVersion'));

export const BATCH_SEGMENT_JOB = personalizeKind('BATCH_SEGMENT_JOB', {
  noun: 'batch segment job', nameProperty: 'dataVersion', arn: 'batch-segment-job',
}, batchJob('BatchSegmentJob'));

export const SOLUTION = personalizeKind('SOLUTION', { noun: 'solution', nameProperty: 'solutionName', arn: 'solution', groupDeletionStage: 1 }, [
  ...managed('Solution', 'group'),
  call('personalize:UpdateSolution', 'self'),
  // A delete stops the solution's training still under way.
  call('personalize:StopSolutionVersionCreation', 'versions'),
  ...TAGGING,
  ...BLOCKER_LISTS,
  ...removing('DeleteCampaign'),
]);

// `solution/NAME/ID`: the service picks the ID.
export const SOLUTION_VERSION = personalizeKind('SOLUTION_VERSION', {
  noun: 'solution version',
  nameProperty: 'retrainOn',
  arn: { resource: 'solution', namePattern: `${PERSONALIZE_NAME}/[A-Za-z0-9]+`, idPickedByService: true },
}, [
  call('personalize:CreateSolutionVersion', 'self'),
  call('personalize:DescribeSolutionVersion', 'self'),
  call('personalize:StopSolutionVersionCreation', 'owned'),
  // Finding a version by name; takes no resource-level permission.
  call('personalize:ListSolutionVersions', 'anything'),
  ...TAGGING,
  longWaitCall('personalize:DescribeSolutionVersion', 'self'),
]);

export const CAMPAIGN = personalizeKind('CAMPAIGN', { noun: 'campaign', nameProperty: 'campaignName', arn: 'campaign', groupDeletionStage: 0 }, [
  // The reference authorizes CreateCampaign on the campaign and on the solution (version) it deploys.
  ...managed('Campaign', 'deployed'),
  call('personalize:UpdateCampaign', 'self'),
  ...TAGGING,
]);

export const RECOMMENDER = personalizeKind('RECOMMENDER', {
  noun: 'recommender', nameProperty: 'recommenderName', arn: 'recommender', groupDeletionStage: 0,
}, [
  ...managed('Recommender', 'group'),
  call('personalize:UpdateRecommender', 'self'),
  call('personalize:StartRecommender', 'self'),
  call('personalize:StopRecommender', 'owned'),
  ...TAGGING,
]);

/** Reads how long work ended after its wait condition: the work's Describe, which every construct grants unconditioned. */
export const LONG_WORK_RESULT = personalizeKind('LONG_WORK_RESULT', {
  noun: 'long work result', nameProperty: 'the work it reads', ownerTagGatesIam: false,
}, [
  call('personalize:DescribeSolutionVersion', 'owned'),
  call('personalize:DescribeDatasetImportJob', 'owned'),
  call('personalize:DescribeBatchInferenceJob', 'owned'),
  call('personalize:DescribeBatchSegmentJob', 'owned'),
]);

export const PERSONALIZE_KINDS: readonly KindDeclaration[] = [
  DATASET_GROUP, SCHEMA, DATASET, EVENT_TRACKER, FILTER, METRIC_ATTRIBUTION, DATASET_IMPORT_JOB, SOLUTION, SOLUTION_VERSION,
  RECOMMENDER, CAMPAIGN, BATCH_INFERENCE_JOB, BATCH_SEGMENT_JOB, LONG_WORK_RESULT,
];

/** The kinds a dataset group's emptyOnDelete deletes, in its deletion order. */
export function groupChildKinds(): KindDeclaration[] {
  return PERSONALIZE_KINDS.filter((kind) => kind.groupDeletionStage !== undefined)
    .sort((a, b) => a.groupDeletionStage! - b.groupDeletionStage!);
}
