import { CfnResource, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DatasetGroup, DatasetType, Metric, MetricAttribution, MetricAttributionProps, MetricExpression, Schema, SchemaDefinition, SchemaField,
} from '../src';
import { personalizeKeyStatement } from './support/personalize-key-policy';
import { ACCOUNT, newStack, REGION, retailGroup } from './support/stack-fixtures';

const CLICKS: Metric = { metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() };
const REVENUE: Metric = { metricName: 'REVENUE', eventType: 'purchase', expression: MetricExpression.sumOfItems('PRICE') };

/** A group with Interactions and Items (PRICE float, GENRE string) datasets. */
function retail(stack: Stack): DatasetGroup {
  return retailGroup(stack, {
    [DatasetType.INTERACTIONS]: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')],
    [DatasetType.ITEMS]: [SchemaField.stringField('ITEM_ID'), SchemaField.floatField('PRICE'), SchemaField.stringField('GENRE').categorical()],
  });
}

function attribution(stack: Stack, props: Partial<MetricAttributionProps> = {}): MetricAttribution {
  return new MetricAttribution(stack, 'Metrics', { datasetGroup: props.datasetGroup ?? retail(stack), metrics: [CLICKS, REVENUE], ...props });
}

function properties(stack: Stack): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources('Custom::PersonalizeMetricAttribution'))[0].Properties;
}

