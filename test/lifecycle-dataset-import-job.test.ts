/**
 * Lifecycle scenarios for dataset import jobs through CloudFormation, the Provider
 * framework and the bundled handler, against the local Personalize and a local S3:
 * an asset copied and imported (waiting for ACTIVE), start-only, failure with the
 * service's reason, throttling, a cancelled create, the wait bound, a re-run on a
 * changed source, and a stack delete while an import is still running.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DatasetGroup, DatasetImportJob, ImportSource, ImportWait,
} from '../src';
import { answersTo, destroyAndVerify, expectStatus, operationsIn, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { arnOf, nameIn, synthesize, SynthesizedStack } from './harness/stacks';
import { bucketNameOf } from './harness/template';
import { stageImportAsset } from './support/asset-staging';
import { addInteractionsDataset, IMPORT_FIXTURES } from './support/import-fixtures';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const CSV = path.join(IMPORT_FIXTURES, 'interactions.csv');

interface ImportSpec {
  /** Import from `data/interactions.csv` in an app-owned bucket instead of the asset. */
  readonly fromBucket?: boolean;
  readonly wait?: ImportWait;
  readonly dataVersion?: string;
  readonly failingSibling?: boolean;
}

/** Group 'retail', its Interactions dataset and an import into it. Paths: Group, Group/Interactions, Import. */
function importStack(spec: ImportSpec = {}): SynthesizedStack {
  return synthesize((stack) => {
    const dataset = addInteractionsDataset(stack);
    const source = spec.fromBucket
      ? ImportSource.fromBucket(new s3.Bucket(stack, 'Data'), 'data/interactions.csv')
      : ImportSource.fromAsset(CSV);
    new DatasetImportJob(stack, 'Import', { dataset, source, wait: spec.wait, dataVersion: spec.dataVersion });
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

/** The job's properties as synthesized. */
function jobProperties(stack: SynthesizedStack): Record<string, any> {
  return stack.template.Resources[stack.logicalIds.Import].Properties as Record<string, any>;
}

/** Where the job reads: the harness names a bucket by its logical ID. */
function dataLocation(stack: SynthesizedStack): { bucket: string; key: string } {
  const [, [, bucketRef, suffix]] = jobProperties(stack).DataLocation['Fn::Join'];
  return { bucket: bucketNameOf(bucketRef.Ref), key: suffix.slice(1) };
}

/** CloudFormation's reason for a wait condition that got a FAILURE signal from the long wait of the job `name`. */
function waitFailure(name: string, reason: string): string {
  const arn = arnOf(`dataset-import-job/${name}`);
  return `WaitCondition received failed message: '${reason}' for uniqueId: ${arn}`;
}

/** Puts the CSV where CDK would have uploaded the asset, and returns where the handler copies it to. */
function stageAsset(env: LifecycleEnvironment, stack: SynthesizedStack): { bucket: string; key: string } {
  stageImportAsset(env, stack, CSV);
  return dataLocation(stack);
}

/** Puts the CSV at the app-owned bucket's key. */
function stageData(env: LifecycleEnvironment, stack: SynthesizedStack): void {
  const { bucket, key } = dataLocation(stack);
  env.s3.putObject(bucket, key, fs.readFileSync(CSV));
}

const ASSET = importStack();
const JOB_ID = ASSET.logicalIds.Import;
const BUCKET = importStack({ fromBucket: true, wait: ImportWait.startOnly() });

test.concurrent('an asset is copied into the construct\'s bucket, imported, and waited for until ACTIVE', () => withEnvironment({}, async (env) => {
  const copy = stageAsset(env, ASSET);

  await expectStatus(env.deploy(ASSET.template), 'CREATE_COMPLETE');

  const name = nameIn(ASSET, 'Import');
  const [job] = env.service.resources('datasetImportJob');
  expect(job).toMatchObject({ name, status: 'ACTIVE', tags: { 'cdk-personalize:owner': env.ownerOf(JOB_ID) } });
  expect(env.s3.getObject(copy.bucket, copy.key)).toBe(fs.readFileSync(CSV, 'utf8'));
  expect(copy.key).toBe(`imports/${name}.csv`);
  expect(env.cloudformation.attributesOf(JOB_ID)).toEqual({ Arn: arnOf(`dataset-import-job/${name}`), Name: name });

  await destroyAndVerify(env);
  // The job stays until its dataset goes; the copy is removed with the stack resource.
  expect(env.s3.hasObject(copy.bucket, copy.key)).toBe(false);
}));

test.concurrent('start-only finishes the deploy while the job runs; the stack delete leaves the job and waits for the dataset', () => withEnvironment({}, async (env) => {
  stageData(env, BUCKET);
  const held = env.service.holdCreation(nameIn(BUCKET, 'Import'), 'datasetImportJob');

  await expectStatus(env.deploy(BUCKET.template), 'CREATE_COMPLETE');
  expect(env.service.resources('datasetImportJob').map((j) => j.status)).toEqual([expect.stringMatching(/^CREATE (PENDING|IN_PROGRESS)$/)]);

  const destroyed = env.destroy();
  // DeleteDataset is refused while the import runs; the delete waits instead of failing.
  await until(() => answersTo(env, 'DeleteDataset').includes('ResourceInUseException'));
  held.release();
  await expectStatus(destroyed, 'DELETE_COMPLETE');
  await env.verify();
  expect(answersTo(env, 'DeleteDataset').at(-1)).toBe('ok');
}));

test.concurrent('a job that ends CREATE FAILED fails the deploy with the service\'s reason', () => withEnvironment({}, async (env) => {
  stageAsset(env, ASSET);
  const name = nameIn(ASSET, 'Import');
  env.service.failCreation(name, 'The column EVENT_VALUE has 3 values that are not floats', 'datasetImportJob');

  const result = await env.deploy(ASSET.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  // The job failed after the custom resource handed it to the long wait: the wait condition carries the reason.
  expect(result.firstFailure?.reason).toBe(waitFailure(name, `Dataset import job ${arnOf(`dataset-import-job/${name}`)} ended CREATE FAILED: `
    + 'The column EVENT_VALUE has 3 values that are not floats'));
  await env.verify();
}));

test.concurrent('a job Personalize refuses leaves no copy, so the rollback deletes the construct\'s bucket', () => withEnvironment({}, async (env) => {
  const copy = stageAsset(env, ASSET);
  env.service.inject('CreateDatasetImportJob', { kind: 'error', name: 'InvalidInputException', message: 'The role cannot be assumed' });

  const result = await env.deploy(ASSET.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toContain('The role cannot be assumed');
  expect(env.s3.hasObject(copy.bucket, copy.key)).toBe(false);
  await env.verify();
}));

test.concurrent('an import whose source is missing fails with the service\'s reason', () => withEnvironment({}, async (env) => {
  const stack = importStack({ fromBucket: true });

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const { bucket, key } = dataLocation(stack);
  expect(result.firstFailure?.reason).toContain(`Input data not found at s3://${bucket}/${key}`);
  await env.verify();
}));

test.concurrent('throttled Personalize and S3 calls are retried until the job is ready', () => withEnvironment({}, async (env) => {
  stageAsset(env, ASSET);
  env.service.inject('CreateDatasetImportJob', { kind: 'throttle', times: 2 });
  env.service.inject('DescribeDatasetImportJob', { kind: 'throttle', times: 2 });
  env.s3.failNext(2);

  await expectStatus(env.deploy(ASSET.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateDatasetImportJob')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  expect(env.s3.calls.filter((c) => c.method === 'PUT' && c.bucket !== env.cloudformation.signals.bucket).map((c) => c.status)).toEqual([503, 503, 200]);
  await destroyAndVerify(env);
}));

test.concurrent('a job still running when a sibling fails: its wait is cancelled, and the rollback removes its copy once it ends', () => withEnvironment({}, async (env) => {
  const stack = importStack({ failingSibling: true });
  const copy = stageAsset(env, stack);
  const held = env.service.holdCreation(nameIn(stack, 'Import'), 'datasetImportJob');
  const doomed = env.service.holdCreation('doomed');
  env.service.failCreation('doomed', 'Quota of dataset groups reached');
  env.cloudformation.onWaitCondition = () => doomed.release();
  // The job's Delete waits while the job reads its copy; the job ends only then.
  void until(() => env.framework.deliveries.some((d) => d.request.RequestType === 'Delete' && d.request.LogicalResourceId === stack.logicalIds.Import))
    .then(() => held.release());

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  const wait = Object.keys(stack.template.Resources).find((id) => stack.template.Resources[id].Type === 'AWS::CloudFormation::WaitCondition');
  expect(result.operations.find((o) => o.logicalId === wait && o.phase === 'create')).toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled' });
  expect(result.operations.find((o) => o.logicalId === stack.logicalIds.Import && o.phase === 'rollback')).toMatchObject({ status: 'SUCCESS' });
  expect(env.s3.hasObject(copy.bucket, copy.key)).toBe(false);
  await env.verify();
}));

test.concurrent('a job still running past its bound fails the deploy, naming the bound and start-only', () => withEnvironment({}, async (env) => {
  const stack = importStack({ fromBucket: true, wait: ImportWait.untilActive(Duration.minutes(20)) });
  stageData(env, stack);
  const held = env.service.holdCreation(nameIn(stack, 'Import'), 'datasetImportJob');
  // The rollback deletes the dataset, which waits while the job runs: the job ends only then.
  void until(() => answersTo(env, 'DeleteDataset').includes('ResourceInUseException')).then(() => held.release());

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  // The long wait gives up a tenth of the bound (2 minutes) before the wait condition would time out, saying why.
  expect(result.firstFailure?.reason).toMatch(new RegExp('^WaitCondition received failed message: \'Gave up waiting for dataset import job \\S+ '
    + 'after 18 min: it is still running, and the wait condition would time out next\\. The work goes on in the service\\. Raise the bound of '
    + 'ImportWait\\.untilActive \\(at most 12 hours\\), or deploy with ImportWait\\.startOnly\\(\\)'));
  await env.verify();
}));

test.concurrent('a changed dataVersion runs a second job; the first one\'s delete leaves it in place', () => withEnvironment({}, async (env) => {
  const first = importStack({ fromBucket: true, dataVersion: 'v1' });
  const second = importStack({ fromBucket: true, dataVersion: 'v2' });
  stageData(env, first);
  await expectStatus(env.deploy(first.template), 'CREATE_COMPLETE');

  const result = await expectStatus(env.deploy(second.template), 'UPDATE_COMPLETE');

  const [oldName, newName] = [nameIn(first, 'Import'), nameIn(second, 'Import')];
  expect(newName).not.toBe(oldName);
  expect(env.service.resources('datasetImportJob').map((j) => [j.name, j.status])).toEqual([[oldName, 'ACTIVE'], [newName, 'ACTIVE']]);
  expect(operationsIn(result, 'update').filter(([, id]) => id === JOB_ID)).toEqual([['Update', JOB_ID, 'SUCCESS', arnOf(`dataset-import-job/${newName}`)]]);
  expect(operationsIn(result, 'cleanup').filter(([, id]) => id === JOB_ID)).toEqual([['Delete', JOB_ID, 'SUCCESS', arnOf(`dataset-import-job/${oldName}`)]]);
  await destroyAndVerify(env);
}));
