import { App, CfnResource, CfnWaitCondition, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import {
  Dataset, DatasetGroup, DatasetImportJob, DatasetType, Domain, ImportSource, Recommender, RecommenderProps, Schema, SchemaDefinition, SchemaField,
  UseCase,
} from '../src';
import { domainGroup } from './support/domain-fixtures';
import { coversAction, grantedOn, ownedGrant, statementFor } from './support/handler-grants';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
/** What the handler does to a recommender by name; tagging, stopping and deleting come from the owned-resources grant. */
const HANDLER_ACTIONS = ['personalize:CreateRecommender', 'personalize:DescribeRecommender', 'personalize:StartRecommender', 'personalize:UpdateRecommender'];
const OWNED_ACTIONS = ['personalize:DeleteRecommender', 'personalize:StopRecommender', 'personalize:TagResource', 'personalize:UntagResource'];

function newStack(app = new App()): Stack {
  return new Stack(app, 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

function shop(stack: Stack, domain = Domain.ECOMMERCE, items = true): DatasetGroup {
  return domainGroup(stack, { domain, items });
}

function recommender(stack: Stack, props: Partial<RecommenderProps> = {}): Recommender {
  return new Recommender(stack, 'Picks', {
    datasetGroup: props.datasetGroup ?? shop(stack), useCase: UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU, ...props,
  });
}

function properties(stack: Stack): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources('Custom::PersonalizeRecommender'))[0].Properties;
}

describe('UseCase', () => {
  test.each([
    [UseCase.ECOMMERCE_CUSTOMERS_WHO_VIEWED_X_ALSO_VIEWED, Domain.ECOMMERCE, 'aws-ecomm-customers-who-viewed-x-also-viewed'],
    [UseCase.ECOMMERCE_BEST_SELLERS, Domain.ECOMMERCE, 'aws-ecomm-popular-items-by-purchases'],
    [UseCase.ECOMMERCE_MOST_VIEWED, Domain.ECOMMERCE, 'aws-ecomm-popular-items-by-views'],
    [UseCase.ECOMMERCE_FREQUENTLY_BOUGHT_TOGETHER, Domain.ECOMMERCE, 'aws-ecomm-frequently-bought-together'],
    [UseCase.ECOMMERCE_RECOMMENDED_FOR_YOU, Domain.ECOMMERCE, 'aws-ecomm-recommended-for-you'],
    [UseCase.VOD_BECAUSE_YOU_WATCHED_X, Domain.VIDEO_ON_DEMAND, 'aws-vod-because-you-watched-x'],
    [UseCase.VOD_MORE_LIKE_X, Domain.VIDEO_ON_DEMAND, 'aws-vod-more-like-x'],
    [UseCase.VOD_MOST_POPULAR, Domain.VIDEO_ON_DEMAND, 'aws-vod-most-popular'],
    [UseCase.VOD_TRENDING_NOW, Domain.VIDEO_ON_DEMAND, 'aws-vod-trending-now'],
    [UseCase.VOD_TOP_PICKS, Domain.VIDEO_ON_DEMAND, 'aws-vod-top-picks'],
  ])('%# is recipe %s of its domain', (useCase, domain, recipe) => {
    expect(useCase.domain).toBe(domain);
    expect(useCase.recipeArn).toBe(`arn:aws:personalize:::recipe/${recipe}`);
  });

  test('a recipe ARN of another form is refused', () => {
    expect(() => UseCase.fromRecipeArn(Domain.ECOMMERCE, 'arn:aws:personalize:::solution/x'))
      .toThrow('Invalid recipeArn: \'arn:aws:personalize:::solution/x\'. Expected a use case\'s recipe ARN, arn:aws:personalize:::recipe/NAME.');
  });

  test.each([
    ['a custom recipe', 'arn:aws:personalize:::recipe/aws-user-personalization-v2',
      "Invalid useCase of recommender 'TestStack/Picks': 'aws-user-personalization-v2' is a custom recipe, not a use case of the ECOMMERCE domain (their recipes are "
      + 'named aws-ecomm-...); train it with a Solution and a Campaign, or give a ECOMMERCE use case.'],
    ['another domain\'s use case', 'arn:aws:personalize:::recipe/aws-vod-top-picks',
      "Invalid useCase of recommender 'TestStack/Picks': 'aws-vod-top-picks' is a use case of the VIDEO_ON_DEMAND domain, not of ECOMMERCE"],
  ])('fromRecipeArn with %s is refused by the recommender, with the fix', (_name, arn, message) => {
    const stack = newStack();
    expect(() => recommender(stack, { useCase: UseCase.fromRecipeArn(Domain.ECOMMERCE, arn) })).toThrow(message);
  });

  test('fromRecipeArn with a use case of the domain that the library does not list is accepted', () => {
    const stack = newStack();
    expect(() => recommender(stack, { useCase: UseCase.fromRecipeArn(Domain.ECOMMERCE, 'arn:aws:personalize:::recipe/aws-ecomm-new-use-case') })).not.toThrow();
  });

  test('with skipChecks, a custom recipe given as a use case is created and the refusal is a checkSkipped warning', () => {
    const stack = newStack();
    recommender(stack, { useCase: UseCase.fromRecipeArn(Domain.ECOMMERCE, 'arn:aws:personalize:::recipe/aws-sims'), skipChecks: true });

    expect(properties(stack).RecipeArn).toBe('arn:aws:personalize:::recipe/aws-sims');
    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Picks', Match.stringLikeRegexp('cdk-personalize:checkSkipped'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining("'aws-sims' is a custom recipe, not a use case of the ECOMMERCE domain")]);
  });
});

describe('Recommender', () => {
  test('synthesizes the group, the use case\'s recipe and a generated name, with defaults left to the service', () => {
    const stack = newStack();
    const group = shop(stack);
    recommender(stack, { datasetGroup: group });

    const props = properties(stack);
    expect(props.Name).toMatch(/^TestStack_Picks-[0-9a-f]{8}$/);
    expect(props.DatasetGroupArn).toEqual(stack.resolve(group.datasetGroupArn));
    expect(props.RecipeArn).toBe('arn:aws:personalize:::recipe/aws-ecomm-recommended-for-you');
    for (const unset of ['MinRecommendationRequestsPerSecond', 'EnableMetadataWithRecommendations', 'ExplorationWeight', 'ExcludedColumns', 'Running']) {
      expect(props[unset]).toBeUndefined();
    }
  });

  test('synthesizes the config, the excluded columns and a stopped state', () => {
    const stack = newStack();
    recommender(stack, {
      minRecommendationRequestsPerSecond: 5,
      enableMetadataWithRecommendations: true,
      itemExploration: { weight: 0.1, itemAgeCutOff: Duration.days(10) },
      excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['COLOR'] }],
      running: false,
    });

    expect(properties(stack)).toMatchObject({
      MinRecommendationRequestsPerSecond: '5',
      EnableMetadataWithRecommendations: 'true',
      ExplorationWeight: '0.1',
      ExplorationItemAgeCutOff: '10',
      ExcludedColumns: [{ DatasetType: 'Items', Columns: ['COLOR'] }],
      Running: 'false',
    });
  });

  test('is created after the group\'s datasets, and so deleted before them', () => {
    const stack = newStack();
    const group = shop(stack);
    const picks = recommender(stack, { datasetGroup: group });

    const template = Template.fromStack(stack).toJSON();
    const id = (construct: any) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
    expect(template.Resources[id(picks.node.findChild('Resource'))].DependsOn).toEqual(expect.arrayContaining([
      id(group.node.findChild('Interactions').node.findChild('Resource')), id(group.node.findChild('Items').node.findChild('Resource')),
    ]));
  });

  test('is created after the app\'s imports into its group have ended ACTIVE, even imports declared after it, and not after other groups\' imports', () => {
    const stack = newStack();
    const group = shop(stack);
    const picks = recommender(stack, { datasetGroup: group });
    const data = new s3.Bucket(stack, 'Data');
    const job = new DatasetImportJob(stack, 'Import', { dataset: group.node.findChild('Interactions') as Dataset, source: ImportSource.fromBucket(data, 'events.csv') });
    const otherSchema = new Schema(stack, 'OtherSchema', {
      definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')]),
    });
    const otherInteractions = new DatasetGroup(stack, 'Other').addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: otherSchema });
    const otherJob = new DatasetImportJob(stack, 'OtherImport', { dataset: otherInteractions, source: ImportSource.fromBucket(data, 'other.csv') });

    const template = Template.fromStack(stack).toJSON();
    const id = (construct: IConstruct) => stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnResource);
    const dependsOn = template.Resources[id(picks.node.findChild('Resource'))].DependsOn as string[];
    // The job, its wait condition (signalled once the import is ACTIVE) and the reading that proves it.
    const waited = job.node.children.filter((child) => child instanceof CfnWaitCondition || child.node.id.startsWith('Result'));
    expect(waited).toHaveLength(2);
    expect(dependsOn).toEqual(expect.arrayContaining([id(job.node.findChild('Resource')), ...waited.map(id)]));
    expect(dependsOn).not.toContain(id(otherJob.node.findChild('Resource')));
  });

  test('the handler may manage the stack\'s generated recommender names, create them in the group, and stop, tag and delete those it made', () => {
    const stack = newStack();
    recommender(stack);

    const template = Template.fromStack(stack);
    expect(statementFor(template, HANDLER_ACTIONS).Resource)
      .toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:recommender/TestStack_*`]] });
    expect(grantedOn(template, 'personalize:CreateRecommender')).toEqual(expect.arrayContaining([
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:dataset-group/shop`]] },
      { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:recommender/TestStack_*`]] },
    ]));
    expect(OWNED_ACTIONS.filter((action) => !coversAction(ownedGrant(template, 'personalize'), action))).toEqual([]);
  });

  test('grantGetRecommendations grants personalize:GetRecommendations on exactly this recommender', () => {
    const stack = newStack();
    const picks = recommender(stack);
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });

    picks.grantGetRecommendations(role);

    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: stack.getLogicalId(role.node.defaultChild as CfnResource) }] } });
    expect(Object.values(policies).flatMap((p: any) => p.Properties.PolicyDocument.Statement))
      .toEqual([{ Effect: 'Allow', Action: 'personalize:GetRecommendations', Resource: stack.resolve(picks.recommenderArn) }]);
  });

  test('tags set with Tags.of reach the recommender', () => {
    const stack = newStack();
    recommender(stack);
    Tags.of(stack).add('team', 'recs');
    expect(properties(stack).Tags).toEqual([{ Key: 'team', Value: 'recs' }]);
  });

  test('an imported group of unknown domain is left to the service', () => {
    const stack = newStack();
    expect(() => recommender(stack, { datasetGroup: DatasetGroup.fromDatasetGroupName(stack, 'Imported', 'shop') })).not.toThrow();
    expect(() => Template.fromStack(stack)).not.toThrow();
  });

  test.each([
    ['a use case of another domain', (stack: Stack) => ({ useCase: UseCase.VOD_TOP_PICKS, datasetGroup: shop(stack) }),
      'Invalid useCase: \'aws-vod-top-picks\' is a VIDEO_ON_DEMAND use case, and dataset group \'TestStack/Group\' is a ECOMMERCE group. '
      + 'Choose a ECOMMERCE use case.'],
    ['a custom dataset group', (stack: Stack) => ({ datasetGroup: new DatasetGroup(stack, 'Custom') }),
      /^Invalid datasetGroup: 'TestStack\/Custom' is a Custom dataset group, and recommenders exist in Domain dataset groups only./],
    ['item exploration for a use case that is not personalized', () => ({ useCase: UseCase.ECOMMERCE_BEST_SELLERS, itemExploration: { weight: 0.5 } }),
      /^Invalid itemExploration: use case 'aws-ecomm-popular-items-by-purchases' does not recommend items for a user/],
    ['an exploration weight below 0', () => ({ itemExploration: { weight: -1 } }),
      'Invalid itemExploration.weight: -1. Expected a number from 0 (no exploration) to 1 (the most).'],
    ['minRecommendationRequestsPerSecond 0', () => ({ minRecommendationRequestsPerSecond: 0 }),
      'Invalid minRecommendationRequestsPerSecond: 0. Expected a whole number, at least 1.'],
    ['excluded columns of the Actions dataset', () => ({ excludedColumns: [{ datasetType: DatasetType.ACTIONS, columns: ['X'] }] }),
      'Invalid excludedColumns: datasetType \'Actions\'. Columns can be left out of Interactions, Items, Users only.'],
    ['a dataset type excluded twice', () => ({ excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['COLOR'] }, { datasetType: DatasetType.ITEMS, columns: ['PRICE'] }] }),
      'Invalid excludedColumns: datasetType \'Items\' appears twice; list its columns once.'],
    ['no excluded column', () => ({ excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: [] }] }),
      'Invalid excludedColumns of Items: 0 columns. Expected 1-50.'],
    ['an invalid column name', () => ({ excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['1COLOR'] }] }),
      /^Invalid excludedColumns of Items: '1COLOR'. A column name is 1-150 letters, digits and underscores/],
    ['an invalid name', () => ({ recommenderName: 'picks!' }), /^Invalid recommenderName: 'picks!'/],
  ])('rejects %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => recommender(stack, props(stack) as Partial<RecommenderProps>)).toThrow(message);
  });

  test('fails synth when the group lacks a dataset the use case trains on', () => {
    const stack = newStack();
    recommender(stack, { datasetGroup: shop(stack, Domain.VIDEO_ON_DEMAND, false), useCase: UseCase.VOD_MORE_LIKE_X });
    expect(() => Template.fromStack(stack)).toThrow('Invalid useCase: \'aws-vod-more-like-x\' trains on the Interactions and Items datasets, '
      + 'and dataset group \'TestStack/Group\' has no Items dataset in this app. Add it with datasetGroup.addDataset.');
  });

  test('fails synth for an excluded column the dataset\'s schema lacks', () => {
    const stack = newStack();
    recommender(stack, { excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['SIZE'] }] });
    expect(() => Template.fromStack(stack))
      .toThrow('Invalid excludedColumns of Items: the Items schema has no column SIZE (columns: ITEM_ID, PRICE, CATEGORY_L1, COLOR).');
  });

  test('rejects an explicit name used twice in one account and region', () => {
    const stack = newStack();
    const group = shop(stack);
    recommender(stack, { datasetGroup: group, recommenderName: 'picks' });
    expect(() => new Recommender(stack, 'Other', { datasetGroup: group, useCase: UseCase.ECOMMERCE_BEST_SELLERS, recommenderName: 'picks' }))
      .toThrow(/^Invalid recommenderName: 'picks' is already the recommenderName of 'TestStack\/Picks'/);
  });

  test('imports by ARN and refuses another resource type', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:recommender/picks`;
    expect(Recommender.fromRecommenderArn(stack, 'A', arn).recommenderArn).toBe(arn);
    expect(() => Recommender.fromRecommenderArn(stack, 'B', `arn:aws:personalize:${REGION}:${ACCOUNT}:campaign/picks`))
      .toThrow(/^Invalid recommenderArn: '.*campaign\/picks' is a Personalize 'campaign' ARN, not a recommender ARN/);
  });
});
