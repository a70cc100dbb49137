import * as path from 'path';
import { CfnResource, Duration, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  Dataset, DatasetImportJob, DatasetImportJobProps, ImportMode, ImportSource, ImportWait, MetricAttribution, MetricExpression,
} from '../src';
import { addInteractionsDataset, IMPORT_FIXTURES } from './support/import-fixtures';
import { personalizeKeyStatement } from './support/personalize-key-policy';
import { ACCOUNT, newStack, REGION } from './support/stack-fixtures';

const FIXTURES = IMPORT_FIXTURES;
const TYPE = 'Custom::PersonalizeDatasetImportJob';

function job(stack: Stack, props: Partial<DatasetImportJobProps> = {}, id = 'Import'): DatasetImportJob {
  return new DatasetImportJob(stack, id, {
    dataset: props.dataset ?? addInteractionsDataset(stack),
    source: props.source ?? ImportSource.fromAsset(path.join(FIXTURES, 'interactions.csv')),
    ...props,
  });
}

function properties(stack: Stack, index = 0): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources(TYPE))[index].Properties;
}

function bucketJob(props: Partial<DatasetImportJobProps> = {}, keyOrPrefix = 'data/interactions.csv'): Record<string, any> {
  const stack = newStack();
  const bucket = new s3.Bucket(stack, 'Data');
  job(stack, { source: ImportSource.fromBucket(bucket, keyOrPrefix), ...props });
  return properties(stack);
}

/** The group's metric attribution, publishing to S3: what publishAttributionMetricsToS3 needs. */
function metricsToS3(stack: Stack, dataset: Dataset, withOutput = true): MetricAttribution {
  return new MetricAttribution(stack, 'Metrics', {
    datasetGroup: dataset.datasetGroup,
    metrics: [{ metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() }],
    outputBucket: withOutput ? new s3.Bucket(stack, 'MetricsOutput') : undefined,
  });
}

