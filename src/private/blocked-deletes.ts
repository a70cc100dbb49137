/**
 * What the datasets and solutions of a group share for deletes that other resources
 * block (lambda/kinds/personalize/blockers.ts): the group's emptyOnDelete, passed on in
 * their properties, and the List calls that find what blocks them.
 */
import type { DatasetGroup, IDatasetGroup } from '../personalize/dataset-group';

/**
 * The List actions that find what blocks the delete of a dataset or a solution: filters, the
 * event tracker, metric attributions and their metrics, import jobs, recommenders, solutions,
 * their versions, their batch jobs and campaigns. Like the group's own, they take no resource-level permissions.
 */
const BLOCKER_LIST_ACTIONS = [
  'personalize:ListFilters', 'personalize:ListEventTrackers', 'personalize:ListMetricAttributions',
  'personalize:ListMetricAttributionMetrics', 'personalize:ListDatasetImportJobs', 'personalize:ListRecommenders',
  'personalize:ListSolutions', 'personalize:ListSolutionVersions', 'personalize:ListCampaigns',
  'personalize:ListBatchInferenceJobs', 'personalize:ListBatchSegmentJobs',
];

/**
 * Every List action a delete of any kind reads: the blockers', and the group's own datasets. Every
 * construct grants them (ownedResourcesGrants): a delete may run under a template without its kind.
 */
export const DELETE_LIST_ACTIONS = [...BLOCKER_LIST_ACTIONS, 'personalize:ListDatasets'];

/**
 * 'true' when `group` is a DatasetGroup of the app with emptyOnDelete, for the GroupEmptyOnDelete property
 * of its datasets and solutions; an imported group's setting is unknown, so it is absent (false).
 */
export function groupEmptyOnDelete(group: IDatasetGroup): string | undefined {
  return (group as Partial<DatasetGroup>)._emptyOnDelete === true ? 'true' : undefined;
}
