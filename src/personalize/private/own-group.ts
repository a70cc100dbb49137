/**
 * What a member's `datasetGroup` is: a dataset group at all, and whether it is a
 * DatasetGroup of this app, without datasets importing the DatasetGroup class (the group
 * imports Dataset to add datasets; a value import back would close an import circle).
 */
import { requireConstruct } from '../../private/runtime-types';
import type { DatasetGroup, IDatasetGroup } from '../dataset-group';

const OWN_GROUP = Symbol('cdk-personalize.ownDatasetGroup');

/** Called by DatasetGroup's constructor. */
export function markOwnGroup(group: DatasetGroup): void {
  Object.defineProperty(group, OWN_GROUP, { value: true });
}

/** True for a DatasetGroup constructed in this app (what `instanceof DatasetGroup` says), false for an imported one. */
export function isOwnGroup(group: IDatasetGroup): group is DatasetGroup {
  return (group as unknown as Record<symbol, unknown>)[OWN_GROUP] === true;
}

/** Refuses a `datasetGroup` that is not a dataset group (from a jsii language, anything may come). */
export function requireDatasetGroup(group: IDatasetGroup): void {
  requireConstruct('datasetGroup', group, 'IDatasetGroup (a DatasetGroup, or DatasetGroup.fromDatasetGroupArn / fromDatasetGroupName)', 'datasetGroupArn');
}
