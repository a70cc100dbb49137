/**
 * Dataset groups, which every kind but schemas lives in. What a group contains keeps it
 * from being deleted: each such kind says so with groupMember().
 */
import type { ResourceKind } from '.';
import { Blocker, Input, KindFactory, LifecycleRecord, Output, paginate, ServiceCore } from '../core';
import { alreadyExists, invalidInput, LimitExceeded, ServiceError } from '../errors';
import { epoch } from '../lifecycle';
import { requestTags } from '../tags';

export interface DatasetGroupRecord extends LifecycleRecord {
  readonly name: string;
  readonly domain?: string;
  readonly roleArn?: string;
  readonly kmsKeyArn?: string;
}

export function findGroup(core: ServiceCore, arn: string): DatasetGroupRecord {
  return core.find<DatasetGroupRecord>(arn, 'datasetGroup');
}

/** The group a new resource goes into: it must exist and be ACTIVE. */
export function activeGroup(core: ServiceCore, arn: string, now: number, what: string): DatasetGroupRecord {
  const group = findGroup(core, arn);
  core.requireActive(group, now, `before ${what} can be created in it`);
  return group;
}

/**
 * A group cannot be deleted while it contains a resource of `kind`, even a deleting one.
 * AWS documents it for datasets, solutions and event trackers
 * (https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteDatasetGroup.html: "All associated event trackers.
 * All associated solutions. All datasets in the dataset group.") and for recommenders
 * (https://docs.aws.amazon.com/personalize/latest/dg/gs-cleanup.html, Domain dataset groups: "All associated recommenders").
 */
export function groupMember(core: ServiceCore, kind: ResourceKind, plural: string, undocumented = false): Blocker {
  return { reason: `still contains ${plural}`, undocumented, blocking: (group) => core.inGroup(group.arn, kind) };
}

export const datasetGroupKind: KindFactory = (core) => {
  const { config } = core;

  function create(input: Input, now: number): Output {
    const name: string = input.name;
    if (input.roleArn !== undefined && input.kmsKeyArn === undefined) {
      throw invalidInput('roleArn is only valid when a kmsKeyArn is also provided.');
    }
    if (input.kmsKeyArn !== undefined && input.roleArn === undefined) {
      throw invalidInput('A roleArn that can access the KMS key is required when kmsKeyArn is provided.');
    }
    const tags = requestTags(input);
    const arn = core.arn(`dataset-group/${name}`);
    if (core.has(arn)) throw alreadyExists(`Dataset group with name ${name} already exists.`);
    if (core.ofKind('datasetGroup').length >= config.maxDatasetGroups) {
      throw new ServiceError(LimitExceeded, `The limit of ${config.maxDatasetGroups} dataset groups has been reached.`);
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
      ...core.startCreation(name, 'datasetGroup'),
    };
    // The group is accepted, then fails once Personalize finds it cannot use the key with the role.
    const keyDenied = input.kmsKeyArn && config.keyDenied?.(input.roleArn, input.kmsKeyArn, arn);
    core.put(keyDenied ? { ...record, outcome: { kind: 'fail', reason: `Unable to use the KMS key: ${keyDenied}` } } : record);
    return { datasetGroupArn: arn, domain: input.domain };
  }

  function output(g: DatasetGroupRecord, now: number): Output {
    const phase = core.phase(g, now);
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

  return {
    label: 'Dataset group',
    deleteInProgress: false,
    operations: {
      CreateDatasetGroup: create,
      DescribeDatasetGroup: (input, now) => ({ datasetGroup: output(findGroup(core, input.datasetGroupArn), now) }),
      DeleteDatasetGroup: (input, now) => {
        const group = findGroup(core, input.datasetGroupArn);
        return core.beginDelete(group, now, core.blockersOf(group, now));
      },
      ListDatasetGroups: (input, now) => {
        const { page, nextToken } = paginate(core.ofKind<DatasetGroupRecord>('datasetGroup'), input);
        return {
          datasetGroups: page.map((g) => {
            const { name, datasetGroupArn, status, creationDateTime, lastUpdatedDateTime, failureReason, domain } = output(g, now);
            return { name, datasetGroupArn, status, creationDateTime, lastUpdatedDateTime, failureReason, domain };
          }),
          nextToken,
        };
      },
    },
    snapshot: (g: DatasetGroupRecord, now) => core.snapshotOf(g, now, { domain: g.domain }),
  };
};