describe('MetricAttribution', () => {
  test('synthesizes the metrics, the created role and a generated name', () => {
    const stack = newStack();
    const metrics = attribution(stack);

    const props = properties(stack);
    expect(props.Name).toMatch(/^TestStack_Metrics-[0-9a-f]{8}$/);
    expect(props.Metrics).toEqual([
      { EventType: 'click', MetricName: 'CLICKS', Expression: 'SAMPLECOUNT()' },
      { EventType: 'purchase', MetricName: 'REVENUE', Expression: 'SUM(Items.PRICE)' },
    ]);
    expect(props.RoleArn).toEqual(stack.resolve(metrics.role.roleArn));
    expect(props.S3Path).toBeUndefined();
  });

  test('the created role is trusted by Personalize for this account and region only, and may publish CloudWatch metrics', () => {
    const stack = newStack();
    attribution(stack);

    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Principal: { Service: 'personalize.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:*`]] } },
          },
        }],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'cloudwatch:PutMetricData', Resource: '*' }] },
    });
  });

  test('an output bucket gets the S3 path, the role\'s grants under the prefix and a bucket policy for Personalize', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const key = new kms.Key(stack, 'Key');
    attribution(stack, { outputBucket: bucket, outputPrefix: 'attribution/', outputKey: key });

    const props = properties(stack);
    expect(props.S3Path).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: stack.getLogicalId(bucket.node.defaultChild as CfnResource) }, '/attribution/']] });
    expect(props.S3KmsKeyArn).toEqual(stack.resolve(key.keyArn));
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Principal: { Service: 'personalize.amazonaws.com' }, Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
        })]),
      },
    });
  });

  test('the role may use the output key and the bucket\'s key, and both key policies let Personalize in for this account and region only', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Bucket', { encryptionKey: new kms.Key(stack, 'BucketKey') });
    attribution(stack, { outputBucket: bucket, outputKey: new kms.Key(stack, 'FilesKey') });

    const template = Template.fromStack(stack);
    for (const key of ['BucketKey', 'FilesKey']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^MetricsServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp(`^${key}`), 'Arn'] },
          }]),
        },
      });
    }
    const keyPolicies = Object.values(template.findResources('AWS::KMS::Key')).map((k: any) => k.Properties.KeyPolicy.Statement);
    expect(keyPolicies).toHaveLength(2);
    for (const statements of keyPolicies) {
      expect(statements).toContainEqual(personalizeKeyStatement(ACCOUNT, REGION));
    }
  });

  test('an output key the app imports gets a warning naming the key policy statement Personalize needs', () => {
    const stack = newStack();
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    attribution(stack, { outputBucket: new s3.Bucket(stack, 'Bucket'), outputKey: kms.Key.fromKeyArn(stack, 'FilesKey', keyArn) });
    Annotations.fromStack(stack).hasWarning('/TestStack/Metrics', Match.stringLikeRegexp(
      `^The policy of the imported key '${keyArn}' cannot be changed by this app. It must let personalize.amazonaws.com use the key for this `
      + 'account and region, or the metrics files are not written. Add this statement: .*"kms:CreateGrant".*"aws:SourceAccount":"123456789012"'));
  });

  test('a given role is passed as is, and the handler may pass it to Personalize only', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'Given', `arn:aws:iam::${ACCOUNT}:role/metrics`);
    attribution(stack, { role });

    expect(properties(stack).RoleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/metrics`);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: `arn:aws:iam::${ACCOUNT}:role/metrics`,
          Condition: { StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } },
        }]),
      },
    });
  });

  test.each([
    ['no metrics', { metrics: [] }, 'Invalid metrics: 0 metrics. A metric attribution has 1-10.'],
    ['eleven metrics', { metrics: Array.from({ length: 11 }, (_, i) => ({ ...CLICKS, metricName: `M${i}` })) }, 'Invalid metrics: 11 metrics. A metric attribution has 1-10.'],
    ['an empty metricName', { metrics: [{ ...CLICKS, metricName: '' }] }, 'Invalid metricName: \'\' (0 characters). Expected 1-256 characters.'],
    ['a long eventType', { metrics: [{ ...CLICKS, eventType: 'e'.repeat(257) }] }, /^Invalid eventType: 'e+' \(257 characters\)/],
    ['a repeated metricName', { metrics: [CLICKS, CLICKS] }, 'Invalid metrics: the metricName \'CLICKS\' is used twice; names are unique in an attribution.'],
    ['an expression of another form', { metrics: [{ ...CLICKS, expression: MetricExpression.fromText('AVG(Items.PRICE)') }] },
      'Invalid expression of metric \'CLICKS\': \'AVG(Items.PRICE)\'. Expected SAMPLECOUNT() or SUM(DATASET.COLUMN) with DATASET Items or Interactions.'],
    ['a SUM over the Users dataset', { metrics: [{ ...CLICKS, expression: MetricExpression.fromText('SUM(Users.AGE)') }] },
      'Invalid expression of metric \'CLICKS\': \'SUM(Users.AGE)\' sums a column of \'Users\'; SUM takes a column of the Items or Interactions dataset.'],
    ['an outputPrefix without a bucket', { outputPrefix: 'x/' }, /^Invalid outputPrefix\/outputKey: they apply to the metrics files in outputBucket/],
    ['an invalid name', { metricAttributionName: '_metrics' }, /^Invalid metricAttributionName: '_metrics'/],
  ])('rejects %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => attribution(stack, props as Partial<MetricAttributionProps>)).toThrow(message);
  });

  test('rejects an S3 path over 256 characters', () => {
    const stack = newStack();
    const bucket = s3.Bucket.fromBucketName(stack, 'Bucket', 'metrics-bucket');
    expect(() => attribution(stack, { outputBucket: bucket, outputPrefix: `${'p'.repeat(240)}/` }))
      .toThrow(/^Invalid outputPrefix: the S3 path 's3:\/\/metrics-bucket\/p+\/' is 261 characters; Personalize accepts at most 256./);
  });

  test('rejects a second metric attribution for one group', () => {
    const stack = newStack();
    const group = retail(stack);
    attribution(stack, { datasetGroup: group });
    expect(() => new MetricAttribution(stack, 'More', { datasetGroup: group, metrics: [CLICKS] }))
      .toThrow('Invalid datasetGroup: dataset group \'TestStack/Group\' already has a metric attribution (\'TestStack/Metrics\'), and Personalize '
        + 'allows one metric attribution per dataset group. Add the metrics to that one (up to 10).');
  });

  test('rejects an explicit name used twice in one account and region', () => {
    const stack = newStack();
    attribution(stack, { metricAttributionName: 'metrics' });
    expect(() => new MetricAttribution(stack, 'Other', {
      datasetGroup: DatasetGroup.fromDatasetGroupName(stack, 'G', 'other'), metrics: [CLICKS], metricAttributionName: 'metrics',
    })).toThrow(/^Invalid metricAttributionName: 'metrics' is already the metricAttributionName of 'TestStack\/Metrics'/);
  });

  test.each([
    ['a SUM over a dataset the group lacks', 'SUM(Interactions.EVENT_VALUE)', true,
      'Invalid expression of metric \'M\': SUM(Interactions.EVENT_VALUE) sums a column of the Interactions dataset, and dataset group '
      + '\'TestStack/Group\' has no Interactions dataset in this app.'],
    ['a column the schema lacks', 'SUM(Items.COST)', false, 'Invalid expression of metric \'M\': the Items schema has no column COST (columns: ITEM_ID, PRICE, GENRE).'],
    ['a column that is not numeric', 'SUM(Items.GENRE)', false,
      'Invalid expression of metric \'M\': Items.GENRE is a string column; SUM needs an int, long, float or double column.'],
  ])('fails synth for %s', (_name, expression, itemsOnly, message) => {
    const stack = newStack();
    let group: DatasetGroup;
    if (itemsOnly) {
      group = new DatasetGroup(stack, 'Group');
      group.addDataset('Items', {
        datasetType: DatasetType.ITEMS,
        schema: new Schema(stack, 'S', { definition: SchemaDefinition.fromFields([SchemaField.stringField('ITEM_ID'), SchemaField.floatField('PRICE')]) }),
      });
    } else {
      group = retail(stack);
    }
    new MetricAttribution(stack, 'Metrics', { datasetGroup: group, metrics: [{ metricName: 'M', eventType: 'e', expression: MetricExpression.fromText(expression) }] });

    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('is created after the group\'s datasets and its role', () => {
    const stack = newStack();
    const group = retail(stack);
    const metrics = attribution(stack, { datasetGroup: group });

    const template = Template.fromStack(stack).toJSON();
    const id = (construct: any) => stack.getLogicalId(construct.node.defaultChild as CfnResource);
    const dependsOn = template.Resources[id(metrics.node.findChild('Resource'))].DependsOn;
    expect(dependsOn).toEqual(expect.arrayContaining([
      id(group.node.findChild('Interactions').node.findChild('Resource')), id(group.node.findChild('Items').node.findChild('Resource')),
      id(metrics.role),
    ]));
  });

  test('imports by ARN and refuses another resource type', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:metric-attribution/m`;
    expect(MetricAttribution.fromMetricAttributionArn(stack, 'A', arn).metricAttributionArn).toBe(arn);
    expect(() => MetricAttribution.fromMetricAttributionArn(stack, 'B', `arn:aws:personalize:${REGION}:${ACCOUNT}:filter/m`))
      .toThrow(/^Invalid metricAttributionArn: '.*filter\/m' is a Personalize 'filter' ARN, not a metric attribution ARN/);
  });
});