describe('DatasetImportJob', () => {
  test('an asset import synthesizes a generated name, a copy into the construct\'s bucket and the default 12-hour long wait', () => {
    const stack = newStack();
    const imported = job(stack);

    const props = properties(stack);
    expect(props.Name).toMatch(/^TestStack_Import-[0-9a-f]{8}$/);
    expect(props.ImportMode).toBe('FULL');
    expect(props.PublishAttributionMetricsToS3).toBe('false');
    expect(props.Wait).toBe('active');
    expect(props.WaitSeconds).toBe('43200');
    expect(props.WaitStateMachineArn).toEqual({ Ref: expect.stringMatching(/^CdkPersonalizeProviderLongWaitStateMachine/) });
    expect(props.SignalUrl).toEqual({ Ref: expect.stringMatching(/^ImportHandle/) });
    expect(props.CopySourceBucket).toEqual(expect.anything());
    expect(props.CopySourceKey).toMatch(/\.csv$/);
    expect(props.DataLocation).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^ImportSourceBucket/) }, `/imports/${props.Name}.csv`]] });
    expect(props.RoleArn).toEqual(stack.resolve(imported.role.roleArn));
  });

  test('the construct\'s bucket is encrypted, refuses plain HTTP and public access, and lets Personalize read the copy', () => {
    const stack = newStack();
    job(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'personalize.amazonaws.com' },
            Action: ['s3:GetObject', 's3:ListBucket'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': ACCOUNT },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:personalize:${REGION}:${ACCOUNT}:*`]] } },
            },
          }),
        ]),
      },
    });
  });

  test('the job waits for the bucket policy, the role and the dataset', () => {
    const stack = newStack();
    job(stack);
    const resource = Object.values(Template.fromStack(stack).findResources(TYPE))[0];
    const dependsOn: string[] = resource.DependsOn;
    expect(dependsOn.some((id) => /ImportSourceBucketPolicy/.test(id))).toBe(true);
    expect(dependsOn.some((id) => /ImportServiceRole/.test(id))).toBe(true);
    expect(dependsOn.some((id) => /GroupInteractions/.test(id))).toBe(true);
  });

  test('the created role is trusted by Personalize for this account and region only and reads exactly the key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Data');
    job(stack, { source: ImportSource.fromBucket(bucket, 'data/interactions.csv') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Principal: { Service: 'personalize.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': Match.anyValue() },
          },
        }],
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ImportServiceRole') }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Data'), 'Arn'] } },
          {
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Data'), 'Arn'] }, '/data/interactions.csv']] },
          },
        ],
      },
    });
  });

  test('a prefix is read with every object under it', () => {
    const props = bucketJob({}, 'data/interactions/');
    expect(props.DataLocation).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^Data/) }, '/data/interactions/']] });
  });

  test('an owned source bucket gets the Personalize bucket policy statement on the key', () => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Data');
    job(stack, { source: ImportSource.fromBucket(bucket, 'data/interactions.csv') });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^Data') },
      PolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'personalize.amazonaws.com' },
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Data'), 'Arn'] },
            { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Data'), 'Arn'] }, '/data/interactions.csv']] },
          ],
        })],
      },
    });
  });

  test('an imported source bucket gets a warning naming the bucket policy Personalize needs', () => {
    const stack = newStack();
    job(stack, { source: ImportSource.fromBucket(s3.Bucket.fromBucketName(stack, 'Theirs', 'their-data'), 'data/interactions.csv') });
    Annotations.fromStack(stack).hasWarning('/TestStack/Import',
      Match.stringLikeRegexp("imported bucket 'arn:<partition>:s3:::their-data' of 'TestStack/Theirs' cannot be changed.*personalize.amazonaws.com s3:GetObject on 'data/interactions.csv'"));
  });

  test('a KMS-encrypted source bucket and dataset group key are granted to the created role', () => {
    const stack = newStack();
    const bucketKey = new kms.Key(stack, 'BucketKey');
    const groupKey = new kms.Key(stack, 'GroupKey');
    const bucket = new s3.Bucket(stack, 'Data', { encryptionKey: bucketKey });
    job(stack, { dataset: addInteractionsDataset(stack, { kmsKey: groupKey }), source: ImportSource.fromBucket(bucket, 'data/interactions.csv') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ImportServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GroupKey'), 'Arn'] },
          },
          {
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BucketKey'), 'Arn'] },
          },
        ]),
      },
    });
  });

  test.each([['the created role', false], ['a given role', true]])(
    'with %s, the source key\'s policy lets Personalize use the key, for this account and region only', (_, givenRole) => {
      const stack = newStack();
      const bucketKey = new kms.Key(stack, 'BucketKey');
      const role = givenRole ? new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') }) : undefined;
      job(stack, { source: ImportSource.fromBucket(new s3.Bucket(stack, 'Data', { encryptionKey: bucketKey }), 'data/'), role });
      Template.fromStack(stack).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([personalizeKeyStatement(ACCOUNT, REGION)]),
        },
      });
    });

  test('a source key the app imports gets a warning naming the key policy statement Personalize needs', () => {
    const stack = newStack();
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Theirs', { bucketName: 'their-data', encryptionKey: kms.Key.fromKeyArn(stack, 'TheirKey', keyArn) });
    job(stack, { source: ImportSource.fromBucket(bucket, 'data/interactions.csv') });
    Annotations.fromStack(stack).hasWarning('/TestStack/Import', Match.stringLikeRegexp(
      `^The policy of the imported key '${keyArn}' cannot be changed by this app. It must let personalize.amazonaws.com use the key for this `
      + 'account and region, or the import fails. Add this statement: \\{"Effect":"Allow","Principal":\\{"Service":"personalize.amazonaws.com"\\},'
      + '"Action":\\["kms:Decrypt","kms:GenerateDataKey","kms:DescribeKey","kms:ListGrants","kms:CreateGrant"\\],"Resource":"\\*",'
      + `"Condition":\\{"StringEquals":\\{"aws:SourceAccount":"${ACCOUNT}"\\}.*for the role 'TestStack/Import/ServiceRole'`));
  });

  test('a given role is used as it is: no policy is added to it', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
    job(stack, { role });
    expect(properties(stack).RoleArn).toEqual(stack.resolve(role.roleArn));
    Template.fromStack(stack).resourcePropertiesCountIs('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }] }, 0);
  });

  test('the handler may create jobs under its generated names, copy the asset and pass only this role to Personalize', () => {
    const stack = newStack();
    job(stack);
    const statements = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
      .flatMap((policy: any) => policy.Properties.PolicyDocument.Statement);
    const resolved = JSON.stringify(statements);
    expect(resolved).toContain('dataset-import-job/TestStack_*');
    expect(resolved).toContain('dataset/retail/INTERACTIONS');
    const pass = statements.find((s: any) => s.Action === 'iam:PassRole');
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'personalize.amazonaws.com' } });
    const put = statements.find((s: any) => s.Action === 's3:PutObject');
    expect(JSON.stringify(put.Resource)).toMatch(/\/imports\/TestStack_Import-[0-9a-f]{8}\.csv/);
    // The copies of earlier jobs too, which a replaced job leaves for the cleanup to remove.
    const remove = statements.find((s: any) => s.Action === 's3:DeleteObject');
    expect(JSON.stringify(remove.Resource)).toMatch(/\/imports\/\*"/);
  });

  test('start-only waiting synthesizes no bound', () => {
    const props = bucketJob({ wait: ImportWait.startOnly() });
    expect(props.Wait).toBe('started');
    expect(props.WaitSeconds).toBeUndefined();
  });

  test('a bound of a few minutes is passed in seconds', () => {
    expect(bucketJob({ wait: ImportWait.untilActive(Duration.minutes(3)) }).WaitSeconds).toBe('180');
  });

  test('a bound over 12 hours is refused, naming start-only', () => {
    expect(() => ImportWait.untilActive(Duration.minutes(721))).toThrow(
      /Invalid ImportWait.untilActive bound: 12 hours 1 minute. Expected whole seconds from 1 second to 12 hours .*ImportWait.startOnly\(\)/);
  });

  test('waiting for ACTIVE is a wait condition the long wait signals, and a result read after it; start-only has neither', () => {
    const stack = newStack();
    const imported = job(stack, { wait: ImportWait.untilActive(Duration.hours(3)) });
    const template = Template.fromStack(stack);
    const [[handleId]] = Object.entries(template.findResources('AWS::CloudFormation::WaitConditionHandle'));
    const [[conditionId, condition]] = Object.entries(template.findResources('AWS::CloudFormation::WaitCondition'));
    const resourceId = stack.getLogicalId(imported.node.defaultChild as CfnResource);

    expect(condition.Properties).toEqual({ Handle: { Ref: handleId }, Timeout: '10800', Count: 1 });
    expect(condition.DependsOn).toEqual([resourceId]);
    template.hasResourceProperties('Custom::PersonalizeLongWorkResult', {
      WorkResourceType: 'Custom::PersonalizeDatasetImportJob', WorkArn: { 'Fn::GetAtt': [resourceId, 'Arn'] }, WaitData: { 'Fn::GetAtt': [conditionId, 'Data'] },
    });

    const startOnly = newStack();
    job(startOnly, { wait: ImportWait.startOnly() });
    Template.fromStack(startOnly).resourceCountIs('AWS::CloudFormation::WaitCondition', 0);
    Template.fromStack(startOnly).resourceCountIs('Custom::PersonalizeLongWorkResult', 0);
  });

  test('a bound in fractions of a second is refused', () => {
    expect(() => ImportWait.untilActive(Duration.millis(1500))).toThrow(/Invalid ImportWait.untilActive bound: 1 second 500 millis. Expected whole seconds/);
  });

  test('the same source gives the same name in every synth', () => {
    expect(bucketJob().Name).toEqual(bucketJob().Name);
  });

  test.each([
    ['dataVersion', { dataVersion: '2026-11-29' }],
    ['importMode', { importMode: ImportMode.INCREMENTAL }],
    ['publishAttributionMetricsToS3', { publishAttributionMetricsToS3: true }],
  ])('a changed %s is a new job name', (_label, change) => {
    const stack = newStack();
    const bucket = new s3.Bucket(stack, 'Data');
    const dataset = addInteractionsDataset(stack);
    job(stack, { dataset, source: ImportSource.fromBucket(bucket, 'a.csv') }, 'Import');
    const before = properties(stack).Name;
    const other = newStack();
    const otherBucket = new s3.Bucket(other, 'Data');
    const otherDataset = addInteractionsDataset(other);
    if ((change as any).importMode) job(other, { dataset: otherDataset, source: ImportSource.fromBucket(otherBucket, 'b.csv') }, 'Full');
    if ((change as any).publishAttributionMetricsToS3) metricsToS3(other, otherDataset);
    job(other, { dataset: otherDataset, source: ImportSource.fromBucket(otherBucket, 'a.csv'), ...change }, 'Import');
    const after = Object.values(Template.fromStack(other).findResources(TYPE)).map((r: any) => r.Properties.Name)
      .find((name: string) => name.startsWith('TestStack_Import-'));
    expect(after).not.toEqual(before);
  });

  test('a changed key is a new job name', () => {
    expect(bucketJob({}, 'a.csv').Name).not.toEqual(bucketJob({}, 'b.csv').Name);
  });

  test('a changed asset file is a new job name', () => {
    const withFile = (file: string) => {
      const stack = newStack();
      const dataset = Dataset.fromDatasetArn(stack, 'Existing', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/INTERACTIONS`);
      job(stack, { dataset, source: ImportSource.fromAsset(path.join(FIXTURES, file)) });
      return properties(stack).Name;
    };
    expect(withFile('interactions.csv')).not.toEqual(withFile('items.csv'));
  });

  test('two jobs in one stack get different names', () => {
    const stack = newStack();
    const dataset = addInteractionsDataset(stack);
    const bucket = new s3.Bucket(stack, 'Data');
    job(stack, { dataset, source: ImportSource.fromBucket(bucket, 'a.csv') }, 'First');
    job(stack, { dataset, source: ImportSource.fromBucket(bucket, 'a.csv') }, 'Second');
    expect(properties(stack, 0).Name).not.toEqual(properties(stack, 1).Name);
  });

  test('tags reach the job', () => {
    const stack = newStack();
    job(stack);
    Tags.of(stack).add('team', 'recs');
    expect(properties(stack).Tags).toEqual([{ Key: 'team', Value: 'recs' }]);
  });

  test('a retained job keeps the construct\'s bucket too', () => {
    const stack = newStack();
    job(stack, { removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    Template.fromStack(stack).hasResource(TYPE, { DeletionPolicy: 'Retain' });
  });

  test('an incremental import runs after the app\'s full import of the same dataset', () => {
    const stack = newStack();
    const dataset = addInteractionsDataset(stack);
    const bucket = new s3.Bucket(stack, 'Data');
    job(stack, { dataset, source: ImportSource.fromBucket(bucket, 'full.csv') }, 'Full');
    job(stack, { dataset, source: ImportSource.fromBucket(bucket, 'more.csv'), importMode: ImportMode.INCREMENTAL }, 'More');
    const resources = Template.fromStack(stack).findResources(TYPE);
    const more = Object.entries(resources).find(([id]) => id.startsWith('More'))![1];
    expect(more.DependsOn.some((id: string) => id.startsWith('Full'))).toBe(true);
  });

  test('fromDatasetImportJobArn imports a job by ARN', () => {
    const stack = newStack();
    const arn = `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset-import-job/nightly`;
    expect(DatasetImportJob.fromDatasetImportJobArn(stack, 'Imported', arn).datasetImportJobArn).toBe(arn);
  });

  describe('validation', () => {
    test('fromDatasetImportJobArn refuses another Personalize ARN', () => {
      const stack = newStack();
      expect(() => DatasetImportJob.fromDatasetImportJobArn(stack, 'Imported', `arn:aws:personalize:${REGION}:${ACCOUNT}:filter/x`)).toThrow(
        "Invalid datasetImportJobArn: 'arn:aws:personalize:us-east-1:123456789012:filter/x' is a Personalize 'filter' ARN, not a dataset import job ARN (…:dataset-import-job/NAME).");
    });

    test('an empty key is refused', () => {
      const stack = newStack();
      expect(() => ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), '')).toThrow(/Invalid keyOrPrefix: ''. Give an object key/);
    });

    test('a key with a leading slash is refused', () => {
      const stack = newStack();
      expect(() => ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), '/data.csv')).toThrow(/Invalid keyOrPrefix: '\/data.csv'.*without a leading '\/'/);
    });

    test('a key over 1,024 bytes is refused', () => {
      const stack = newStack();
      expect(() => ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'k'.repeat(1025))).toThrow(/is 1025 bytes long; S3 keys are at most 1024 bytes/);
    });

    test('a data location over 256 characters is refused', () => {
      const stack = newStack();
      const source = ImportSource.fromBucket(s3.Bucket.fromBucketName(stack, 'Theirs', 'their-data'), `${'k'.repeat(250)}.csv`);
      expect(() => job(stack, { source })).toThrow(/Invalid keyOrPrefix: the data location 's3:\/\/their-data\/k+\.csv' is 270 characters; Personalize accepts at most 256/);
    });

    test('a missing asset file is refused', () => {
      expect(() => ImportSource.fromAsset(path.join(FIXTURES, 'nope.csv'))).toThrow(/Invalid ImportSource.fromAsset path: '.*nope.csv' is not a file/);
    });

    test('an empty dataVersion is refused', () => {
      expect(() => bucketJob({ dataVersion: '' })).toThrow("Invalid dataVersion: '' (0 characters). Expected 1-256 characters.");
    });

    test('INCREMENTAL into a dataset the app creates without a FULL import is refused', () => {
      expect(() => bucketJob({ importMode: ImportMode.INCREMENTAL })).toThrow(
        /Invalid importMode: INCREMENTAL adds to the bulk data of dataset 'TestStack\/Group\/Interactions'.*use ImportMode.FULL/);
    });

    test('INCREMENTAL into an imported dataset is left to the service', () => {
      const stack = newStack();
      job(stack, {
        dataset: Dataset.fromDatasetArn(stack, 'Existing', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/INTERACTIONS`),
        importMode: ImportMode.INCREMENTAL,
      });
      expect(properties(stack).ImportMode).toBe('INCREMENTAL');
    });

    const csv = (file: string) => () => {
      const stack = newStack();
      job(stack, { source: ImportSource.fromAsset(path.join(FIXTURES, file)) });
      Template.fromStack(stack);
    };

    test('a CSV header naming a field the schema lacks is refused with its line and column', () => {
      expect(csv('bad-header.csv')).toThrow(/bad-header.csv:1:17: the header names 'WHEN', which is not a field of schema record 'Interactions'/);
    });

    test('a CSV without a required field is refused', () => {
      expect(csv('missing-field.csv')).toThrow(/missing-field.csv:1:1: the header lacks the required \(non-null\) field\(s\) TIMESTAMP/);
    });

    test('a CSV value that is not of the field\'s type is refused with its line and column', () => {
      expect(csv('bad-long.csv')).toThrow(/bad-long.csv:2:7: TIMESTAMP "17000x" is not a long \(64-bit whole number\)/);
    });

    test('an empty value of a non-null field is refused', () => {
      expect(csv('empty-required.csv')).toThrow(/empty-required.csv:2:4: ITEM_ID is empty, and the field is not nullable/);
    });

    test('a CSV row with too few values is refused', () => {
      expect(csv('short-row.csv')).toThrow(/short-row.csv:2:1: the row has 4 value\(s\); the header has 5/);
    });

    test('an unclosed quote is refused', () => {
      expect(csv('unclosed.csv')).toThrow(/unclosed.csv:2:4: a quoted value is never closed/);
    });

    test('a CSV that matches the schema, with a quoted comma and an empty nullable value, passes', () => {
      expect(csv('interactions.csv')).not.toThrow();
    });

    test('an Interactions CSV with fewer than 1,000 records is refused, naming the dataset and the quota', () => {
      expect(csv('short-interactions.csv')).toThrow("Invalid ImportSource.fromAsset file for dataset 'TestStack/Group/Interactions' (schema record "
        + "'Interactions'): short-interactions.csv: the file holds 2 interaction record(s); a dataset import job needs at least 1,000");
    });

    test('with skipChecks, a refused CSV is imported and what the check found is a checkSkipped warning', () => {
      const stack = newStack();
      job(stack, { source: ImportSource.fromAsset(path.join(FIXTURES, 'short-interactions.csv'), { skipChecks: true }) });

      expect(() => Template.fromStack(stack)).not.toThrow();
      const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Import', Match.stringLikeRegexp('cdk-personalize:checkSkipped'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0].entry.data).toMatch(/^Check skipped \(skipChecks: true\).*short-interactions.csv: the file holds 2 interaction record\(s\)/);
    });
  });
});

