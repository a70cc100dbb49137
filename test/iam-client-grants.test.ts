/**
 * What a role of the app may do with the grants the library gives it, checked with
 * the calls a client really makes (test/local-iam, ADR 0013).
 */
import { EVERY_CONSTRUCT_STACK, everyConstructStack, rekognitionStack } from './support/every-construct';
import { IamFixture } from './support/iam-fixture';

// Loading AWS's authorization reference and synthesizing stacks take real time, more on a busy machine: a bound
// on it would test the machine's speed, not the code.
jest.setTimeout(120_000);

let f: IamFixture;
let api: string;

beforeAll(async () => {
  f = await IamFixture.of(everyConstructStack(), EVERY_CONSTRUCT_STACK);
  api = f.appRole('Api');
});

test('grantPutEvents lets the role record events with the tracker\'s tracking ID (PutEvents takes no resource-level permission)', () => {
  expect(f.denials(api, ['personalize-events', 'PutEvents', {
    trackingId: f.props('Tracker').Name, sessionId: 's1', eventList: [{ eventType: 'click', sentAt: 1700000000 }],
  }])).toEqual([]);
});

test('campaign.grantGetRecommendations allows GetRecommendations on the campaign, with and without a filter of its group', () => {
  expect(f.denials(api,
    ['personalize-runtime', 'GetRecommendations', { campaignArn: f.arn('Campaign'), userId: 'u1' }],
    ['personalize-runtime', 'GetRecommendations', { campaignArn: f.arn('Campaign'), userId: 'u1', filterArn: f.arn('Purchased') }],
  )).toEqual([]);
});

test('campaign.grantGetRecommendations allows no other campaign', () => {
  expect(f.denials(api, ['personalize-runtime', 'GetRecommendations', { campaignArn: 'arn:aws:personalize:us-east-1:123456789012:campaign/other' }]))
    .toHaveLength(1);
});

test('a runtime grant covers the filters of the served group only (role Api holds GetPersonalizedRanking for group Custom only)', () => {
  expect(f.denials(api, ['personalize-runtime', 'GetPersonalizedRanking', {
    campaignArn: f.arn('RankingCampaign'), userId: 'u1', inputList: ['i1'], filterArn: f.arn('VideoPurchased'),
  }])).toHaveLength(1);
});

test('grantGetPersonalizedRanking allows ranking with the ranking campaign, and with a filter of its group', () => {
  expect(f.denials(api,
    ['personalize-runtime', 'GetPersonalizedRanking', { campaignArn: f.arn('RankingCampaign'), userId: 'u1', inputList: ['i1'] }],
    ['personalize-runtime', 'GetPersonalizedRanking', { campaignArn: f.arn('RankingCampaign'), userId: 'u1', inputList: ['i1'], filterArn: f.arn('Purchased') }],
  )).toEqual([]);
  expect(f.denials(api, ['personalize-runtime', 'GetPersonalizedRanking', { campaignArn: f.arn('Campaign'), userId: 'u1', inputList: ['i1'] }]))
    .toHaveLength(1);
});

test('grantGetActionRecommendations allows action recommendations from the Next-Best-Action campaign only', () => {
  expect(f.denials(api, ['personalize-runtime', 'GetActionRecommendations', { campaignArn: f.arn('NbaCampaign'), userId: 'u1' }])).toEqual([]);
  expect(f.denials(api, ['personalize-runtime', 'GetActionRecommendations', { campaignArn: f.arn('Campaign'), userId: 'u1' }])).toHaveLength(1);
});

test('recommender.grantGetRecommendations allows GetRecommendations on the recommender, with and without a filter of its group', () => {
  expect(f.denials(api,
    ['personalize-runtime', 'GetRecommendations', { recommenderArn: f.arn('TopPicks'), userId: 'u1' }],
    ['personalize-runtime', 'GetRecommendations', { recommenderArn: f.arn('TopPicks'), userId: 'u1', filterArn: f.arn('VideoPurchased') }],
  )).toEqual([]);
  expect(f.denials(api, ['personalize-runtime', 'GetRecommendations', { recommenderArn: f.arn('Trending'), userId: 'u1' }])).toHaveLength(1);
});

describe('Rekognition', () => {
  let r: IamFixture;
  beforeAll(async () => {
    r = await IamFixture.of(rekognitionStack(), EVERY_CONSTRUCT_STACK);
  });

  test('dataset.grantRead lets the role describe the dataset and list its entries', () => {
    expect(r.denials(r.appRole('Api'),
      ['rekognition', 'DescribeDataset', { DatasetArn: r.arn('Train') }],
      ['rekognition', 'ListDatasetEntries', { DatasetArn: r.arn('Train') }],
    )).toEqual([]);
    expect(r.denials(r.appRole('Api'), ['rekognition', 'DescribeDataset', { DatasetArn: r.arn('Test') }])).toHaveLength(1);
  });

  test('project.grantDescribe lets the role describe projects (DescribeProjects takes no resource-level permission)', () => {
    expect(r.denials(r.appRole('Api'), ['rekognition', 'DescribeProjects', { ProjectNames: ['boots'] }])).toEqual([]);
  });
});
