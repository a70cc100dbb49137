import { App, CfnResource, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Campaign, CampaignProps } from '../src';
import { coversAction, grantedOn, ownedGrant, statementFor } from './support/handler-grants';
import { FakeSolution, FakeSolutionVersion, fakeVersion, RECIPES } from './support/solution-fakes';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const SOLUTION_ARN = `arn:aws:personalize:${REGION}:${ACCOUNT}:solution/shop`;
const VERSION_ARN = `${SOLUTION_ARN}/abcd1234`;

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function campaign(stack: Stack, props: Partial<CampaignProps> = {}, recipeArn = RECIPES.USER_PERSONALIZATION): Campaign {
  const solutionVersion = 'solution' in props || 'solutionVersion' in props ? undefined : fakeVersion(stack, { recipeArn });
  return new Campaign(stack, 'Campaign', { solutionVersion, ...props });
}

function properties(stack: Stack): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources('Custom::PersonalizeCampaign'))[0].Properties;
}

describe('Campaign', () => {
  test('deploys the solution version under a generated name, with defaults left to the service', () => {
    const stack = newStack();
    campaign(stack);

    const props = properties(stack);
    expect(props.Name).toMatch(/^TestStack_Campaign-[0-9a-f]{8}$/);
    expect(props.SolutionVersionArn).toBe(VERSION_ARN);
    for (const unset of ['MinProvisionedTPS', 'SyncWithLatestSolutionVersion', 'EnableMetadataWithRecommendations', 'ExplorationWeight',
      'ExplorationItemAgeCutOff', 'RankingInfluence']) {
      expect(props[unset]).toBeUndefined();
    }
  });

  test('synthesizes minProvisionedTPS, metadata, item exploration and ranking influence as strings', () => {
    const stack = newStack();
    campaign(stack, {
      minProvisionedTPS: 3,
      enableMetadataWithRecommendations: true,
      itemExploration: { weight: 0.5, itemAgeCutOff: Duration.days(14) },
      rankingInfluence: { popularity: 0.2, freshness: 1 },
    });

    expect(properties(stack)).toMatchObject({
      MinProvisionedTPS: '3',
      EnableMetadataWithRecommendations: 'true',
      ExplorationWeight: '0.5',
      ExplorationItemAgeCutOff: '14',
      RankingInfluence: [{ Factor: 'POPULARITY', Weight: '0.2' }, { Factor: 'FRESHNESS', Weight: '1' }],
    });
  });

  test('following the latest version deploys SOLUTION_ARN/$LATEST, from a solution or from a version\'s solution', () => {
    const stack = newStack();
    new Campaign(stack, 'Campaign', { solution: new FakeSolution(stack, 'Solution', SOLUTION_ARN), syncWithLatestSolutionVersion: true });
    expect(properties(stack)).toMatchObject({ SolutionVersionArn: `${SOLUTION_ARN}/$LATEST`, SyncWithLatestSolutionVersion: 'true' });

    const other = newStack();
    campaign(other, { syncWithLatestSolutionVersion: true });
    expect(properties(other).SolutionVersionArn).toBe(`${SOLUTION_ARN}/$LATEST`);
  });

  test('is created after its solution version, so a deploy that trains waits for training', () => {
    const stack = newStack();
    const version = new FakeSolutionVersion(stack, 'Version', VERSION_ARN);
    const training = new CfnResource(version, 'Training', { type: 'AWS::CloudFormation::WaitCondition' });
    const deployed = new Campaign(stack, 'Campaign', { solutionVersion: version });

    const template = Template.fromStack(stack).toJSON();
    const resource = deployed.node.findChild('Resource').node.defaultChild as CfnResource;
    expect(template.Resources[stack.getLogicalId(resource)].DependsOn).toContain(stack.getLogicalId(training));
  });

  test('a version of another solution gets another generated name, another version of the same solution does not', () => {
    const name = (solutionName: string, id: string) => {
      const stack = newStack();
      campaign(stack, { solutionVersion: fakeVersion(stack, { name: solutionName, id }) });
      return properties(stack).Name;
    };
    expect(name('shop', 'aaaa1111')).toBe(name('shop', 'bbbb2222'));
    expect(name('shop', 'aaaa1111')).not.toBe(name('books', 'aaaa1111'));
  });

  test('the handler may create, describe and update campaigns of the stack\'s generated names, and tag and delete only those it made', () => {
    const stack = newStack();
    campaign(stack);

    const template = Template.fromStack(stack);
    const statement = statementFor(template, ['personalize:CreateCampaign', 'personalize:DescribeCampaign', 'personalize:UpdateCampaign']);
    expect(statement.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:campaign/TestStack_*`]] });
    const owned = ownedGrant(template, 'personalize');
    for (const action of ['personalize:DeleteCampaign', 'personalize:TagResource', 'personalize:UntagResource']) {
      expect(coversAction(owned, action)).toBe(true);
    }
    expect(() => grantedOn(template, 'personalize:DeleteCampaign')).toThrow(/no handler grant/);
  });

  test('an explicit name is granted by its exact ARN', () => {
    const stack = newStack();
    campaign(stack, { campaignName: 'shop-campaign' });
    expect(statementFor(Template.fromStack(stack), [
      'personalize:CreateCampaign', 'personalize:DescribeCampaign', 'personalize:UpdateCampaign',
    ]).Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:campaign/shop-campaign`]] });
  });

  test('tags set with Tags.of reach the campaign', () => {
    const stack = newStack();
    campaign(stack);
    Tags.of(stack).add('team', 'recs');
    expect(properties(stack).Tags).toEqual([{ Key: 'team', Value: 'recs' }]);
  });

  test.each([
    ['grantGetRecommendations', 'personalize:GetRecommendations', RECIPES.USER_PERSONALIZATION],
    ['grantGetPersonalizedRanking', 'personalize:GetPersonalizedRanking', RECIPES.PERSONALIZED_RANKING],
    ['grantGetActionRecommendations', 'personalize:GetActionRecommendations', RECIPES.NEXT_BEST_ACTION],
  ] as const)('%s grants %s on exactly this campaign', (method, action, recipe) => {
    const stack = newStack();
    const deployed = campaign(stack, {}, recipe);
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    deployed[method](role);

    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as CfnResource) }] } });
    const statements = Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{ Effect: 'Allow', Action: action, Resource: stack.resolve(deployed.campaignArn) }]);
  });

  test.each([
    ['grantGetActionRecommendations', RECIPES.USER_PERSONALIZATION,
      'grantGetActionRecommendations: campaign \'TestStack/Campaign\' deploys a solution of recipe \'aws-user-personalization-v2\', and only '
      + 'Next-Best-Action recipes (aws-next-best-action) answer it. Use grantGetRecommendations instead.'],
    ['grantGetPersonalizedRanking', RECIPES.SIMS,
      'grantGetPersonalizedRanking: campaign \'TestStack/Campaign\' deploys a solution of recipe \'aws-sims\', and only Personalized-Ranking '
      + 'recipes (aws-personalized-ranking, aws-personalized-ranking-v2) answer it. Use grantGetRecommendations instead.'],
    ['grantGetRecommendations', RECIPES.PERSONALIZED_RANKING,
      'grantGetRecommendations: campaign \'TestStack/Campaign\' deploys a solution of recipe \'aws-personalized-ranking-v2\', which '
      + 'GetRecommendations does not answer. Use grantGetPersonalizedRanking instead.'],
    ['grantGetRecommendations', RECIPES.NEXT_BEST_ACTION,
      'grantGetRecommendations: campaign \'TestStack/Campaign\' deploys a solution of recipe \'aws-next-best-action\', which '
      + 'GetRecommendations does not answer. Use grantGetActionRecommendations instead.'],
  ] as const)('%s is refused for a solution of another recipe', (method, recipe, message) => {
    const stack = newStack();
    const deployed = campaign(stack, {}, recipe);
    expect(() => deployed[method](new iam.AccountRootPrincipal())).toThrow(message);
  });

  test('with skipChecks, a grant the recipe does not answer is made and the refusal is a checkSkipped warning', () => {
    const stack = newStack();
    const deployed = campaign(stack, { skipChecks: true }, RECIPES.PERSONALIZED_RANKING);
    deployed.grantGetRecommendations(new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));

    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Campaign', Match.stringLikeRegexp('cdk-personalize:checkSkipped'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining('which GetRecommendations does not answer')]);
  });

  test('a campaign on a batch-only (user segmentation) recipe is refused with the fix', () => {
    const stack = newStack();
    expect(() => campaign(stack, {}, 'arn:aws:personalize:::recipe/aws-item-affinity')).toThrow(
      "Invalid solution of campaign 'TestStack/Campaign': recipe 'aws-item-affinity' makes user segments with batch segment jobs only, and a "
      + 'campaign cannot serve it. Remove the campaign and run a batch segment job on the solution version.');
  });

  test('a solution version of another region is refused with the fix', () => {
    const stack = newStack();
    const version = new FakeSolutionVersion(stack, 'Version', `arn:aws:personalize:eu-west-1:${ACCOUNT}:solution/shop/abcd1234`);
    expect(() => campaign(stack, { solutionVersion: version })).toThrow(
      "Invalid solutionVersion of campaign 'TestStack/Campaign': 'arn:aws:personalize:eu-west-1:123456789012:solution/shop/abcd1234' is in region "
      + 'eu-west-1, and the campaign\'s stack is in us-east-1; a campaign deploys a solution version of its own region.');
  });

  test('every grant is allowed when the recipe is not known', () => {
    const stack = newStack();
    const imported = Campaign.fromCampaignArn(stack, 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:campaign/shop`);
    expect(() => imported.grantGetActionRecommendations(new iam.AccountRootPrincipal())).not.toThrow();
  });

  test.each([
    ['neither solutionVersion nor solution', () => ({ solutionVersion: undefined }),
      'Invalid CampaignProps: a campaign deploys a solution version. Give solutionVersion, or solution with syncWithLatestSolutionVersion: true.'],
    ['both solutionVersion and solution', (stack: Stack) => ({
      solutionVersion: new FakeSolutionVersion(stack, 'V', VERSION_ARN), solution: new FakeSolution(stack, 'S', SOLUTION_ARN),
    }), /^Invalid solution: give solutionVersion or solution, not both./],
    ['a solution without syncWithLatestSolutionVersion', (stack: Stack) => ({ solutionVersion: undefined, solution: new FakeSolution(stack, 'S', SOLUTION_ARN) }),
      'Invalid solution: \'TestStack/S\' without a solution version deploys its latest version, which needs syncWithLatestSolutionVersion: true.'],
    ['syncWithLatestSolutionVersion on a version whose solution is not known', (stack: Stack) => ({
      solutionVersion: new FakeSolutionVersion(stack, 'V', VERSION_ARN), syncWithLatestSolutionVersion: true,
    }), /^Invalid syncWithLatestSolutionVersion: the solution of solutionVersion 'TestStack\/V' is not known/],
    ['minProvisionedTPS 0', () => ({ minProvisionedTPS: 0 }), 'Invalid minProvisionedTPS: 0. Expected a whole number, at least 1.'],
    ['a fractional minProvisionedTPS', () => ({ minProvisionedTPS: 1.5 }), 'Invalid minProvisionedTPS: 1.5. Expected a whole number, at least 1.'],
    ['an exploration weight above 1', () => ({ itemExploration: { weight: 1.2 } }),
      'Invalid itemExploration.weight: 1.2. Expected a number from 0 (no exploration) to 1 (the most).'],
    ['an exploration cut-off under a day', () => ({ itemExploration: { itemAgeCutOff: Duration.hours(12) } }),
      'Invalid itemExploration.itemAgeCutOff: 12 hours. Expected a whole number of days, at least 1.'],
    ['a ranking influence below 0', () => ({ rankingInfluence: { freshness: -0.1 } }),
      'Invalid rankingInfluence.freshness: -0.1. Expected a weight from 0.0 to 1.0.'],
    ['an invalid name', () => ({ campaignName: '-shop' }), /^Invalid campaignName: '-shop' \(5 characters\)/],
  ])('rejects %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new Campaign(stack, 'Campaign', { solutionVersion: fakeVersion(stack), ...props(stack) } as CampaignProps)).toThrow(message);
  });

  test('rejects item exploration for a solution whose recipe is not User-Personalization', () => {
    const stack = newStack();
    expect(() => campaign(stack, { itemExploration: { weight: 0.1 } }, RECIPES.SIMS))
      .toThrow('Invalid itemExploration: the solution\'s recipe is \'aws-sims\', and item exploration applies to User-Personalization '
        + 'recipes only (aws-user-personalization, aws-user-personalization-v2). Remove itemExploration.');
  });

  test('rejects an explicit name used twice in one account and region', () => {
    const stack = newStack();
    campaign(stack, { campaignName: 'shop' });
    expect(() => new Campaign(stack, 'Other', { solutionVersion: new FakeSolutionVersion(stack, 'V2', VERSION_ARN), campaignName: 'shop' }))
      .toThrow(/^Invalid campaignName: 'shop' is already the campaignName of 'TestStack\/Campaign'/);
  });

  test('imports by ARN and refuses another resource type', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:campaign/shop`;
    expect(Campaign.fromCampaignArn(stack, 'A', arn).campaignArn).toBe(arn);
    expect(() => Campaign.fromCampaignArn(stack, 'B', `arn:aws:personalize:${REGION}:${ACCOUNT}:recommender/shop`))
      .toThrow(/^Invalid campaignArn: '.*recommender\/shop' is a Personalize 'recommender' ARN, not a campaign ARN/);
  });
});
