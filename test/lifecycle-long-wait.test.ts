/**
 * The long wait (ADR 0014) over hours of virtual time: training and imports that outlast
 * Lambda's recursive loop detection and a custom resource's hour, throttle storms while
 * waiting, a wait that breaks, and a wait condition signalled by someone else. The local
 * Step Functions runs the template's state machine; the local Lambda counts invocation
 * chains and stops the 16th invocation of one, as Lambda does.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AutoTraining, DatasetGroup, DatasetImportJob, DatasetType, ImportSource, ImportWait, Recipe, Schema, SchemaDefinition, Solution, SolutionVersion,
} from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { INTERACTIONS_FIELDS, nameIn, synthesize, SynthesizedStack } from './harness/stacks';
import { bucketNameOf } from './harness/template';
import { RECURSIVE_CHAIN_LIMIT } from './local-lambda/server';
import { MAX_HISTORY_EVENTS } from './local-stepfunctions/interpreter';
import { IMPORT_FIXTURES } from './support/import-fixtures';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const HOUR = 3_600_000;

/** Group 'retail' with Interactions, a solution and a training of up to 12 hours. Paths: Group, Solution, Training. */
const TRAINING = synthesize((stack) => {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
  const schema = new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS, { recordName: 'Interactions' }) });
  group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
  const solution = new Solution(stack, 'Solution', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION, autoTraining: AutoTraining.off() });
  new SolutionVersion(stack, 'Training', { solution });
});

/** An import from `data/interactions.csv` of an app-owned bucket, waited for up to 12 hours. Paths: Group, Import. */
const IMPORT = synthesize((stack) => {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
  const dataset = group.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS, { recordName: 'Interactions' }) }),
  });
  new DatasetImportJob(stack, 'Import', {
    dataset, source: ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'data/interactions.csv'), wait: ImportWait.untilActive(Duration.hours(12)),
  });
});

function typeOf(stack: SynthesizedStack, type: string): string {
  return Object.keys(stack.template.Resources).find((id) => stack.template.Resources[id].Type === type)!;
}

function stageImportData(env: Parameters<Parameters<typeof withEnvironment>[1]>[0]): void {
  const bucket = bucketNameOf(typeOf(IMPORT, 'AWS::S3::Bucket'));
  env.s3.putObject(bucket, 'data/interactions.csv', fs.readFileSync(path.join(IMPORT_FIXTURES, 'interactions.csv')));
}

test.concurrent('a 10-hour training completes in one deploy: a Step Functions loop looks, and no function invokes itself', () => withEnvironment({
  service: { trainAfterMs: 10 * HOUR },
}, async (env) => {
  await expectStatus(env.deploy(TRAINING.template), 'CREATE_COMPLETE');

  const [version] = env.service.resources('solutionVersion');
  expect(version.status).toBe('ACTIVE');
  const [execution] = env.stepFunctions.executions;
  expect(execution.outcome).toMatchObject({ status: 'SUCCEEDED' });
  // About 250 looks for 10 hours (10 s to 5 min apart): far inside a Standard execution's history quota.
  expect(execution.outcome!.events).toBeLessThan(MAX_HISTORY_EVENTS / 5);
  const looks = env.lambda.invocations.filter((i) => /LongWait/.test(i.functionArn));
  expect(looks.length).toBeGreaterThan(RECURSIVE_CHAIN_LIMIT);
  expect(looks.every((look) => look.chainLength === 1 && look.outcome === 'ok')).toBe(true);
  // The deploy hears of the end within the longest delay between looks.
  expect(env.clock.elapsed()).toBeLessThan(10 * HOUR + 6 * 60_000);
  await destroyAndVerify(env);
}));

test.concurrent('a 3-hour import completes in one deploy, held by its wait condition', () => withEnvironment({
  service: { importAfterMs: 3 * HOUR },
}, async (env) => {
  stageImportData(env);

  await expectStatus(env.deploy(IMPORT.template), 'CREATE_COMPLETE');

  expect(env.service.resources('datasetImportJob').map((job) => job.status)).toEqual(['ACTIVE']);
  expect(env.cloudformation.signals.received.map((r) => r.signal.Status)).toEqual(['SUCCESS']);
  expect(env.clock.elapsed()).toBeGreaterThan(3 * HOUR);
  await destroyAndVerify(env);
}));

