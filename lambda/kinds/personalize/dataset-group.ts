/**
 * Dataset groups. Tags and nothing else change in place. DeleteDatasetGroup is
 * refused while the group has children; `blockers` lists them so that a delete
 * blocked by children the stack does not manage fails with their ARNs instead of
 * waiting for the timeout, and `EmptyOnDelete` deletes them first (group-children.ts).
 */
import {
  CreateDatasetGroupCommand,
  DeleteDatasetGroupCommand,
  DescribeDatasetGroupCommand,
} from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { deleteNextChildren, listChildren } from './group-children';
import { DATASET_GROUP } from '../../../src/personalize/private/declarations';
import { Attributes, DatasetGroupProperties } from '../../../src/private/contract';
import { optionalBoolean, optionalString, parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { arnByName, declaredFields } from '../declared';

export interface DatasetGroupSpec {
  readonly name: string;
  readonly domain?: string;
  readonly kmsKeyArn?: string;
  readonly roleArn?: string;
  readonly tags: Record<string, string>;
  /** On delete, delete every child that blocks DeleteDatasetGroup first. */
  readonly emptyOnDelete: boolean;
}

export const datasetGroupKind: ResourceKind<DatasetGroupSpec, DatasetGroupProperties> = {
  ...declaredFields(DATASET_GROUP),
  blockedDeleteHint: 'Delete them, or set emptyOnDelete on the DatasetGroup so that the stack deletes them first',

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    domain: optionalString(properties, 'Domain'),
    kmsKeyArn: optionalString(properties, 'KmsKeyArn'),
    roleArn: optionalString(properties, 'RoleArn'),
    tags: parseTags(properties),
    emptyOnDelete: optionalBoolean(properties, 'EmptyOnDelete', false),
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [
    ['name', 'datasetGroupName'], ['domain', 'domain'], ['kmsKeyArn', 'kmsKey'], ['roleArn', 'role'],
  ]),

  create: async (context, spec) => {
    const response = await context.call('CreateDatasetGroup', () => personalize().send(new CreateDatasetGroupCommand({
      name: spec.name,
      domain: spec.domain as any,
      kmsKeyArn: spec.kmsKeyArn,
      roleArn: spec.roleArn,
      tags: apiTags(spec.tags, context.owner),
    })));
    return response.datasetGroupArn!;
  },

  arnOf: arnByName(DATASET_GROUP),

  isOwned: async (context, arn, spec, question) => {
    if (!await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const group = await describeGroup(context, arn);
    return group !== undefined && (group.domain ?? undefined) === spec.domain
      && (group.kmsKeyArn ?? undefined) === spec.kmsKeyArn && (group.roleArn ?? undefined) === spec.roleArn;
  },

  update: (context, arn, oldSpec, newSpec) => syncTags(context, arn, newSpec.tags, oldSpec.tags),

  observe: async (context, arn) => {
    const group = await describeGroup(context, arn);
    if (!group) return undefined;
    const status = group.status ?? 'UNKNOWN';
    return {
      status,
      condition: conditionOf(status),
      failureReason: group.failureReason,
      attributes: { [Attributes.ARN]: group.datasetGroupArn ?? arn, [Attributes.NAME]: group.name ?? '' },
    };
  },

  delete: async (context, arn, spec) => {
    const waitingFor = spec?.emptyOnDelete ? await deleteNextChildren(context, arn) : undefined;
    if (waitingFor) throw Object.assign(new Error(waitingFor), { name: 'ResourceInUseException' });
    await context.call('DeleteDatasetGroup', () => personalize().send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn })));
  },

  blockers: async (context, arn, spec) => {
    const children = await listChildren(context, arn);
    // Emptying deletes them all in turn: none is left for someone else to delete.
    if (spec?.emptyOnDelete) return { deleting: children.map((child) => child.arn), remaining: [] };
    return {
      deleting: children.filter((child) => child.condition === 'deleting').map((child) => child.arn),
      remaining: children.filter((child) => child.condition !== 'deleting').map((child) => child.arn),
    };
  },
};

async function describeGroup(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeDatasetGroup',
    () => personalize().send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn })));
  return response?.datasetGroup;
}
