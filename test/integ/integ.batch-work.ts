/**
 * Integ test: batch and scheduled work. A trained User-Personalization-v2 version makes a
 * nightly batch of recommendations, filtered, into a bucket of the stack (on deploy, and
 * again every night through an EventBridge Scheduler universal target, with its dead-letter
 * queue); an Item-Affinity version makes user segments once; and an incremental import
 * runs every day from a bucket prefix. integ-runner checks the synthesized template
 * against the committed snapshot.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, Stack, Tags, TimeZone } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { addShopDatasets } from './shop-datasets';
import {
  AutoTraining, BatchInferenceJob, BatchJobWait, BatchSegmentJob, DatasetGroup, DatasetImportJob, Filter, FilterExpression, ImportMode,
  ImportSource, ImportWait, Recipe, SchemaField, Solution, SolutionVersion,
} from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-batch-work', { env: { account: '123456789012', region: 'us-east-1' } });

const group = new DatasetGroup(stack, 'Shop');
const interactions = addShopDatasets(stack, group, SchemaField.stringField('DESCRIPTION').textual());
const data = new s3.Bucket(stack, 'Data', { enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL });
new DatasetImportJob(stack, 'History', { dataset: interactions, source: ImportSource.fromBucket(data, 'history/') });
new DatasetImportJob(stack, 'Daily', {
  dataset: interactions,
  source: ImportSource.fromBucket(data, 'daily/'),
  importMode: ImportMode.INCREMENTAL,
  wait: ImportWait.startOnly(),
  recurringRuns: { schedule: scheduler.ScheduleExpression.rate(Duration.days(1)) },
});

const recommendations = new Solution(stack, 'Recommendations', {
  datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off(),
});
new BatchInferenceJob(stack, 'NightlyEmail', {
  solutionVersion: new SolutionVersion(stack, 'Trained', { solution: recommendations, retrainOn: 'history-v1' }),
  inputBucket: data,
  inputKey: 'email/users.jsonl',
  outputBucket: data,
  outputPrefix: 'email/recommendations/',
  numResults: 10,
  filter: new Filter(stack, 'NotPurchased', {
    datasetGroup: group, expression: FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")'),
  }),
  recurringRuns: { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0', timeZone: TimeZone.EUROPE_BERLIN }) },
});

const affinity = new Solution(stack, 'Affinity', { datasetGroup: group, recipe: Recipe.ITEM_AFFINITY, autoTraining: AutoTraining.off() });
new BatchSegmentJob(stack, 'SummerSale', {
  solutionVersion: new SolutionVersion(stack, 'AffinityTrained', { solution: affinity }),
  inputBucket: data,
  inputKey: 'segments/queries.jsonl',
  outputBucket: data,
  outputPrefix: 'segments/summer-sale/',
  numResults: 100000,
  wait: BatchJobWait.startOnly(),
});

Tags.of(stack).add('integ', 'batch-work');

new IntegTest(app, 'BatchWorkInteg', { testCases: [stack] });
app.synth();
