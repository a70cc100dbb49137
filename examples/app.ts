import { App, Stack, Tags } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetGroup, Domain } from '../src';

const app = new App();
const stack = new Stack(app, 'PersonalizeExample', {
  // A fixed environment keeps the template identical on every machine.
  env: { account: '123456789012', region: 'us-east-1' },
});

const key = new kms.Key(stack, 'DatasetKey', { enableKeyRotation: true, description: 'Encrypts the Personalize datasets' });

new DatasetGroup(stack, 'Retail', {
  domain: Domain.ECOMMERCE,
  kmsKey: key,
});

Tags.of(stack).add('project', 'personalize-example');
app.synth();
