/**
 * Integ test: a Rekognition Custom Labels project with a TRAIN dataset from a manifest
 * in S3 and a TEST dataset from a manifest file in the app (an asset), and a copy of
 * TRAIN in a second project. integ-runner checks the synthesized template against the
 * committed snapshot.
 */
import * as path from 'path';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { rekognition } from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-rekognition-datasets', { env: { account: '123456789012', region: 'us-east-1' } });

const project = new rekognition.Project(stack, 'Shoes', { projectName: 'integ-shoes' });
const labels = s3.Bucket.fromBucketName(stack, 'Labels', 'integ-labelling-output');
const train = new rekognition.Dataset(stack, 'Train', {
  project,
  datasetType: rekognition.DatasetType.TRAIN,
  source: rekognition.DatasetSource.fromManifestObject(labels, 'shoes/train.manifest', { version: 'v1', imagePrefix: 'shoes/images/' }),
});
new rekognition.Dataset(stack, 'Test', {
  project,
  datasetType: rekognition.DatasetType.TEST,
  source: rekognition.DatasetSource.fromManifestFile(path.join(__dirname, '..', 'fixtures', 'rekognition', 'train.manifest')),
});
new rekognition.Dataset(stack, 'Copy', {
  project: new rekognition.Project(stack, 'Boots'),
  datasetType: rekognition.DatasetType.TRAIN,
  source: rekognition.DatasetSource.fromDataset(train),
});

Tags.of(stack).add('integ', 'rekognition-datasets');

new IntegTest(app, 'RekognitionDatasetsInteg', { testCases: [stack] });
app.synth();
