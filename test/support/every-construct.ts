/**
 * One stack with every construct and option of the library, and a role of the app's
 * own ('Api') granted everything a client can be granted: what the IAM tests
 * (test/iam-*.test.ts) evaluate. Synthesized as the lifecycle harness synthesizes
 * (environment-agnostic, resolved with the harness's account and region).
 */
import * as path from 'path';
import { Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { addInteractionsAndActions, INTERACTION_FIELDS } from './custom-datasets';
import {
  AutoTraining, BatchInferenceJob, BatchSegmentJob, Campaign, Dataset, DatasetGroup, DatasetImportJob, DatasetType, Domain, EventTracker, Filter,
  FilterExpression, ImportMode,
  ImportSource, MetricAttribution, MetricExpression, Recipe, Recommender, rekognition, Schema, SchemaDefinition, SchemaField, Solution,
  SolutionVersion, UseCase,
} from '../../src';
import { synthesize, SynthesizedStack } from '../harness/stacks';

export const EVERY_CONSTRUCT_STACK = 'EveryConstruct';
export const IMPORTED_PROJECT_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/shoes/1700000000000';

/**
 * Explicit names: group 'video', schema 'actions', dataset 'actions', tracker 'video-clicks', solution 'video-recs' (each
 * adds to the handler role's policy, which this stack fills nearly to IAM's limit).
 * Paths of the custom resources: Custom (emptyOnDelete), Video (VIDEO_ON_DEMAND),
 * EncryptedCreatedRole, Custom/Interactions, Custom/Actions, Custom/ActionInteractions,
 * Video/Interactions, ImportedGroupUsers, Tracker, VideoTracker, Purchased, VideoPurchased, Metrics, ImportEvents,
 * ImportMoreEvents, TopPicks, Trending, Recs, RecsTraining, Campaign, Ranking, RankingTraining, RankingCampaign,
 * Nba, NbaTraining, NbaCampaign, VideoRecs, VideoRecsTraining. Rekognition datasets are in rekognitionStack: one
 * handler role's inline policies are capped at 10,240 characters, and this stack takes most of them.
 */
export function everyConstructStack(): SynthesizedStack {
  return synthesize((stack: Stack) => {
    const key = new kms.Key(stack, 'DatasetKey', { enableKeyRotation: true });
    const custom = new DatasetGroup(stack, 'Custom', { emptyOnDelete: true });
    const video = new DatasetGroup(stack, 'Video', { datasetGroupName: 'video', domain: Domain.VIDEO_ON_DEMAND });
    new DatasetGroup(stack, 'EncryptedCreatedRole', { domain: Domain.ECOMMERCE, kmsKey: key });

    const customInteractions = addInteractionsAndActions(stack, custom);
    const actionInteractions = new Schema(stack, 'ActionInteractionsSchema', {
      definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ACTION_ID'),
        SchemaField.longField('TIMESTAMP'), SchemaField.stringField('EVENT_TYPE')], { recordName: 'ActionInteractions' }),
    });
    custom.addDataset('ActionInteractions', { datasetType: DatasetType.ACTION_INTERACTIONS, schema: actionInteractions });
    const videoInteractions = new Schema(stack, 'VideoInteractionsSchema', { domain: Domain.VIDEO_ON_DEMAND, definition: SchemaDefinition.fromFields(INTERACTION_FIELDS) });
    video.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: videoInteractions });
    new Dataset(stack, 'ImportedGroupUsers', {
      datasetGroup: DatasetGroup.fromDatasetGroupArn(stack, 'ImportedGroup', 'arn:aws:personalize:us-east-1:123456789012:dataset-group/shared'),
      datasetType: DatasetType.USERS,
      schema: Schema.fromSchemaArn(stack, 'ImportedSchema', 'arn:aws:personalize:us-east-1:123456789012:schema/shared-users'),
    });

    const api = new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    new EventTracker(stack, 'Tracker', { datasetGroup: custom }).grantPutEvents(api);
    new EventTracker(stack, 'VideoTracker', { datasetGroup: video, eventTrackerName: 'video-clicks' });
    const purchased = FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")');
    new Filter(stack, 'Purchased', { datasetGroup: custom, expression: purchased });
    new Filter(stack, 'VideoPurchased', { datasetGroup: video, expression: purchased });
    const bucket = new s3.Bucket(stack, 'MetricsBucket', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
    new MetricAttribution(stack, 'Metrics', {
      datasetGroup: custom, outputBucket: bucket, metrics: [{ metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() }],
    });
    new DatasetImportJob(stack, 'ImportEvents', {
      dataset: customInteractions, source: ImportSource.fromAsset(path.join(__dirname, '..', 'fixtures', 'import', 'events.csv')),
    });
    new DatasetImportJob(stack, 'ImportMoreEvents', {
      dataset: customInteractions, source: ImportSource.fromBucket(bucket, 'imports/'), importMode: ImportMode.INCREMENTAL,
    });
    new Recommender(stack, 'TopPicks', { datasetGroup: video, useCase: UseCase.VOD_TOP_PICKS }).grantGetRecommendations(api);
    new Recommender(stack, 'Trending', { datasetGroup: video, useCase: UseCase.VOD_TRENDING_NOW });

    const recs = new Solution(stack, 'Recs', { datasetGroup: custom, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
    new Campaign(stack, 'Campaign', { solutionVersion: new SolutionVersion(stack, 'RecsTraining', { solution: recs }) }).grantGetRecommendations(api);
    const ranking = new Solution(stack, 'Ranking', { datasetGroup: custom, recipe: Recipe.PERSONALIZED_RANKING, autoTraining: AutoTraining.off() });
    new Campaign(stack, 'RankingCampaign', { solutionVersion: new SolutionVersion(stack, 'RankingTraining', { solution: ranking }) })
      .grantGetPersonalizedRanking(api);
    const nba = new Solution(stack, 'Nba', { datasetGroup: custom, recipe: Recipe.NEXT_BEST_ACTION, autoTraining: AutoTraining.off() });
    new Campaign(stack, 'NbaCampaign', { solutionVersion: new SolutionVersion(stack, 'NbaTraining', { solution: nba }) })
      .grantGetActionRecommendations(api);
    const named = new Solution(stack, 'VideoRecs', { datasetGroup: video, recipe: Recipe.SIMS, autoTraining: AutoTraining.off(), solutionName: 'video-recs' });
    new SolutionVersion(stack, 'VideoRecsTraining', { solution: named });

    Tags.of(stack).add('cost-center', 'recommendations');
  }, EVERY_CONSTRUCT_STACK);
}

