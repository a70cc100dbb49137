import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  AutoTraining, BatchInferenceJob, BatchInferenceJobProps, BatchInferenceMode, BatchJobWait, BatchSegmentJob, BatchSegmentJobProps, DatasetGroup,
  DatasetImportJob, DatasetType, Filter, FilterExpression, ImportMode, ImportSource, Recipe, Schema, SchemaDefinition, SchemaField, Solution,
  SolutionVersion,
} from '../src';
import { grantedOn } from './support/handler-grants';
import { fakeVersion, RECIPES } from './support/solution-fakes';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const VERSION_ARN = `arn:aws:personalize:${REGION}:${ACCOUNT}:solution/shop/abcd1234`;
const SEGMENT_RECIPE = 'arn:aws:personalize:::recipe/aws-item-affinity';
const SIMILAR_ITEMS = 'arn:aws:personalize:::recipe/aws-similar-items';

function newStack(region = REGION): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region } });
}

function buckets(stack: Stack) {
  return { input: new s3.Bucket(stack, 'In'), output: new s3.Bucket(stack, 'Out') };
}

/** What both batch kinds take: a version of `recipeArn`, and an input and output in buckets of the stack. */
function locations(stack: Stack, recipeArn: string, inputKey: string, outputPrefix: string) {
  const { input, output } = buckets(stack);
  return { solutionVersion: fakeVersion(stack, { recipeArn }), inputBucket: input, inputKey, outputBucket: output, outputPrefix };
}

function inference(stack: Stack, props: Partial<BatchInferenceJobProps> = {}, recipeArn = RECIPES.USER_PERSONALIZATION): BatchInferenceJob {
  return new BatchInferenceJob(stack, 'Nightly', { ...locations(stack, recipeArn, 'users.jsonl', 'recommendations/'), ...props });
}

function segment(stack: Stack, props: Partial<BatchSegmentJobProps> = {}, recipeArn = SEGMENT_RECIPE): BatchSegmentJob {
  return new BatchSegmentJob(stack, 'Segments', { ...locations(stack, recipeArn, 'items/', 'segments/'), ...props });
}

function importDataset(stack: Stack) {
  return new DatasetGroup(stack, 'Group').addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'Schema', {
      definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP'),
        SchemaField.stringField('EVENT_TYPE')]),
    }),
  });
}

function properties(stack: Stack, type: string): Record<string, any> {
  return Object.values(Template.fromStack(stack).findResources(type))[0].Properties;
}

