/**
 * Integ test: dataset groups in every configuration the construct supports.
 * integ-runner checks the synthesized template against the committed snapshot.
 */
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { App, Stack, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetGroup, Domain } from '../../src';

const app = new App();
const stack = new Stack(app, 'integ-dataset-group', { env: { account: '123456789012', region: 'us-east-1' } });

new DatasetGroup(stack, 'Custom');

new DatasetGroup(stack, 'NamedDomainGroup', {
  datasetGroupName: 'integ-video-on-demand',
  domain: Domain.VIDEO_ON_DEMAND,
});

const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
new DatasetGroup(stack, 'EncryptedWithCreatedRole', { domain: Domain.ECOMMERCE, kmsKey: key });

const role = new iam.Role(stack, 'PersonalizeRole', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
new DatasetGroup(stack, 'EncryptedWithGivenRole', { kmsKey: key, role });

Tags.of(stack).add('integ', 'dataset-group');

new IntegTest(app, 'DatasetGroupInteg', { testCases: [stack] });
app.synth();
