/**
 * Integ test: a Domain dataset group that serves recommendations. A VIDEO_ON_DEMAND
 * group with Interactions and Items datasets, and two recommenders: "top picks" with
 * item exploration, excluded columns and its GetRecommendations grant to a client role,
 * and "most popular" kept stopped (no billing). integ-runner checks the synthesized
 * template against the committed snapshot.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DatasetGroup, DatasetType, Domain, Recommender, Schema, SchemaDefinition, SchemaField, UseCase } from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-recommenders', { env: { account: '123456789012', region: 'us-east-1' } });

const group = new DatasetGroup(stack, 'Videos', { domain: Domain.VIDEO_ON_DEMAND });
group.addDataset('Interactions', {
  datasetType: DatasetType.INTERACTIONS,
  schema: new Schema(stack, 'InteractionsSchema', {
    domain: Domain.VIDEO_ON_DEMAND,
    definition: SchemaDefinition.fromFields([
      SchemaField.stringField('USER_ID'),
      SchemaField.stringField('ITEM_ID'),
      SchemaField.longField('TIMESTAMP'),
      SchemaField.stringField('EVENT_TYPE'),
    ], { recordName: 'Interactions' }),
  }),
});
group.addDataset('Items', {
  datasetType: DatasetType.ITEMS,
  schema: new Schema(stack, 'ItemsSchema', {
    domain: Domain.VIDEO_ON_DEMAND,
    definition: SchemaDefinition.fromFields([
      SchemaField.stringField('ITEM_ID'),
      SchemaField.stringField('GENRES').categorical(),
      SchemaField.longField('CREATION_TIMESTAMP'),
      SchemaField.stringField('STUDIO').categorical(),
    ], { recordName: 'Items' }),
  }),
});

const topPicks = new Recommender(stack, 'TopPicks', {
  datasetGroup: group,
  useCase: UseCase.VOD_TOP_PICKS,
  itemExploration: { weight: 0.2, itemAgeCutOff: Duration.days(14) },
  excludedColumns: [{ datasetType: DatasetType.ITEMS, columns: ['STUDIO'] }],
});
topPicks.grantGetRecommendations(new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));

new Recommender(stack, 'MostPopular', {
  datasetGroup: group,
  useCase: UseCase.VOD_MOST_POPULAR,
  running: false,
});

Tags.of(stack).add('integ', 'recommenders');

new IntegTest(app, 'RecommendersInteg', { testCases: [stack] });
app.synth();