describe('publishAttributionMetricsToS3', () => {
  test('needs a metric attribution of the group in the app when the app creates the group', () => {
    const stack = newStack();
    job(stack, { publishAttributionMetricsToS3: true });
    expect(() => Template.fromStack(stack)).toThrow("Invalid publishAttributionMetricsToS3: dataset group 'TestStack/Group' has no MetricAttribution in "
      + "this app, and Personalize publishes an import's metrics through the group's metric attribution. Add one with an outputBucket, "
      + 'or leave publishAttributionMetricsToS3 unset.');
  });

  test('needs that attribution to have an output bucket', () => {
    const stack = newStack();
    const dataset = addInteractionsDataset(stack);
    job(stack, { dataset, publishAttributionMetricsToS3: true });
    metricsToS3(stack, dataset, false);
    expect(() => Template.fromStack(stack)).toThrow("Invalid publishAttributionMetricsToS3: the metric attribution 'TestStack/Metrics' of dataset "
      + "group 'TestStack/Group' has no outputBucket, so there is nowhere in S3 to publish to.");
  });

  test('starts the job after the attribution, even one declared after the job', () => {
    const stack = newStack();
    const dataset = addInteractionsDataset(stack);
    job(stack, { dataset, publishAttributionMetricsToS3: true });
    const attribution = metricsToS3(stack, dataset);
    const template = Template.fromStack(stack);
    const jobId = Object.keys(template.findResources(TYPE))[0];
    expect(template.toJSON().Resources[jobId].DependsOn).toContain(stack.getLogicalId(attribution.node.defaultChild as any));
  });

  test('is left to the service for a dataset the app imports', () => {
    const stack = newStack();
    const dataset = Dataset.fromDatasetArn(stack, 'Existing', `arn:aws:personalize:${REGION}:${ACCOUNT}:dataset/retail/INTERACTIONS`);
    job(stack, { dataset, source: ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'a.csv'), publishAttributionMetricsToS3: true });
    expect(properties(stack).PublishAttributionMetricsToS3).toBe('true');
  });
});
