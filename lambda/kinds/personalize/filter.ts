/**
 * Filters. The API cannot update a filter, so a new expression, name or group is a
 * replacement (the construct's generated name changes with the expression); tags
 * change in place. DescribeFilter carries a failureReason for a failed filter.
 */
import { CreateFilterCommand, DeleteFilterCommand, DescribeFilterCommand } from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { FILTER } from '../../../src/personalize/private/declarations';
import { Attributes, FilterProperties } from '../../../src/private/contract';
import { parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { arnByName, declaredFields } from '../declared';

export interface FilterSpec {
  readonly name: string;
  readonly datasetGroupArn: string;
  readonly filterExpression: string;
  readonly tags: Record<string, string>;
}

export const filterKind: ResourceKind<FilterSpec, FilterProperties> = {
  ...declaredFields(FILTER),

  parse: (properties) => ({
    name: requiredString(properties, 'Name'),
    datasetGroupArn: requiredString(properties, 'DatasetGroupArn'),
    filterExpression: requiredString(properties, 'FilterExpression'),
    tags: parseTags(properties),
  }),

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => changedFields(oldSpec, newSpec, [
    ['name', 'filterName'], ['datasetGroupArn', 'datasetGroup'], ['filterExpression', 'expression'],
  ]),

  create: async (context, spec) => {
    const response = await context.call('CreateFilter', () => personalize().send(new CreateFilterCommand({
      name: spec.name,
      datasetGroupArn: spec.datasetGroupArn,
      filterExpression: spec.filterExpression,
      tags: apiTags(spec.tags, context.owner),
    })));
    return response.filterArn!;
  },

  arnOf: arnByName(FILTER),

  isOwned: async (context, arn, spec, question) => {
    if (!await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const filter = await describeFilter(context, arn);
    return filter !== undefined && filter.datasetGroupArn === spec.datasetGroupArn && filter.filterExpression === spec.filterExpression;
  },

  update: (context, arn, oldSpec, newSpec) => syncTags(context, arn, newSpec.tags, oldSpec.tags),

  observe: async (context, arn) => {
    const filter = await describeFilter(context, arn);
    if (!filter) return undefined;
    const status = filter.status ?? 'UNKNOWN';
    return {
      status,
      condition: conditionOf(status),
      failureReason: filter.failureReason,
      attributes: { [Attributes.ARN]: filter.filterArn ?? arn, [Attributes.NAME]: filter.name ?? '' },
    };
  },

  delete: async (context, arn) => {
    await context.call('DeleteFilter', () => personalize().send(new DeleteFilterCommand({ filterArn: arn })));
  },
};

async function describeFilter(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeFilter',
    () => personalize().send(new DescribeFilterCommand({ filterArn: arn })));
  return response?.filter;
}
