/** Filters: an expression over a dataset group's data; only its opening is checked. */
import type { DatasetRecord } from './dataset';
import { activeGroup, groupMember } from './dataset-group';
import { Family, TIMES } from './family';
import { Input, KindFactory, Output } from '../core';
import { invalidInput } from '../errors';
import { requestTags } from '../tags';

/** The forms a filter expression starts with; the rest of the grammar is not checked. */
const FILTER_EXPRESSION = /^\s*(INCLUDE|EXCLUDE)\s+(ItemID|ActionID|UserID)\s+WHERE\s+\S/;

export const filterKind: KindFactory = (core) => {
  const filters = new Family(core, 'filter', {
    arnMember: 'filterArn',
    listMember: 'Filters', // sic: the only capitalised list member of the model
    listedBy: 'datasetGroupArn',
    describe: ['name', 'filterArn', ...TIMES, 'datasetGroupArn', 'failureReason', 'filterExpression', 'status'],
    summary: ['name', 'filterArn', ...TIMES, 'datasetGroupArn', 'failureReason', 'status'],
  });

  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    if (!FILTER_EXPRESSION.test(input.filterExpression)) {
      throw invalidInput('The filter expression must start with INCLUDE or EXCLUDE, then ItemID, ActionID or UserID, then WHERE and a condition.');
    }
    const group = activeGroup(core, input.datasetGroupArn, now, 'filters');
    const details: Output = { filterExpression: input.filterExpression };
    return filters.create(now, { name: input.name, arn: core.arn(`filter/${input.name}`), datasetGroupArn: group.arn, details }, tags);
  }

  return {
    label: 'Filter',
    operations: { CreateFilter: create, DescribeFilter: filters.describe, DeleteFilter: filters.delete, ListFilters: filters.list },
    snapshot: filters.snapshot,
    blocks: {
      // Not AWS's documented rule for the group: filters must go before any dataset, so no group may be emptied around them.
      datasetGroup: groupMember(core, 'filter', 'filters', true),
      // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: "You must delete all filters before deleting any dataset."
      dataset: {
        reason: 'cannot be deleted while its dataset group has filters',
        blocking: (dataset: DatasetRecord) => core.inGroup(dataset.datasetGroupArn, 'filter'),
      },
    },
  };
};
