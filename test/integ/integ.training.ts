/**
 * Integ test: a model trained on deploy. A custom group with Interactions and Items
 * datasets, a User-Personalization-v2 solution with weekly automatic training and
 * event weights, and a training (solution version) behind a wait condition that the
 * training watcher signals. A campaign joins this stack once the campaign construct
 * is merged. integ-runner checks the synthesized template against the committed snapshot.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, Tags } from 'aws-cdk-lib';
import {
  AutoTraining, DatasetGroup, DatasetType, Recipe, Schema, SchemaDefinition, SchemaField, Solution, SolutionVersion, TrainingMode,
} from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-training', { env: { account: '123456789012', region: 'us-east-1' } });

const group = new DatasetGroup(stack, 'Shop');
group.addDataset('Interactions', {
  datasetType: DatasetType.INTERACTIONS,
  schema: new Schema(stack, 'InteractionsSchema', {
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
    definition: SchemaDefinition.fromFields([
      SchemaField.stringField('ITEM_ID'),
      SchemaField.stringField('GENRE').categorical(),
      SchemaField.stringField('DESCRIPTION').textual(),
    ], { recordName: 'Items' }),
  }),
});

const solution = new Solution(stack, 'Recommendations', {
  datasetGroup: group,
  recipe: Recipe.USER_PERSONALIZATION_V2,
  autoTraining: AutoTraining.every(Duration.days(7)),
  events: [{ eventType: 'click', weight: 0.4 }, { eventType: 'purchase', weight: 0.6 }],
});
new SolutionVersion(stack, 'Trained', {
  solution,
  trainingMode: TrainingMode.FULL,
  retrainOn: 'initial-import',
  trainingTimeout: Duration.hours(6),
});

Tags.of(stack).add('integ', 'training');

new IntegTest(app, 'TrainingInteg', { testCases: [stack] });
app.synth();