describe('BatchInferenceJob', () => {
  test('runs the version on the input file into the output folder under a generated name, and waits for it', () => {
    const stack = newStack();
    inference(stack);
    const props = properties(stack, 'Custom::PersonalizeBatchInferenceJob');
    expect(props.Name).toMatch(/^TestStack_Nightly-[0-9a-f]{8}$/);
    expect(props).toMatchObject({ SolutionVersionArn: VERSION_ARN, Wait: 'active', WaitSeconds: '43200' });
    expect(stack.resolve(props.InputPath)).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^In/) }, '/users.jsonl']] });
    expect(stack.resolve(props.OutputPath)).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^Out/) }, '/recommendations/']] });
    for (const unset of ['FilterArn', 'NumResults', 'Mode', 'ThemeItemNameField', 'JobConfig', 'InputKmsKeyArn', 'OutputKmsKeyArn']) {
      expect(props[unset]).toBeUndefined();
    }
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::CloudFormation::WaitCondition', 1);
    template.resourceCountIs('Custom::PersonalizeLongWorkResult', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 0);
  });

  test('puts numResults, item exploration and ranking influence in the request config', () => {
    const stack = newStack();
    inference(stack, { numResults: 50, itemExploration: { weight: 0.3, itemAgeCutOff: Duration.days(7) }, rankingInfluence: { freshness: 0.5 } },
      'arn:aws:personalize:::recipe/aws-user-personalization');
    const props = properties(stack, 'Custom::PersonalizeBatchInferenceJob');
    expect(props.NumResults).toBe('50');
    expect(JSON.parse(props.JobConfig)).toEqual({
      itemExplorationConfig: { explorationWeight: '0.3', explorationItemAgeCutOff: '7' }, rankingInfluence: { FRESHNESS: 0.5 },
    });
  });

  test('a change of input, output, version or dataVersion is a new job name; the same inputs keep the name', () => {
    const names = (props: Partial<BatchInferenceJobProps>) => {
      const stack = newStack();
      inference(stack, props);
      return properties(stack, 'Custom::PersonalizeBatchInferenceJob').Name;
    };
    const base = names({});
    expect(names({})).toBe(base);
    expect(names({ inputKey: 'other.jsonl' })).not.toBe(base);
    expect(names({ outputPrefix: 'elsewhere/' })).not.toBe(base);
    expect(names({ dataVersion: '2026-12-07' })).not.toBe(base);
    expect(names({ numResults: 10 })).not.toBe(base);
  });

  test('creates a role trusted by Personalize that reads the input and writes under the output prefix, and bucket policies for Personalize', () => {
    const stack = newStack();
    inference(stack);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'personalize.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: Match.anyValue() },
        })],
      },
    });
    const policy = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p: any) => JSON.stringify(p).includes('s3:PutObject')));
    expect(policy).toContain('recommendations/*');
    expect(policy).toContain('users.jsonl');
    const bucketPolicies = JSON.stringify(template.findResources('AWS::S3::BucketPolicy'));
    expect(bucketPolicies).toContain('"Service":"personalize.amazonaws.com"');
    expect(bucketPolicies).toContain('s3:PutObject');
  });

  test('the handler may create the job on its name and on the solution\'s versions, passing the role to Personalize only', () => {
    const stack = newStack();
    inference(stack);
    const template = Template.fromStack(stack);
    const created = JSON.stringify(grantedOn(template, 'personalize:CreateBatchInferenceJob'));
    expect(created).toContain('batch-inference-job/TestStack_*');
    expect(created).toContain(`${VERSION_ARN.replace(/\/[^/]+$/, '')}/*`);
    expect(JSON.stringify(grantedOn(template, 'iam:PassRole'))).toContain('ServiceRole');
  });

  test('passes the KMS keys of SSE-KMS buckets and lets Personalize use them', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const input = new s3.Bucket(stack, 'In', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
    const output = new s3.Bucket(stack, 'Out', { encryption: s3.BucketEncryption.KMS, encryptionKey: key });
    new BatchInferenceJob(stack, 'Nightly', {
      solutionVersion: fakeVersion(stack), inputBucket: input, inputKey: 'users.jsonl', outputBucket: output, outputPrefix: 'out/',
    });
    const props = properties(stack, 'Custom::PersonalizeBatchInferenceJob');
    expect(stack.resolve(props.InputKmsKeyArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
    const keyPolicy = JSON.stringify(Template.fromStack(stack).findResources('AWS::KMS::Key'));
    expect(keyPolicy).toContain('personalize.amazonaws.com');
  });

  test.each([
    ['aws-trending-now', /does not give batch recommendations/],
    ['aws-item-affinity', /Use a BatchSegmentJob/],
    ['aws-next-best-action', /does not give batch recommendations/],
  ])('refuses a solution of recipe %s', (recipe, message) => {
    expect(() => inference(newStack(), {}, `arn:aws:personalize:::recipe/${recipe}`)).toThrow(message);
  });

  test.each(['aws-user-personalization-v2', 'aws-popularity-count', 'aws-personalized-ranking-v2', 'aws-sims', 'aws-similar-items'])(
    'accepts a solution of recipe %s', (recipe) => {
      expect(() => inference(newStack(), {}, `arn:aws:personalize:::recipe/${recipe}`)).not.toThrow();
    });

  test('skipChecks turns a recipe refusal into a warning', () => {
    const stack = newStack();
    inference(stack, { skipChecks: true }, 'arn:aws:personalize:::recipe/aws-trending-now');
    Annotations.fromStack(stack).hasWarning('/TestStack/Nightly', Match.stringLikeRegexp('does not give batch recommendations'));
  });

  test('theme generation needs Similar-Items, an item name field and one of its Regions', () => {
    const stack = newStack();
    inference(stack, { mode: BatchInferenceMode.THEME_GENERATION, themeItemNameField: 'TITLE' }, SIMILAR_ITEMS);
    expect(properties(stack, 'Custom::PersonalizeBatchInferenceJob')).toMatchObject({ Mode: 'THEME_GENERATION', ThemeItemNameField: 'TITLE' });
    expect(() => inference(newStack(), { mode: BatchInferenceMode.THEME_GENERATION, themeItemNameField: 'TITLE' })).toThrow(/Similar-Items recipe only/);
    expect(() => inference(newStack(), { mode: BatchInferenceMode.THEME_GENERATION }, SIMILAR_ITEMS)).toThrow(/needs the Items field/);
    expect(() => inference(newStack('eu-west-1'), { mode: BatchInferenceMode.THEME_GENERATION, themeItemNameField: 'TITLE' }, SIMILAR_ITEMS))
      .toThrow(/us-east-1, us-west-2, ap-northeast-1 only/);
    expect(() => inference(newStack(), { themeItemNameField: 'TITLE' })).toThrow(/THEME_GENERATION only/);
  });

  test('item exploration needs a User-Personalization recipe', () => {
    expect(() => inference(newStack(), { itemExploration: { weight: 0.2 } }, RECIPES.SIMS)).toThrow(/User-Personalization recipes only/);
  });

  test.each([0, 501, 2.5])('refuses numResults %p', (numResults) => {
    expect(() => inference(newStack(), { numResults })).toThrow(/Expected a whole number from 1 to 500/);
  });

  test.each([
    [{ inputKey: '/users.jsonl' }, /start without '\//],
    [{ inputKey: '' }, /it is empty/],
    [{ outputPrefix: 'recommendations' }, /ending in '\/'/],
    [{ outputPrefix: 'x/'.repeat(130) }, /Personalize accepts at most 256/],
  ])('refuses the location %p', (props, message) => {
    expect(() => inference(newStack(), props)).toThrow(message);
  });

  test('refuses a filter of another dataset group', () => {
    const stack = newStack();
    const groupA = new DatasetGroup(stack, 'A');
    const groupB = new DatasetGroup(stack, 'B');
    const filter = new Filter(stack, 'Filter', { datasetGroup: groupB, expression: FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")') });
    const version = fakeVersion(stack);
    (version.solution as any).datasetGroup = groupA;
    const { input, output } = buckets(stack);
    new BatchInferenceJob(stack, 'Nightly', { solutionVersion: version, inputBucket: input, inputKey: 'u.jsonl', outputBucket: output, outputPrefix: 'o/', filter });
    expect(() => Template.fromStack(stack)).toThrow(/belongs to dataset group 'TestStack\/B'.*Personalize applies a filter/s);
  });

  test('on a solution\'s latest version, the job names the solution and starts after the app\'s trainings of it', () => {
    const stack = newStack();
    const group = importDataset(stack).datasetGroup;
    const solution = new Solution(stack, 'Recs', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
    new SolutionVersion(stack, 'Trained', { solution });
    const { input, output } = buckets(stack);
    const job = new BatchInferenceJob(stack, 'Nightly', { solution, inputBucket: input, inputKey: 'u.jsonl', outputBucket: output, outputPrefix: 'o/' });
    const template = Template.fromStack(stack);
    const [logicalId, resource] = Object.entries(template.findResources('Custom::PersonalizeBatchInferenceJob'))[0] as [string, any];
    expect(resource.Properties.SolutionVersionArn).toBeUndefined();
    expect(stack.resolve(resource.Properties.SolutionArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Recs/), 'Arn'] });
    // It waits for the training's wait condition: the latest version is the one just trained.
    const resources = template.toJSON().Resources;
    expect((resource.DependsOn as string[]).filter((id) => id.startsWith('Trained')).map((id) => resources[id].Type))
      .toEqual(expect.arrayContaining(['AWS::CloudFormation::WaitCondition', 'Custom::PersonalizeSolutionVersion']));
    expect(stack.resolve(job.solutionVersionArn)).toEqual({ 'Fn::GetAtt': [logicalId, 'SolutionVersionArn'] });
    // The handler may run any version of the solution, and list them.
    expect(JSON.stringify(grantedOn(template, 'personalize:CreateBatchInferenceJob'))).toContain('solution/TestStack_*');
  });

  test('a replaced filter or solution of the app (a new name behind the same token) is a new job name', () => {
    const name = (expression: string, recipe: Recipe) => {
      const stack = newStack();
      const group = importDataset(stack).datasetGroup;
      const solution = new Solution(stack, 'Recs', { datasetGroup: group, recipe, autoTraining: AutoTraining.off() });
      const filter = new Filter(stack, 'Filter', { datasetGroup: group, expression: FilterExpression.fromText(expression) });
      const { input, output } = buckets(stack);
      new BatchInferenceJob(stack, 'Nightly', { solution, filter, inputBucket: input, inputKey: 'u.jsonl', outputBucket: output, outputPrefix: 'o/' });
      return properties(stack, 'Custom::PersonalizeBatchInferenceJob').Name;
    };
    const clicked = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")';
    const base = name(clicked, Recipe.USER_PERSONALIZATION_V2);
    expect(name(clicked, Recipe.USER_PERSONALIZATION_V2)).toBe(base);
    expect(name('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("purchase")', Recipe.USER_PERSONALIZATION_V2)).not.toBe(base);
    expect(name(clicked, Recipe.USER_PERSONALIZATION)).not.toBe(base);
  });

  test('takes a solution version or a solution, exactly one', () => {
    const stack = newStack();
    const { input, output } = buckets(stack);
    const where = { inputBucket: input, inputKey: 'u.jsonl', outputBucket: output, outputPrefix: 'o/' };
    expect(() => new BatchInferenceJob(stack, 'Neither', where)).toThrow(/give solutionVersion .* or solution .*not both and not neither/);
    const version = fakeVersion(stack);
    expect(() => new BatchInferenceJob(stack, 'Both', { ...where, solutionVersion: version, solution: version.solution }))
      .toThrow(/not both and not neither/);
  });

  test('startOnly finishes the deploy without a wait condition; untilActive refuses bounds over 12 hours', () => {
    const stack = newStack();
    inference(stack, { wait: BatchJobWait.startOnly() });
    expect(properties(stack, 'Custom::PersonalizeBatchInferenceJob').Wait).toBe('started');
    Template.fromStack(stack).resourceCountIs('AWS::CloudFormation::WaitCondition', 0);
    expect(() => BatchJobWait.untilActive(Duration.hours(13))).toThrow(/BatchJobWait.untilActive bound/);
  });
});

describe('BatchSegmentJob', () => {
  test('runs a user-segmentation version on the input prefix, without a solution scope on its create', () => {
    const stack = newStack();
    segment(stack, { numResults: 1_000_000 });
    const props = properties(stack, 'Custom::PersonalizeBatchSegmentJob');
    expect(props.NumResults).toBe('1000000');
    expect(props.Name).toMatch(/^TestStack_Segments-[0-9a-f]{8}$/);
    const created = JSON.stringify(grantedOn(Template.fromStack(stack), 'personalize:CreateBatchSegmentJob'));
    expect(created).toContain('batch-segment-job/TestStack_*');
    expect(created).not.toContain(VERSION_ARN);
  });

  test.each([RECIPES.USER_PERSONALIZATION, RECIPES.SIMS])('refuses a solution of recipe %s', (recipe) => {
    expect(() => segment(newStack(), {}, recipe)).toThrow(/does not make user segments/);
  });

  test('refuses more than 5 million results', () => {
    expect(() => segment(newStack(), { numResults: 5_000_001 })).toThrow(/from 1 to 5000000/);
  });
});

describe('recurring runs', () => {
  const nightly = { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) };

  test('a schedule of its own group calls CreateBatchInferenceJob with a name and output folder unique to each run', () => {
    const stack = newStack();
    inference(stack, { recurringRuns: nightly });
    const template = Template.fromStack(stack);
    const schedule = Object.values(template.findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(schedule.Properties.ScheduleExpression).toBe('cron(0 2 * * ? *)');
    expect(schedule.Properties.Target.Arn).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:personalize:createBatchInferenceJob']] });
    expect(schedule.Properties.Target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
    const input = JSON.stringify(stack.resolve(schedule.Properties.Target.Input));
    expect(input).toMatch(/jobName\\":\\"TestStack_Nightly-[0-9a-f]{8}-<aws.scheduler.execution-id>/);
    expect(input).toContain('/recommendations/<aws.scheduler.scheduled-time>/');
    expect(schedule.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^Nightly/)]));
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
  });

  test('the runs\' role is trusted by Scheduler for the schedule group only, and may create only runs of this job', () => {
    const stack = newStack();
    inference(stack, { recurringRuns: nightly });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^NightlyRunsGroup'), 'Arn'] } } },
        })],
      },
    });
    const policy = JSON.stringify(Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p: any) => JSON.stringify(p.Properties.Roles).includes('NightlyRunsRole')));
    expect(policy).toMatch(/batch-inference-job\/TestStack_Nightly-[0-9a-f]{8}-\*/);
    // The version the deploy's job ran, as the job reports it.
    expect(policy).toContain('{"Fn::GetAtt":["NightlyC44EE0A7","SolutionVersionArn"]}');
    expect(policy).toContain('iam:PassRole');
    expect(policy).toContain('"iam:PassedToService":"personalize.amazonaws.com"');
    expect(policy).toContain('sqs:SendMessage');
    expect(policy).not.toContain('"Resource":"*"');
  });

  test('takes a dead-letter queue, retries and a disabled state', () => {
    const stack = newStack();
    inference(stack, { recurringRuns: { ...nightly, retryAttempts: 2, maxEventAge: Duration.minutes(30), enabled: false } });
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      State: 'DISABLED', Target: Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 1800 } }),
    });
    expect(() => inference(newStack(), { recurringRuns: { ...nightly, retryAttempts: 186 } })).toThrow(/from 0 to 185/);
    expect(() => inference(newStack(), { recurringRuns: { ...nightly, maxEventAge: Duration.seconds(30) } })).toThrow(/1 minute to 1 day/);
  });

  test('refuses an output prefix too long for a run\'s scheduled-time folder', () => {
    expect(() => inference(newStack(), { outputPrefix: `${'x'.repeat(230)}/`, recurringRuns: nightly })).toThrow(/characters a recurring run adds/);
    expect(() => inference(newStack(), { outputPrefix: `${'x'.repeat(230)}/` })).not.toThrow();
  });

  test('batch segment runs call CreateBatchSegmentJob', () => {
    const stack = newStack();
    segment(stack, { recurringRuns: nightly });
    Template.fromStack(stack).hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:::aws-sdk:personalize:createBatchSegmentJob']] } }),
    });
  });

  test('an import from a bucket runs on a schedule, calling CreateDatasetImportJob with the same source, mode and role', () => {
    const stack = newStack();
    const dataset = importDataset(stack);
    new DatasetImportJob(stack, 'Daily', {
      dataset, source: ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'daily/'), importMode: ImportMode.INCREMENTAL, recurringRuns: nightly,
    });
    new DatasetImportJob(stack, 'Full', { dataset, source: ImportSource.fromBucket(new s3.Bucket(stack, 'Base'), 'base.csv') });
    const schedule = Object.values(Template.fromStack(stack).findResources('AWS::Scheduler::Schedule'))[0] as any;
    expect(schedule.Properties.Target.Arn['Fn::Join'][1][2]).toBe(':scheduler:::aws-sdk:personalize:createDatasetImportJob');
    const input = JSON.stringify(stack.resolve(schedule.Properties.Target.Input));
    expect(input).toMatch(/jobName\\":\\"TestStack_Daily-[0-9a-f]{8}-<aws.scheduler.execution-id>/);
    expect(input).toContain('importMode\\":\\"INCREMENTAL');
    expect(input).toContain('/daily/');
  });

  test('an import of a CSV asset refuses recurring runs: the asset is copied once', () => {
    const stack = newStack();
    expect(() => new DatasetImportJob(stack, 'Daily', {
      dataset: importDataset(stack), source: ImportSource.fromAsset(path.join(__dirname, 'fixtures', 'import', 'events.csv')), recurringRuns: nightly,
    })).toThrow(/the source is a CSV asset, which is copied once/);
  });

  test('synthesizes the same template twice', () => {
    const render = () => {
      const stack = newStack();
      inference(stack, { recurringRuns: nightly });
      return JSON.stringify(Template.fromStack(stack).toJSON());
    };
    expect(render()).toBe(render());
  });
});
