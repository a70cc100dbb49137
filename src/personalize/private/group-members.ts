/**
 * What the constructs built on a dataset group (event trackers, filters, metric
 * attributions) share: the group's datasets declared in the app, ordering after
 * them, and the ARN the handler may create in.
 */
import { AspectPriority, Aspects } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { datasetGroupArnPattern } from './grant-patterns';
import { importedGroupKey } from './group-keys';
import { Dataset } from '../dataset';
import { DatasetGroup, IDatasetGroup } from '../dataset-group';

/** The datasets of `group` declared anywhere in the app. */
export function datasetsOf(scope: IConstruct, group: IDatasetGroup): Dataset[] {
  return scope.node.root.node.findAll().filter((construct): construct is Dataset => construct instanceof Dataset && construct.datasetGroup === group);
}

/**
 * Runs `then` once, when the whole app is declared (before any read-only aspect such
 * as cdk-nag), so that datasets declared after `owner` are seen too.
 */
export function whenAppDeclared(owner: IConstruct, then: () => void): void {
  let visited = false;
  Aspects.of(owner).add({
    visit: (node) => {
      if (node !== owner || visited) return;
      visited = true;
      then();
    },
  }, { priority: AspectPriority.MUTATING });
}

/** The import jobs of the app into each dataset group (its datasets), as they are declared. */
const importsByGroup = new WeakMap<IDatasetGroup, IConstruct[]>();

/** Records an import job of the app into `group`, for what trains on the group's data to wait for. */
export function recordImport(group: IDatasetGroup, job: IConstruct): void {
  importsByGroup.set(group, [...importsByGroup.get(group) ?? [], job]);
}

/**
 * Orders `resource` after the app's imports into `group`, declared before or after `owner`:
 * what trains on the group's data (a solution version, a recommender) starts once they have
 * ended. It depends on each whole job, so on an import that waits for ACTIVE it waits for its
 * wait condition and the proof the job ended ACTIVE too; on a start-only import, only for the start.
 */
export function afterImportsInto(owner: IConstruct, resource: IConstruct, group: IDatasetGroup): void {
  whenAppDeclared(owner, () => (importsByGroup.get(group) ?? []).forEach((job) => resource.node.addDependency(job)));
}

/** The group ARN the handler may create members in: the group's name pattern when the app owns it (ADR 0002). */
export function memberCreationArn(group: IDatasetGroup): string {
  return group instanceof DatasetGroup ? datasetGroupArnPattern(group, group._physicalName) : group.datasetGroupArn;
}

/** The member of each kind claimed so far for each dataset group, per app. */
const claimsByApp = new WeakMap<IConstruct, Map<string, Map<unknown, IConstruct>>>();

/**
 * Claims `group`'s one place for a member of `kind` (Personalize allows one event
 * tracker and one metric attribution per group). The same imported group, imported
 * twice, is one group. Throws with `advice` when another construct holds the place.
 */
export function claimOnePerGroup(kind: string, group: IDatasetGroup, member: IConstruct, advice: string): void {
  const kinds = claimsByApp.get(member.node.root) ?? new Map<string, Map<unknown, IConstruct>>();
  claimsByApp.set(member.node.root, kinds);
  const claimed = kinds.get(kind) ?? new Map<unknown, IConstruct>();
  kinds.set(kind, claimed);
  const key = group instanceof DatasetGroup ? group : importedGroupKey(group) ?? group;
  const existing = claimed.get(key);
  if (existing) {
    throw new Error(`Invalid datasetGroup: dataset group '${group.node.path}' already has ${kind} ('${existing.node.path}'), `
      + `and Personalize allows one ${kind.replace(/^an? /, '')} per dataset group. ${advice}`);
  }
  claimed.set(key, member);
}