/**
 * Rekognition Custom Labels datasets: Train (a versioned manifest in S3, images under a prefix) and Test (a copy of
 * Train) in an imported project, Copy (empty) in a project of the stack; role 'Api' may read Train and describe projects.
 */
export function rekognitionStack(): SynthesizedStack {
  return synthesize((stack: Stack) => {
    const api = new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    const project = rekognition.Project.fromProjectArn(stack, 'Project', IMPORTED_PROJECT_ARN);
    const labels = s3.Bucket.fromBucketName(stack, 'Labels', 'labels');
    const train = new rekognition.Dataset(stack, 'Train', {
      project,
      datasetType: rekognition.DatasetType.TRAIN,
      source: rekognition.DatasetSource.fromManifestObject(labels, 'train.manifest', { version: 'v1', imagePrefix: 'images/' }),
    });
    train.grantRead(api);
    new rekognition.Dataset(stack, 'Test', { project, datasetType: rekognition.DatasetType.TEST, source: rekognition.DatasetSource.fromDataset(train) });
    const other = new rekognition.Project(stack, 'OtherProject', { projectName: 'boots' });
    new rekognition.Dataset(stack, 'Copy', { project: other, datasetType: rekognition.DatasetType.TRAIN, source: rekognition.DatasetSource.empty() });
    other.grantDescribe(api);

  }, EVERY_CONSTRUCT_STACK);
}

/**
 * Batch work, in a stack of its own (the handler role's policy of everyConstructStack is nearly full): Nightly, a batch
 * inference job of a User-Personalization version with a filter, SSE-KMS buckets and recurring runs; Segments, a batch
 * segment job of an Item-Affinity version, reading every file under a prefix.
 */
export function batchStack(): SynthesizedStack {
  return synthesize((stack: Stack) => {
    const key = new kms.Key(stack, 'BatchKey', { enableKeyRotation: true });
    const group = new DatasetGroup(stack, 'Shop');
    const interactions = new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTION_FIELDS) });
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: interactions });
    const bucket = new s3.Bucket(stack, 'Batch', { encryption: s3.BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
    const recs = new Solution(stack, 'Recs', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
    new BatchInferenceJob(stack, 'Nightly', {
      solutionVersion: new SolutionVersion(stack, 'RecsTraining', { solution: recs }),
      inputBucket: bucket,
      inputKey: 'batch/users.jsonl',
      outputBucket: bucket,
      outputPrefix: 'batch/recommendations/',
      numResults: 10,
      filter: new Filter(stack, 'Purchased', { datasetGroup: group, expression: FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")') }),
      recurringRuns: { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) },
    });
    const affinity = new Solution(stack, 'Affinity', { datasetGroup: group, recipe: Recipe.ITEM_AFFINITY, autoTraining: AutoTraining.off() });
    new BatchSegmentJob(stack, 'Segments', {
      solutionVersion: new SolutionVersion(stack, 'AffinityTraining', { solution: affinity }),
      inputBucket: bucket,
      inputKey: 'batch/items/',
      outputBucket: bucket,
      outputPrefix: 'batch/segments/',
    });
  }, EVERY_CONSTRUCT_STACK);
}
