/**
 * What IAM itself lets the handler's role delete, tag and untag, whatever the handler's
 * code does (issue 19, item 3; ADR 0013): a forged event, or changed function code,
 * reaches nothing another stack owns. Evaluated with test/local-iam.
 */
import { DatasetGroup, EventTracker } from '../src';
import { synthesize } from './harness/stacks';
import { datasetArnOf } from './local-iam';
import { EVERY_CONSTRUCT_STACK, everyConstructStack } from './support/every-construct';
import { Call, IamFixture } from './support/iam-fixture';
import { OWNER_TAG_KEY } from '../src/private/contract';

// Loading AWS's authorization reference and synthesizing stacks take real time, more on a busy machine: a bound
// on it would test the machine's speed, not the code.
jest.setTimeout(120_000);

const P = 'personalize';
const personalize = (resource: string) => `arn:aws:personalize:us-east-1:123456789012:${resource}`;
const FOREIGN_TRACKER = personalize('event-tracker/0123456789abcdef0123456789abcdef');

/** Delete, tag and untag of a tracker, as the handler would send them. */
const trackerWrites = (arn: string): Call[] => [
  [P, 'DeleteEventTracker', { eventTrackerArn: arn }],
  [P, 'TagResource', { resourceArn: arn, tags: [{ tagKey: 'cost-center', tagValue: 'x' }] }],
  [P, 'UntagResource', { resourceArn: arn, tagKeys: ['cost-center'] }],
];

describe('a stack whose dataset group does not empty itself', () => {
  let f: IamFixture;
  beforeAll(async () => {
    f = await IamFixture.of(synthesize((stack) => {
      new EventTracker(stack, 'Tracker', { datasetGroup: new DatasetGroup(stack, 'Group') });
    }, 'Owner'), 'Owner');
    f.created('Group', 'Tracker');
  });

  test('the handler may delete, tag and untag its own tracker', () => {
    expect(f.denials(f.handler, ...trackerWrites(f.arn('Tracker')))).toEqual([]);
  });

  test('IAM denies the handler deleting, tagging or untagging a tracker another stack owns', () => {
    f.tags.set(FOREIGN_TRACKER, { [OWNER_TAG_KEY]: 'OtherStack/Tracker' });
    expect(f.denials(f.handler, ...trackerWrites(FOREIGN_TRACKER))).toHaveLength(3);
  });

  test('IAM denies the handler deleting, tagging or untagging a tracker that nobody tagged', () => {
    f.tags.delete(FOREIGN_TRACKER);
    expect(f.denials(f.handler, ...trackerWrites(FOREIGN_TRACKER))).toHaveLength(3);
  });

  test('IAM denies a tracker whose owner tag only starts like this stack\'s name', () => {
    f.tags.set(FOREIGN_TRACKER, { [OWNER_TAG_KEY]: 'OwnerTwo/Tracker' });
    expect(f.denials(f.handler, ...trackerWrites(FOREIGN_TRACKER))).toHaveLength(3);
  });

  test('the handler may still read any tracker, to prove whose it is', () => {
    f.tags.set(FOREIGN_TRACKER, { [OWNER_TAG_KEY]: 'OtherStack/Tracker' });
    expect(f.denials(f.handler,
      [P, 'DescribeEventTracker', { eventTrackerArn: FOREIGN_TRACKER }],
      [P, 'ListTagsForResource', { resourceArn: FOREIGN_TRACKER }],
    )).toEqual([]);
  });
});

describe('a stack with a dataset group that empties itself (emptyOnDelete)', () => {
  let f: IamFixture;
  beforeAll(async () => {
    f = await IamFixture.of(everyConstructStack(), EVERY_CONSTRUCT_STACK);
    f.created(...Object.keys(f.stack.logicalIds));
  });

  /** A child of each type another stack of this library owns (its owner tag names that stack). */
  const foreignChildren: Call[] = [
    [P, 'DeleteRecommender', { recommenderArn: personalize('recommender/theirs') }],
    [P, 'DeleteCampaign', { campaignArn: personalize('campaign/theirs') }],
    [P, 'StopSolutionVersionCreation', { solutionVersionArn: personalize('solution/theirs/0123abcd') }],
    [P, 'DeleteSolution', { solutionArn: personalize('solution/theirs') }],
    [P, 'DeleteEventTracker', { eventTrackerArn: FOREIGN_TRACKER }],
    [P, 'DeleteFilter', { filterArn: personalize('filter/theirs') }],
    [P, 'DeleteDataset', { datasetArn: personalize('dataset/theirs/ITEMS') }],
  ];

  test.each(foreignChildren)('IAM denies %s %s of a resource another stack owns', (service, operation, body) => {
    for (const arn of Object.values(body)) f.tags.set(arn as string, { [OWNER_TAG_KEY]: 'OtherStack/Resource' });
    expect(f.denials(f.handler, [service, operation, body])).toHaveLength(1);
  });

  test('IAM denies deleting a dataset of another group, tagged or not: a dataset ARN names its group', () => {
    expect(f.denials(f.handler, [P, 'DeleteDataset', { datasetArn: personalize('dataset/theirs/USERS') }])).toHaveLength(1);
  });

  test('the cascade may still delete the group\'s own datasets, and the untagged children made outside the stack', () => {
    expect(f.denials(f.handler,
      [P, 'DeleteDataset', { datasetArn: datasetArnOf(f.arn('Custom'), 'USERS') }],
      [P, 'DeleteEventTracker', { eventTrackerArn: personalize('event-tracker/fedcba9876543210fedcba9876543210') }],
      [P, 'DeleteFilter', { filterArn: personalize('filter/made-outside') }],
    )).toEqual([]);
  });

  test('IAM denies tagging or untagging any resource another stack owns', () => {
    const theirs = personalize('campaign/tagged-by-them');
    f.tags.set(theirs, { [OWNER_TAG_KEY]: 'OtherStack/Campaign' });
    expect(f.denials(f.handler,
      [P, 'TagResource', { resourceArn: theirs, tags: [{ tagKey: 'cost-center', tagValue: 'x' }] }],
      [P, 'UntagResource', { resourceArn: theirs, tagKeys: ['cost-center'] }],
    )).toHaveLength(2);
  });
});
