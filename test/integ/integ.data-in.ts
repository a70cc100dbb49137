/**
 * Integ test: a dataset group that takes data in and is used. A custom group with
 * Interactions and Items datasets, an event tracker whose PutEvents grant goes to a
 * producer role, two filters (one built, one written as text with placeholders) and a
 * metric attribution publishing to CloudWatch and S3, and an import of the Interactions
 * data from a CSV asset (copied into the construct's bucket). integ-runner checks the
 * synthesized template against the committed snapshot.
 */
import * as path from 'path';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { addShopDatasets } from './shop-datasets';
import {
  DatasetGroup, DatasetImportJob, EventTracker, Filter, FilterCondition, FilterExpression, FilterField, FilterTarget, FilterValue,
  ImportSource, MetricAttribution, MetricExpression, SchemaField,
} from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-data-in', { env: { account: '123456789012', region: 'us-east-1' } });

const group = new DatasetGroup(stack, 'Shop');
const interactions = addShopDatasets(stack, group, SchemaField.floatField('PRICE'));

// Bulk interactions from a CSV file of the app, checked against the schema at synth.
new DatasetImportJob(stack, 'History', {
  dataset: interactions,
  source: ImportSource.fromAsset(path.join(__dirname, 'interactions.csv')),
});

const tracker = new EventTracker(stack, 'Clicks', { datasetGroup: group });
tracker.grantPutEvents(new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }));

new Filter(stack, 'NotPurchased', {
  datasetGroup: group,
  expression: FilterExpression.exclude(FilterTarget.ITEMS,
    FilterCondition.isIn(FilterField.interactionsEventType(), [FilterValue.literal('purchase')])),
});
new Filter(stack, 'GenreUnderPrice', {
  datasetGroup: group,
  expression: FilterExpression.fromText('INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) AND Items.PRICE <= $MAX_PRICE'),
});

const metricsBucket = new s3.Bucket(stack, 'MetricsBucket', {
  enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: false,
});
new MetricAttribution(stack, 'Impact', {
  datasetGroup: group,
  outputBucket: metricsBucket,
  metrics: [
    { metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() },
    { metricName: 'REVENUE', eventType: 'purchase', expression: MetricExpression.sumOfInteractions('EVENT_VALUE') },
  ],
});

Tags.of(stack).add('integ', 'data-in');

new IntegTest(app, 'DataInInteg', { testCases: [stack] });
app.synth();
