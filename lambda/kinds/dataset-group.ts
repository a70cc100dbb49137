import {
  CreateDatasetGroupCommand,
  DeleteDatasetGroupCommand,
  DescribeDatasetGroupCommand,
} from '@aws-sdk/client-personalize';
import { Attributes, ResourceTypes } from '../../src/private/contract';
import {
  apiTags, arnPattern, changedFields, describeOrUndefined, hasOwnerTag, optionalString, parseTags,
  personalize, personalizeArn, requiredString, syncTags,
} from '../personalize';
import { KindContext, ResourceKind } from '../resource-kind';

export interface DatasetGroupSpec {
  readonly name: string;
  readonly domain?: string;
  readonly kmsKeyArn?: string;
  readonly roleArn?: string;
  readonly tags: Record<string, string>;
}

export const datasetGroupKind: ResourceKind<DatasetGroupSpec> = {
  resourceType: ResourceTypes.DATASET_GROUP,
  noun: 'dataset group',
  nameProperty: 'datasetGroupName',

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    domain: optionalString(properties, 'Domain'),
    kmsKeyArn: optionalString(properties, 'KmsKeyArn'),
    roleArn: optionalString(properties, 'RoleArn'),
    tags: parseTags(properties.Tags),
  }),

  nameOf: (spec) => spec.name,

  isOwnPhysicalId: (physicalId) => arnPattern('dataset-group/[a-zA-Z0-9][a-zA-Z0-9\\-_]*').test(physicalId),

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

  arnOf: (context, spec) => personalizeArn(context, `dataset-group/${spec.name}`),

  // Owned and configured as asked: a retried Create adopts it, and a same-name Update needs no replacement.
  isOwned: async (context, arn, spec) => {
    if (!await hasOwnerTag(context, arn)) return false;
    const group = await describeGroup(context, arn);
    return group !== undefined && (group.domain ?? undefined) === spec.domain
      && (group.kmsKeyArn ?? undefined) === spec.kmsKeyArn && (group.roleArn ?? undefined) === spec.roleArn;
  },

  update: (context, arn, oldSpec, newSpec) => syncTags(context, arn, oldSpec.tags, newSpec.tags),

  observe: async (context, arn) => {
    const group = await describeGroup(context, arn);
    if (!group) return undefined;
    return {
      status: group.status ?? 'UNKNOWN',
      failureReason: group.failureReason,
      attributes: { [Attributes.ARN]: group.datasetGroupArn ?? arn, [Attributes.NAME]: group.name ?? '' },
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteDatasetGroup', () => personalize().send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn })));
  },
};

async function describeGroup(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeDatasetGroup',
    () => personalize().send(new DescribeDatasetGroupCommand({ datasetGroupArn: arn })));
  return response?.datasetGroup;
}
