/**
 * The handler's campaign and recommender kinds over a mocked Personalize client and a
 * virtual clock: the decisions each kind makes on its own, and what the lifecycle
 * scenarios cannot make the local service answer.
 */
import {
  CreateCampaignCommand, DescribeCampaignCommand, DescribeRecommenderCommand, ListTagsForResourceCommand, StartRecommenderCommand,
  StopRecommenderCommand, UpdateCampaignCommand, UpdateRecommenderCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { requestsFor, resourceProperties, tagged } from './support/events';
import { mockedHandlers } from './support/mocked-handlers';
import { runToCompletion } from './support/polling';
import { SHORT_WAIT_POLICY } from './support/wait-policy';
import { campaignKind } from '../lambda/kinds/personalize/campaign';
import { recommenderKind } from '../lambda/kinds/personalize/recommender';
import { ResourceTypes } from '../src/private/contract';

const mocked = mockedHandlers();
const { personalizeMock, clock } = mocked;
const handlers = () => mocked.handlers({ waitPolicy: SHORT_WAIT_POLICY });
/**
 * A resource that did not hold the previous request's state keeps being matched for the
 * cancelled-create grace (the engine's guard against a cancelled update's late calls);
 * shortened here to fit SHORT_WAIT_POLICY's total timeout.
 */
const guardedHandlers = () => mocked.handlers({ waitPolicy: { ...SHORT_WAIT_POLICY, cancelledCreateGraceMs: 10_000 } });

const SOLUTION_ARN = 'arn:aws:personalize:us-east-1:123456789012:solution/shop';
const V1 = `${SOLUTION_ARN}/aaaa1111`;
const V2 = `${SOLUTION_ARN}/bbbb2222`;
const CAMPAIGN_ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/shop';
const campaign = requestsFor(ResourceTypes.CAMPAIGN,
  (overrides = {}) => resourceProperties({ Name: 'shop', SolutionVersionArn: V1 }, overrides), CAMPAIGN_ARN);

function describedCampaign(fields: Record<string, unknown> = {}) {
  return {
    campaign: {
      name: 'shop',
      campaignArn: CAMPAIGN_ARN,
      solutionVersionArn: V1,
      minProvisionedTPS: 1,
      status: 'ACTIVE',
      campaignConfig: { enableMetadataWithRecommendations: false, syncWithLatestSolutionVersion: false },
      ...fields,
    },
  };
}

describe('campaign', () => {
  test('decodes every property, with the API\'s defaults for those left out', () => {
    const parse = (overrides: Record<string, unknown>) => campaignKind.parse(resourceProperties({ Name: 'shop', SolutionVersionArn: V1 }, overrides));
    expect(parse({})).toEqual({
      name: 'shop',
      solutionVersionArn: V1,
      minProvisionedTPS: 1,
      syncWithLatestSolutionVersion: false,
      enableMetadataWithRecommendations: false,
      itemExplorationConfig: undefined,
      rankingInfluence: undefined,
      tags: {},
    });
    expect(parse({
      MinProvisionedTPS: '4', ExplorationWeight: '0.4', ExplorationItemAgeCutOff: '7', RankingInfluence: [{ Factor: 'FRESHNESS', Weight: '0.5' }],
    })).toMatchObject({
      minProvisionedTPS: 4, itemExplorationConfig: { explorationWeight: '0.4', explorationItemAgeCutOff: '7' }, rankingInfluence: { FRESHNESS: 0.5 },
    });
    expect(() => parse({ MinProvisionedTPS: '0' })).toThrow('Property \'MinProvisionedTPS\' must be an integer of at least 1, got \'0\'');
    expect(() => parse({ RankingInfluence: [{ Factor: 'PRICE', Weight: '1' }] }))
      .toThrow(/^Property 'RankingInfluence' item 1 must be \{Factor: POPULARITY or FRESHNESS, Weight: '0'-'1'\}/);
  });

  test('a new name or another solution is a replacement; a new version of the same solution, TPS or config is not', () => {
    const spec = (overrides: Record<string, unknown>) => campaignKind.parse(resourceProperties({ Name: 'shop', SolutionVersionArn: V1 }, overrides));
    expect(campaignKind.replacementCauses(spec({}), spec({ SolutionVersionArn: V2, MinProvisionedTPS: '5' }))).toEqual([]);
    expect(campaignKind.replacementCauses(spec({}), spec({ SolutionVersionArn: `${SOLUTION_ARN}/$LATEST`, SyncWithLatestSolutionVersion: 'true' })))
      .toEqual([]);
    expect(campaignKind.replacementCauses(spec({}), spec({ Name: 'other', SolutionVersionArn: 'arn:aws:personalize:us-east-1:123456789012:solution/books/cccc3333' })))
      .toEqual(['campaignName', 'solution']);
  });

  test('an update sends the whole wanted state to UpdateCampaign and waits for latestCampaignUpdate to be ACTIVE', async () => {
    let updated = false;
    let looks = 0;
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(UpdateCampaignCommand).callsFake(async () => {
      updated = true;
      return { campaignArn: CAMPAIGN_ARN };
    });
    personalizeMock.on(DescribeCampaignCommand).callsFake(async () => {
      if (!updated) return describedCampaign();
      looks++;
      // Serving the old version while the update runs, then the new one.
      return looks < 3
        ? describedCampaign({ latestCampaignUpdate: { solutionVersionArn: V2, status: 'CREATE IN_PROGRESS' } })
        : describedCampaign({ solutionVersionArn: V2, minProvisionedTPS: 2, latestCampaignUpdate: { solutionVersionArn: V2, status: 'ACTIVE' } });
    });

    const { failure } = await runToCompletion(clock, handlers(), campaign.update({}, { SolutionVersionArn: V2, MinProvisionedTPS: '2' }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandTimes(UpdateCampaignCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(UpdateCampaignCommand, {
      campaignArn: CAMPAIGN_ARN,
      solutionVersionArn: V2,
      minProvisionedTPS: 2,
      campaignConfig: { enableMetadataWithRecommendations: false, syncWithLatestSolutionVersion: false },
    });
    expect(looks).toBeGreaterThanOrEqual(3);
  });

  test('a campaign that already serves what the stack asks for (a repeated event) is not updated', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeCampaignCommand).resolves(describedCampaign({ solutionVersionArn: V2 }));

    const { failure } = await runToCompletion(clock, guardedHandlers(), campaign.update({}, { SolutionVersionArn: V2 }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).not.toHaveReceivedCommand(UpdateCampaignCommand);
  });

  test('following the latest version, any version of the solution is what the stack asks for', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeCampaignCommand).resolves(describedCampaign({
      solutionVersionArn: V2, campaignConfig: { enableMetadataWithRecommendations: false, syncWithLatestSolutionVersion: true },
    }));

    const { failure } = await runToCompletion(clock, guardedHandlers(),
      campaign.update({}, { SolutionVersionArn: `${SOLUTION_ARN}/$LATEST`, SyncWithLatestSolutionVersion: 'true' }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).not.toHaveReceivedCommand(UpdateCampaignCommand);
  });

  test('a failed update fails with latestCampaignUpdate\'s reason; an ACTIVE campaign serving something else fails saying what it serves', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(UpdateCampaignCommand).resolves({ campaignArn: CAMPAIGN_ARN });
    personalizeMock.on(DescribeCampaignCommand).resolves(describedCampaign({
      latestCampaignUpdate: { solutionVersionArn: V2, status: 'CREATE FAILED', failureReason: 'version was deleted' },
    }));
    const failed = await runToCompletion(clock, handlers(), campaign.update({}, { SolutionVersionArn: V2 }));
    expect((failed.failure as Error).message).toMatch(/^Personalize reported CREATE FAILED for campaign \S+: version was deleted/);

    personalizeMock.on(DescribeCampaignCommand).resolves(describedCampaign({ minProvisionedTPS: 7 }));
    const drifted = await runToCompletion(clock, handlers(), campaign.update({}, {}));
    expect((drifted.failure as Error).message).toMatch(/the campaign deploys \S+aaaa1111 with minProvisionedTPS 7 .*not what the stack asks for/);
  });

  test('a Create carries the owner tag and the campaign config', async () => {
    personalizeMock.on(CreateCampaignCommand).resolves({ campaignArn: CAMPAIGN_ARN });
    personalizeMock.on(DescribeCampaignCommand).resolves(describedCampaign());

    const { failure } = await runToCompletion(clock, handlers(), campaign.create({ Tags: [{ Key: 'team', Value: 'recs' }] }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandWith(CreateCampaignCommand, {
      name: 'shop',
      solutionVersionArn: V1,
      minProvisionedTPS: 1,
      tags: [{ tagKey: 'team', tagValue: 'recs' }, { tagKey: 'cdk-personalize:owner', tagValue: 'TestStack/Resource' }],
    });
  });
});

const GROUP_ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-group/shop';
const RECOMMENDER_ARN = 'arn:aws:personalize:us-east-1:123456789012:recommender/picks';
const RECIPE = 'arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you';
const recommender = requestsFor(ResourceTypes.RECOMMENDER,
  (overrides = {}) => resourceProperties({ Name: 'picks', DatasetGroupArn: GROUP_ARN, RecipeArn: RECIPE }, overrides), RECOMMENDER_ARN);

function describedRecommender(fields: Record<string, unknown> = {}) {
  return {
    recommender: {
      name: 'picks',
      recommenderArn: RECOMMENDER_ARN,
      datasetGroupArn: GROUP_ARN,
      recipeArn: RECIPE,
      status: 'ACTIVE',
      recommenderConfig: { minRecommendationRequestsPerSecond: 1, enableMetadataWithRecommendations: false },
      ...fields,
    },
  };
}

describe('recommender', () => {
  test('a new name, group or use case is a replacement; config and the running state are not', () => {
    const spec = (overrides: Record<string, unknown>) => recommenderKind.parse(resourceProperties({ Name: 'picks', DatasetGroupArn: GROUP_ARN, RecipeArn: RECIPE }, overrides));
    expect(recommenderKind.replacementCauses(spec({}), spec({ MinRecommendationRequestsPerSecond: '3', Running: 'false' }))).toEqual([]);
    expect(recommenderKind.replacementCauses(spec({}), spec({ RecipeArn: 'arn:aws:personalize:::recipe/aws-ecomm-popular-items-by-views' })))
      .toEqual(['useCase']);
  });

  test('excluded columns compare by dataset type and column, in any order and case of type', () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeRecommenderCommand).resolves(describedRecommender({
      recommenderConfig: {
        minRecommendationRequestsPerSecond: 1,
        trainingDataConfig: { excludedDatasetColumns: { ITEMS: ['PRICE', 'COLOR'], USERS: [] } },
      },
    }));

    return runToCompletion(clock, guardedHandlers(), recommender.update({}, { ExcludedColumns: [{ DatasetType: 'Items', Columns: ['COLOR', 'PRICE'] }] }))
      .then(({ failure }) => {
        expect(failure).toBeUndefined();
        expect(personalizeMock).not.toHaveReceivedCommand(UpdateRecommenderCommand);
      });
  });

  test('stopping takes StopRecommender and waits through STOP PENDING and STOP IN_PROGRESS until INACTIVE', async () => {
    const afterStop = ['STOP PENDING', 'STOP IN_PROGRESS', 'INACTIVE'];
    let stopped = false;
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeRecommenderCommand)
      .callsFake(async () => describedRecommender({ status: !stopped ? 'ACTIVE' : afterStop.length > 1 ? afterStop.shift() : afterStop[0] }));
    personalizeMock.on(StopRecommenderCommand).callsFake(async () => {
      stopped = true;
      return { recommenderArn: RECOMMENDER_ARN };
    });

    const { failure } = await runToCompletion(clock, handlers(), recommender.update({}, { Running: 'false' }));

    expect(failure).toBeUndefined();
    expect(personalizeMock).toHaveReceivedCommandTimes(StopRecommenderCommand, 1);
  });

  test('a config change of a stopped recommender, or a config change with a stop, is refused with the two deploys that make it', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DescribeRecommenderCommand).resolves(describedRecommender({ status: 'INACTIVE' }));
    await expect(runToCompletion(clock, handlers(),
      recommender.update({ Running: 'false' }, { Running: 'false', MinRecommendationRequestsPerSecond: '4' })))
      .rejects.toThrow(/is stopped \(INACTIVE\), and Personalize changes a recommender's config only while it runs. Deploy twice/);

    personalizeMock.on(DescribeRecommenderCommand).resolves(describedRecommender());
    await expect(runToCompletion(clock, handlers(), recommender.update({}, { Running: 'false', MinRecommendationRequestsPerSecond: '4' })))
      .rejects.toThrow(/would need a new config and a stop at once/);
    expect(personalizeMock).not.toHaveReceivedCommand(UpdateRecommenderCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(StopRecommenderCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(StartRecommenderCommand);
  });

  test('a look during an update never calls anything: a ready recommender holding another config is a failure', async () => {
    personalizeMock.on(DescribeRecommenderCommand).resolves(describedRecommender({ recommenderConfig: { minRecommendationRequestsPerSecond: 9 } }));
    const context = { call: (_operation: string, attempt: () => Promise<unknown>) => attempt() } as any;
    const looked = await recommenderKind.observe(context, RECOMMENDER_ARN, 'update',
      recommenderKind.parse(resourceProperties({ Name: 'picks', DatasetGroupArn: GROUP_ARN, RecipeArn: RECIPE })));
    expect(looked?.condition).toBe('failed');
    expect(personalizeMock.calls().map((call) => call.args[0].constructor.name)).toEqual(['DescribeRecommenderCommand']);
  });

  test('a failed update is not retried while waiting: it fails with latestRecommenderUpdate\'s reason', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(UpdateRecommenderCommand).resolves({});
    personalizeMock.on(DescribeRecommenderCommand).resolves(describedRecommender({
      latestRecommenderUpdate: { status: 'CREATE FAILED', failureReason: 'column PRICE is not in the Items schema' },
    }));

    const { failure } = await runToCompletion(clock, handlers(),
      recommender.update({}, { ExcludedColumns: [{ DatasetType: 'Items', Columns: ['PRICE'] }] }));

    expect((failure as Error).message).toMatch(/^Personalize reported CREATE FAILED for recommender \S+: column PRICE is not in the Items schema/);
    expect(personalizeMock).toHaveReceivedCommandTimes(UpdateRecommenderCommand, 1);
  });
});