test.concurrent('five minutes of throttled Describes during a training do not fail it', () => withEnvironment({
  service: { trainAfterMs: 2 * HOUR },
}, async (env) => {
  const storm = { from: 0, until: 0 };
  env.cloudformation.onWaitCondition = () => {
    storm.from = env.clock.now() + 30 * 60_000;
    storm.until = storm.from + 5 * 60_000;
  };
  env.service.inject('DescribeSolutionVersion', {
    kind: 'throttle', always: true, when: () => env.clock.now() >= storm.from && env.clock.now() < storm.until,
  });

  await expectStatus(env.deploy(TRAINING.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'DescribeSolutionVersion')).toContain('LimitExceededException');
  expect(env.cloudformation.signals.received.map((r) => r.signal.Status)).toEqual(['SUCCESS']);
  env.service.clearFaults();
  await destroyAndVerify(env);
}));

test.concurrent('Lambda throttling the long wait\'s function is retried by the state machine', () => withEnvironment({}, async (env) => {
  env.lambda.failNext(/LongWait/, 4);

  await expectStatus(env.deploy(TRAINING.template), 'CREATE_COMPLETE');

  expect(env.lambda.invocations.filter((i) => i.outcome === 'refused')).toHaveLength(4);
  await destroyAndVerify(env);
}));

test.concurrent('a wait whose looks keep failing signals FAILURE with the cause, not a timeout hours later', () => withEnvironment({
  service: { trainAfterMs: 2 * HOUR },
}, async (env) => {
  env.service.inject('DescribeSolutionVersion', {
    kind: 'error',
    name: 'AccessDeniedException',
    message: 'User is not authorized to perform: personalize:DescribeSolutionVersion',
    always: true,
    when: () => env.cloudformation.waitingConditions().length > 0,
  });

  const result = await env.deploy(TRAINING.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const arn = env.cloudformation.signals.received[0]?.signal.UniqueId;
  expect(result.firstFailure?.reason).toMatch(new RegExp(`^WaitCondition received failed message: 'The wait for solution version ${arn} failed: `
    + 'Error: DescribeSolutionVersion still failed after \\d+ attempts in \\d+ s: AccessDeniedException \\(HTTP 400\\): User is not authorized '
    + 'to perform: personalize:DescribeSolutionVersion\\. The denial outlasted IAM propagation'));
  expect(env.stepFunctions.executions[0].outcome).toMatchObject({ status: 'FAILED', error: 'LongWaitFailed' });
  // Minutes, not the wait condition's 12 hours.
  expect(env.clock.elapsed()).toBeLessThan(HOUR);
  env.service.clearFaults();
  await env.verify();
}));

test.concurrent('a training still running at its timeout is given up on with the reason, and stopped by the rollback', () => withEnvironment({
  service: { trainAfterMs: 20 * HOUR },
}, async (env) => {
  const result = await env.deploy(TRAINING.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^WaitCondition received failed message: 'Gave up waiting for solution version \S+ after 11\.9 h: it is still running, and the wait condition would time out next\. The work goes on in the service\. Raise trainingTimeout \(at most 12 hours\)/);
  expect(answersTo(env, 'StopSolutionVersionCreation')).toContain('ok');
  await env.verify();
}));

test.concurrent('a SUCCESS signal from someone else while the training runs fails the deploy at the result, saying so', () => withEnvironment({
  service: { trainAfterMs: 5 * HOUR },
}, async (env) => {
  const training = env.service.holdCreation(nameIn(TRAINING, 'Training'), 'solutionVersion');
  const deployed = env.deploy(TRAINING.template);
  await until(() => env.cloudformation.waitingConditions().length === 1);
  const [version] = env.service.resources('solutionVersion');
  // Whoever can read the handle's URL can signal it.
  const url = String(env.cloudformation.resolvedProperties(typeOf(TRAINING, 'AWS::CloudFormation::WaitCondition')).Handle);
  env.cloudformation.signals.receive('PUT', decodeURIComponent(new URL(url).pathname.slice(1)), new URL(url).searchParams, '',
    Buffer.from(JSON.stringify({ Status: 'SUCCESS', UniqueId: version.arn, Data: version.arn })));

  const result = await deployed;

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toContain(`The wait condition was signalled, but solution version ${version.arn} has not ended`);
  training.release();
  await env.verify();
}));
