/**
 * Integ test: from data to an endpoint in one deploy. A custom group with Interactions
 * and Items datasets, an import of the interactions from a CSV asset, a
 * User-Personalization-v2 solution with weekly automatic training and event weights, a
 * training (solution version) behind a wait condition that the long wait
 * signals and that starts after the import, and a campaign serving the trained version
 * to an API role. integ-runner checks the synthesized template against the committed snapshot.
 */
import * as path from 'path';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { addShopDatasets } from './shop-datasets';
import {
  AutoTraining, Campaign, DatasetGroup, DatasetImportJob, ImportSource, Recipe, SchemaField, Solution, SolutionVersion, TrainingMode,
} from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-training', { env: { account: '123456789012', region: 'us-east-1' } });

const group = new DatasetGroup(stack, 'Shop');
const interactions = addShopDatasets(stack, group, SchemaField.stringField('DESCRIPTION').textual());
new DatasetImportJob(stack, 'History', {
  dataset: interactions,
  source: ImportSource.fromAsset(path.join(__dirname, 'interactions.csv')),
});

const solution = new Solution(stack, 'Recommendations', {
  datasetGroup: group,
  recipe: Recipe.USER_PERSONALIZATION_V2,
  autoTraining: AutoTraining.every(Duration.days(7)),
  events: [{ eventType: 'click', weight: 0.4 }, { eventType: 'purchase', weight: 0.6 }],
});
const trained = new SolutionVersion(stack, 'Trained', {
  solution,
  trainingMode: TrainingMode.FULL,
  retrainOn: 'initial-import',
  trainingTimeout: Duration.hours(6),
});
const campaign = new Campaign(stack, 'Campaign', { solutionVersion: trained, minProvisionedTPS: 1 });
campaign.grantGetRecommendations(new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));

Tags.of(stack).add('integ', 'training');

new IntegTest(app, 'TrainingInteg', { testCases: [stack] });
app.synth();
