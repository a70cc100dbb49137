/**
 * What the provider adds to every stack, checked against the README's "What each stack
 * gets" section, so the numbers a user reads there cannot drift from what synthesizes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DatasetGroup, rekognition, Schema, SchemaDefinition, SchemaField } from '../src';

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
const section = README.slice(README.indexOf('## What each stack gets'), README.indexOf('## Deploying'));

/** The provider's resources: everything in a stack with one dataset group except the group's own custom resource. */
function providerResources(): Record<string, number> {
  const stack = new Stack(new App(), 'Footprint');
  new DatasetGroup(stack, 'Group');
  const counts: Record<string, number> = {};
  for (const resource of Object.values<any>(Template.fromStack(stack).toJSON().Resources)) {
    if (resource.Type.startsWith('Custom::Personalize')) continue;
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

describe('the README states what the provider adds to each stack', () => {
  const actual = providerResources();

  test('the total the README states is the number of resources the provider adds', () => {
    const stated = Number(section.match(/The provider adds \*\*(\d+) resources\*\*/)?.[1]);
    expect(stated).toBe(Object.values(actual).reduce((total, count) => total + count, 0));
  });

  test('the README\'s table lists every resource type the provider adds, with its count', () => {
    const rows = [...section.matchAll(/^\| `(AWS::[\w:]+)` \| (\d+) \|/gm)].map(([, type, count]) => [type, Number(count)]);
    expect(Object.fromEntries(rows)).toEqual(actual);
  });

  test('a second dataset group in the stack adds no provider resources, only its own custom resource', () => {
    const stack = new Stack(new App(), 'Two');
    new DatasetGroup(stack, 'First');
    new DatasetGroup(stack, 'Second');
    const resources = Object.values<any>(Template.fromStack(stack).toJSON().Resources);
    expect(resources.filter((resource) => !resource.Type.startsWith('Custom::Personalize'))).toHaveLength(
      Object.values(actual).reduce((total, count) => total + count, 0));
  });
});

describe('the function every custom resource names as its ServiceToken keeps its logical ID', () => {
  /**
   * CloudFormation refuses to change a custom resource's ServiceToken, so a new logical ID
   * for the function it names would fail every deployed stack's next update. The provider's
   * construct ID (CdkPersonalizeProvider) and the framework's function ID make this one.
   */
  const SERVICE_TOKEN_FUNCTION = 'CdkPersonalizeProviderframeworkonEventD4ED7E21';

  test('every Personalize and Rekognition custom resource names CdkPersonalizeProviderframeworkonEventD4ED7E21', () => {
    const stack = new Stack(new App(), 'Pinned');
    new DatasetGroup(stack, 'Group');
    new Schema(stack, 'Schema', {
      definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'),
        SchemaField.longField('TIMESTAMP')]),
    });
    new rekognition.Dataset(stack, 'Labels', {
      project: rekognition.Project.fromProjectArn(stack, 'Project', 'arn:aws:rekognition:us-east-1:123456789012:project/shoes/1'),
      datasetType: rekognition.DatasetType.TRAIN,
      source: rekognition.DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(stack, 'Bucket', 'labels'), 'train.manifest', { imagePrefix: 'images/' }),
    });
    const template = Template.fromStack(stack).toJSON();

    const customResources = Object.values<any>(template.Resources).filter((resource) => resource.Type.startsWith('Custom::'));
    expect(customResources.map((resource) => resource.Type).sort()).toEqual(['Custom::PersonalizeDatasetGroup', 'Custom::PersonalizeSchema',
      'Custom::RekognitionDataset']);
    for (const resource of customResources) {
      expect(resource.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [SERVICE_TOKEN_FUNCTION, 'Arn'] });
    }
    expect(template.Resources[SERVICE_TOKEN_FUNCTION].Type).toBe('AWS::Lambda::Function');
  });
});
