/** Datasets, one of each type in a group, and UpdateDataset, which replaces a dataset's schema. */
import { randomUUID } from 'crypto';
import { groupMember, findGroup, DatasetGroupRecord } from './dataset-group';
import { findSchema, parseAvroRecord, schemaReplacementProblem, SchemaRecord } from './schema';
import { Input, KindFactory, LifecycleRecord, Output, paginate, ServiceCore, UpdateLifecycle } from '../core';
import { alreadyExists, invalidInput, inUse } from '../errors';
import { epoch, STATUS, UPDATE_NAMES } from '../lifecycle';
import { requestTags } from '../tags';

export interface DatasetRecord extends LifecycleRecord {
  readonly name: string;
  readonly datasetGroupArn: string;
  readonly datasetType: string;
  schemaArn: string;
  schemaChangedAt?: number;
  readonly trackingId?: string;
  update?: DatasetUpdate;
}

interface DatasetUpdate extends UpdateLifecycle {
  readonly schemaArn: string;
  applied: boolean;
}

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

export function findDataset(core: ServiceCore, arn: string): DatasetRecord {
  return core.find<DatasetRecord>(arn, 'dataset');
}

export const datasetKind: KindFactory = (core) => {
  const { config } = core;
  const updateStatus = (u: DatasetUpdate, now: number) => core.updatePhase(u, now, UPDATE_NAMES);

  function create(input: Input, now: number): Output {
    const name: string = input.name;
    const datasetType = canonicalDatasetType(input.datasetType);
    const tags = requestTags(input);
    const group = findGroup(core, input.datasetGroupArn);
    const schema = findSchema(core, input.schemaArn);

    if (group.domain !== undefined && DOMAIN_FORBIDDEN_TYPES.includes(datasetType)) {
      throw invalidInput(`A ${datasetType} dataset cannot be created in a Domain dataset group.`);
    }
    checkSchemaFits(schema, group, datasetType);
    core.requireActive(group, now, 'before datasets are added');
    const arn = core.arn(`dataset/${group.name}/${datasetType.toUpperCase()}`);
    if (core.has(arn)) {
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
      ...core.startCreation(name, 'dataset'),
      trackingId: datasetType === 'Action_Interactions' ? randomUUID() : undefined,
    };
    core.put(record);
    return { datasetArn: arn };
  }

  function checkSchemaFits(schema: SchemaRecord, group: DatasetGroupRecord, datasetType: string): void {
    if (schema.domain !== group.domain) {
      throw invalidInput(`The domain of schema ${schema.arn} (${schema.domain ?? 'none'}) does not match the domain of dataset group ${group.arn} (${group.domain ?? 'none'}).`);
    }
    if (!config.strictSchemas) return;
    const fields = parseAvroRecord(schema.schema) ?? [];
    const names = new Set(fields.map((f) => f.name.toUpperCase()));
    const missing = REQUIRED_FIELDS[datasetType].filter((f) => !names.has(f));
    if (missing.length > 0) {
      throw invalidInput(`Schema ${schema.arn} cannot be used for a ${datasetType} dataset: missing required field(s) ${missing.join(', ')}.`);
    }
  }

  function output(d: DatasetRecord, now: number): Output {
    const phase = core.phase(d, now);
    let latestDatasetUpdate: Output | undefined;
    if (d.update) {
      const up = updateStatus(d.update, now);
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
   * https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html ("Deleting a dataset") lists what
   * must go first; the kinds it names say so in their `blocks`. This fake adds: no UpdateDataset under way.
   */
  function remove(input: Input, now: number): Output {
    const dataset = findDataset(core, input.datasetArn);
    const pendingUpdate = dataset.update && !dataset.update.applied ? [dataset] : [];
    return core.beginDelete(dataset, now, [['has an update in progress', pendingUpdate], ...core.blockersOf(dataset, now)]);
  }

  function update(input: Input, now: number): Output {
    const dataset = findDataset(core, input.datasetArn);
    const schema = findSchema(core, input.schemaArn);
    if (!UPDATABLE_TYPES.includes(dataset.datasetType)) {
      throw invalidInput(`Only ${UPDATABLE_TYPES.join(' and ')} datasets can have their schema replaced; ${dataset.arn} is a ${dataset.datasetType} dataset.`);
    }
    const group = findGroup(core, dataset.datasetGroupArn);
    checkSchemaFits(schema, group, dataset.datasetType);
    if (config.strictSchemas) {
      const problem = schemaReplacementProblem(findSchema(core, dataset.schemaArn).schema, schema.schema);
      if (problem) throw invalidInput(`Schema ${schema.arn} cannot replace the schema of ${dataset.arn}: ${problem}`);
    }
    core.requireActive(dataset, now, 'to be updated');
    if (dataset.update && !dataset.update.applied) {
      throw inUse(`Dataset ${dataset.arn} already has an update in progress.`);
    }
    dataset.update = { schemaArn: schema.arn, startedAt: now, ...core.startUpdate(dataset.name), applied: false };
    return { datasetArn: dataset.arn };
  }

  return {
    label: 'Dataset',
    operations: {
      CreateDataset: create,
      DescribeDataset: (input, now) => ({ dataset: output(findDataset(core, input.datasetArn), now) }),
      DeleteDataset: remove,
      UpdateDataset: update,
      ListDatasets: (input, now) => {
        const all = core.ofKind<DatasetRecord>('dataset').filter((d) => input.datasetGroupArn === undefined || d.datasetGroupArn === input.datasetGroupArn);
        const { page, nextToken } = paginate(all, input);
        return {
          datasets: page.map((d) => {
            const { name, datasetArn, datasetType, status, creationDateTime, lastUpdatedDateTime } = output(d, now);
            return { name, datasetArn, datasetType, status, creationDateTime, lastUpdatedDateTime };
          }),
          nextToken,
        };
      },
    },
    settle: (d: DatasetRecord, _phase, now) => {
      if (!d.update || d.update.applied) return;
      const up = updateStatus(d.update, now);
      if (up.status === STATUS.active) {
        d.schemaArn = d.update.schemaArn;
        d.schemaChangedAt = up.since;
        d.update.applied = true;
      } else if (up.status === STATUS.updateFailed) {
        d.update.applied = true;
      }
    },
    snapshot: (d: DatasetRecord, now) => core.snapshotOf(d, now, {
      datasetGroupArn: d.datasetGroupArn,
      datasetType: d.datasetType,
      schemaArn: d.schemaArn,
      updateStatus: d.update ? updateStatus(d.update, now).status : undefined,
    }),
    blocks: {
      datasetGroup: groupMember(core, 'dataset', 'datasets'),
      /**
       * https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteSchema.html: "Before deleting a schema, you must
       * delete all datasets referencing the schema." A dataset whose UpdateDataset to this schema is unfinished is
       * this fake's addition: the schema is about to be referenced.
       */
      schema: {
        reason: 'is used by datasets',
        blocking: (schema) => core.ofKind<DatasetRecord>('dataset')
          .filter((d) => d.schemaArn === schema.arn || (d.update && !d.update.applied && d.update.schemaArn === schema.arn)),
      },
    },
  };
};

function canonicalDatasetType(value: string): string {
  const found = DATASET_TYPES.find((t) => t.toLowerCase() === value.toLowerCase());
  if (!found) throw invalidInput(`Invalid datasetType ${value}. Valid values are ${DATASET_TYPES.join(', ')}.`);
  return found;
}
