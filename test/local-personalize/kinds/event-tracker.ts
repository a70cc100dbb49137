/** Event trackers: one per dataset group, with a random trackingId. */
import { randomUUID } from 'crypto';
import type { DatasetRecord } from './dataset';
import { activeGroup, groupMember } from './dataset-group';
import { Family, TIMES } from './family';
import { Input, KindFactory, Output } from '../core';
import { alreadyExists } from '../errors';
import { requestTags } from '../tags';

export const eventTrackerKind: KindFactory = (core) => {
  const trackers = new Family(core, 'eventTracker', {
    arnMember: 'eventTrackerArn',
    listMember: 'eventTrackers',
    listedBy: 'datasetGroupArn',
    describe: ['name', 'eventTrackerArn', 'accountId', 'trackingId', 'datasetGroupArn', 'status', ...TIMES],
    summary: ['name', 'eventTrackerArn', 'status', ...TIMES],
  });

  /** A second tracker in a group is an error, the API reference says, without naming it. */
  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    const group = activeGroup(core, input.datasetGroupArn, now, 'event trackers');
    const existing = core.inGroup(group.arn, 'eventTracker');
    if (existing.length > 0) throw alreadyExists(`Dataset group ${group.arn} already has an event tracker: ${existing[0].arn}.`);
    const trackingId = randomUUID();
    const details: Output = { accountId: core.config.accountId, trackingId };
    const arn = core.arn(`event-tracker/${core.config.randomArnId()}`);
    return { ...trackers.create(now, { name: input.name, arn, datasetGroupArn: group.arn, details }, tags), trackingId };
  }

  return {
    label: 'Event tracker',
    operations: {
      CreateEventTracker: create,
      DescribeEventTracker: trackers.describe,
      DeleteEventTracker: trackers.delete,
      ListEventTrackers: trackers.list,
    },
    snapshot: trackers.snapshot,
    blocks: {
      datasetGroup: groupMember(core, 'eventTracker', 'event trackers'),
      // https://docs.aws.amazon.com/personalize/latest/dg/delete-dataset.html: "If you created an event tracker,
      // you must delete it before you delete an Item interactions dataset."
      dataset: {
        reason: 'is used by event trackers',
        blocking: (dataset: DatasetRecord) => (dataset.datasetType === 'Interactions' ? core.inGroup(dataset.datasetGroupArn, 'eventTracker') : []),
      },
    },
  };
};
