/**
 * Lifecycle scenarios for batch inference and batch segment jobs, and for recurring runs,
 * through CloudFormation, the Provider framework, the bundled handler and the long wait,
 * against the local Personalize and a local S3: a job waited for until its output is written,
 * a re-run on a changed input, a job that fails with the service's reason, a role that cannot
 * write the output, a cancelled create, a stack delete while a job runs, and a schedule's
 * target fired as EventBridge Scheduler fires it (ADR 0018).
 *
 * Training is not these kinds': each scenario first deploys the dataset group and its
 * Interactions dataset, trains a solution in the local service itself, and deploys the job
 * on that version through test-only ISolution / ISolutionVersion fakes. The group empties
 * itself on delete (emptyOnDelete), which removes that solution and its jobs.
 */
import { CreateSolutionCommand, CreateSolutionVersionCommand } from '@aws-sdk/client-personalize';
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import {
  BatchInferenceJob, BatchJobWait, BatchSegmentJob, DatasetGroup, DatasetImportJob, ImportMode, ImportSource, ImportWait,
} from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { invokeScheduleTarget } from './harness/scheduler';
import { arnOf, nameIn, synthesize, SynthesizedStack } from './harness/stacks';
import { bucketNameOf } from './harness/template';
import { addInteractionsDataset } from './support/import-fixtures';
import { FakeSolution, FakeSolutionVersion, RECIPES } from './support/solution-fakes';
import { PERSONALIZE_NAME } from '../src/private/declaration';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const GROUP_ARN = arnOf('dataset-group/retail');
const SEGMENT_RECIPE = 'arn:aws:personalize:::recipe/aws-item-affinity';
const USERS = '{"userId": "u1"}\n{"userId": "u2"}\n';

interface BatchSpec {
  readonly versionArn?: string;
  readonly solutionArn?: string;
  readonly inputKey?: string;
  readonly wait?: BatchJobWait;
  readonly recurring?: boolean;
  readonly segment?: boolean;
  /** A role of the app's own, which may read the input but not write the output. */
  readonly readOnlyRole?: boolean;
  readonly failingSibling?: boolean;
  /** An incremental import from the Data bucket with recurring runs, instead of a batch job. */
  readonly recurringImport?: boolean;
  /** Run the solution's latest ACTIVE version, found when the job starts, instead of `versionArn`. */
  readonly latest?: boolean;
}

/**
 * Group 'retail' (emptyOnDelete) with its Interactions dataset and bucket 'Data'; with a version, a batch inference job
 * (or segment job) on it reading `inputKey` and writing under `out/`. Paths: Group, Group/Interactions, Nightly (or Segments).
 */
function batchStack(spec: BatchSpec = {}): SynthesizedStack {
  return synthesize((stack) => {
    const interactions = addInteractionsDataset(stack, { emptyOnDelete: true });
    const data = new s3.Bucket(stack, 'Data');
    if (spec.recurringImport) {
      new DatasetImportJob(stack, 'Import', { dataset: interactions, source: ImportSource.fromBucket(data, 'daily/'), wait: ImportWait.startOnly() });
      new DatasetImportJob(stack, 'Daily', {
        dataset: interactions,
        source: ImportSource.fromBucket(data, 'daily/'),
        importMode: ImportMode.INCREMENTAL,
        wait: ImportWait.startOnly(),
        recurringRuns: { schedule: scheduler.ScheduleExpression.cron({ hour: '1', minute: '0' }) },
      });
    }
    if (!spec.versionArn) return;
    const solution = new FakeSolution(stack, 'Solution', spec.solutionArn!, spec.segment ? SEGMENT_RECIPE : RECIPES.USER_PERSONALIZATION);
    const common = {
      ...(spec.latest ? { solution } : { solutionVersion: new FakeSolutionVersion(stack, 'Version', spec.versionArn, solution) }),
      inputBucket: data,
      inputKey: spec.inputKey ?? 'users.jsonl',
      outputBucket: data,
      outputPrefix: 'out/',
      wait: spec.wait,
      recurringRuns: spec.recurring ? { schedule: scheduler.ScheduleExpression.cron({ hour: '2', minute: '0' }) } : undefined,
      role: spec.readOnlyRole ? readOnlyRole(stack, data) : undefined,
    };
    const job = spec.segment ? new BatchSegmentJob(stack, 'Segments', common) : new BatchInferenceJob(stack, 'Nightly', common);
    // A real solution depends on its group's datasets; the fake stands in for that order (on the job's custom resource only:
    // its role is in the handler's grants, which the dataset waits for).
    job.node.findChild('Resource').node.addDependency(interactions);
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

function readOnlyRole(stack: Stack, data: s3.IBucket): iam.Role {
  const role = new iam.Role(stack, 'ReadOnly', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
  data.grantRead(role);
  return role;
}

/** Deploys the group, then trains a solution in it outside CloudFormation: its ARN and an ACTIVE version's. */
async function trainedVersion(env: LifecycleEnvironment, recipeArn = RECIPES.USER_PERSONALIZATION) {
  await expectStatus(env.deploy(batchStack().template), 'CREATE_COMPLETE');
  const client = env.client();
  const { solutionArn } = await client.send(new CreateSolutionCommand({ name: 'shop', datasetGroupArn: GROUP_ARN, recipeArn }));
  const active = () => env.service.resources().every((r) => r.status === undefined || r.status === 'ACTIVE');
  await until(active);
  const { solutionVersionArn } = await client.send(new CreateSolutionVersionCommand({ solutionArn }));
  await until(active);
  return { solutionArn: solutionArn!, versionArn: solutionVersionArn! };
}

/** The Data bucket's name, as the harness names buckets. */
function dataBucket(stack: SynthesizedStack): string {
  const logicalId = Object.entries(stack.template.Resources).find(([id, r]) => r.Type === 'AWS::S3::Bucket' && id.startsWith('Data'))![0];
  return bucketNameOf(logicalId);
}

function scheduleOf(stack: SynthesizedStack): string {
  return Object.entries(stack.template.Resources).find(([, r]) => r.Type === 'AWS::Scheduler::Schedule')![0];
}

test.concurrent('a batch inference job runs on deploy, the deploy waits until it is ACTIVE, and its output lands in the bucket', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const stack = batchStack(trained);
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);

  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');

  const name = nameIn(stack, 'Nightly');
  expect(env.service.resources('batchInferenceJob')).toMatchObject([{ name, status: 'ACTIVE', tags: { 'cdk-personalize:owner': env.ownerOf(stack.logicalIds.Nightly) } }]);
  expect(env.service.calls.find((c) => c.operation === 'CreateBatchInferenceJob')!.input).toMatchObject({
    jobName: name,
    solutionVersionArn: trained.versionArn,
    jobInput: { s3DataSource: { path: `s3://${dataBucket(stack)}/users.jsonl` } },
    jobOutput: { s3DataDestination: { path: `s3://${dataBucket(stack)}/out/` } },
  });
  expect(env.s3.hasObject(dataBucket(stack), 'out/users.jsonl.out')).toBe(true);
  expect(env.cloudformation.attributesOf(stack.logicalIds.Nightly))
    .toEqual({ Arn: arnOf(`batch-inference-job/${name}`), Name: name, SolutionVersionArn: trained.versionArn });
  // The deploy waited through the long wait: its wait condition got the job's success.
  expect(env.stepFunctions.executions.length).toBeGreaterThan(0);

  await destroyAndVerify(env);
}));

test.concurrent('on a solution\'s latest version, the job runs the newest ACTIVE one, and recurring runs use the version it ran', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const client = env.client();
  const { solutionVersionArn: newer } = await client.send(new CreateSolutionVersionCommand({ solutionArn: trained.solutionArn }));
  await until(() => env.service.resources().every((r) => r.status === undefined || r.status === 'ACTIVE'));
  const stack = batchStack({ ...trained, latest: true, recurring: true });
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);

  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');

  expect(env.service.calls.find((c) => c.operation === 'CreateBatchInferenceJob')!.input).toMatchObject({ solutionVersionArn: newer });
  expect(env.cloudformation.attributesOf(stack.logicalIds.Nightly)).toMatchObject({ SolutionVersionArn: newer });
  const run = await invokeScheduleTarget(env, scheduleOf(stack), { executionId: 'q1w2e3r4t5y6u7i8', scheduledTime: '2026-12-08T02:00:00Z' });
  expect([run.error, run.request.solutionVersionArn]).toEqual([undefined, newer]);
  await destroyAndVerify(env);
}));

test.concurrent('on a solution without an ACTIVE version, the deploy fails saying so', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(batchStack().template), 'CREATE_COMPLETE');
  const { solutionArn } = await env.client().send(new CreateSolutionCommand({ name: 'shop', datasetGroupArn: GROUP_ARN, recipeArn: RECIPES.USER_PERSONALIZATION }));
  await until(() => env.service.resources().every((r) => r.status === undefined || r.status === 'ACTIVE'));
  const stack = batchStack({ solutionArn: solutionArn!, versionArn: 'unused', latest: true });
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toContain(`Solution ${solutionArn} has no ACTIVE version for the batch inference job to run on`);
  await destroyAndVerify(env);
}));

test.concurrent('a changed input is a new job; the job before it stays in Personalize', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const first = batchStack(trained);
  const second = batchStack({ ...trained, inputKey: 'users-2.jsonl' });
  env.s3.putObject(dataBucket(first), 'users.jsonl', USERS);
  env.s3.putObject(dataBucket(first), 'users-2.jsonl', USERS);
  await expectStatus(env.deploy(first.template), 'UPDATE_COMPLETE');

  await expectStatus(env.deploy(second.template), 'UPDATE_COMPLETE');

  expect(nameIn(second, 'Nightly')).not.toBe(nameIn(first, 'Nightly'));
  expect(env.service.resources('batchInferenceJob').map((job) => [job.name, job.status])).toEqual([
    [nameIn(first, 'Nightly'), 'ACTIVE'], [nameIn(second, 'Nightly'), 'ACTIVE'],
  ]);
  expect(env.s3.hasObject(dataBucket(second), 'out/users-2.jsonl.out')).toBe(true);
  await destroyAndVerify(env);
}));

test.concurrent('throttles, and a Create whose response is lost after the job was made, end in the one job the stack owns', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const stack = batchStack(trained);
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);
  env.service.inject('CreateBatchInferenceJob', { kind: 'throttle', times: 2 });
  env.service.inject('CreateBatchInferenceJob', { kind: 'reset', afterProcessing: true, times: 1 });
  env.service.inject('DescribeBatchInferenceJob', { kind: 'throttle', times: 2 });

  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');

  expect(env.service.faultsRemaining()).toBe(0);
  // The retry after the lost response met the job by its name and adopted it by its owner tag.
  expect(answersTo(env, 'CreateBatchInferenceJob')).toEqual(['LimitExceededException', 'LimitExceededException', 'reset', 'ResourceAlreadyExistsException']);
  expect(env.service.resources('batchInferenceJob')).toMatchObject([{ name: nameIn(stack, 'Nightly'), status: 'ACTIVE' }]);
  await destroyAndVerify(env);
}));

test.concurrent('a job without input data ends CREATE FAILED and fails the deploy with the service\'s reason', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const stack = batchStack(trained);

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toContain(`Input data not found at s3://${dataBucket(stack)}/users.jsonl`);
  await destroyAndVerify(env);
}));

test.concurrent('a role of the app that may not write the output fails the job, as Personalize writes with that role', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const stack = batchStack({ ...trained, readOnlyRole: true });
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/Insufficient privileges for writing data to S3: .*s3:PutObject/);
  await destroyAndVerify(env, { denials: [/not authorized to perform: s3:PutObject/] });
}));

test.concurrent('a deploy cancelled while the job runs rolls back around it: the job, which the API cannot stop, is left to end', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const stack = batchStack({ ...trained, failingSibling: true });
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);
  const held = env.service.holdCreation(nameIn(stack, 'Nightly'), 'batchInferenceJob');
  const doomed = env.service.holdCreation('doomed');
  env.service.failCreation('doomed', 'Quota of dataset groups reached');
  const deployed = env.deploy(stack.template);
  await held.reached;
  doomed.release();

  const result = await deployed;

  // The custom resource answered once the long wait started; the rollback cancels the wait condition and removes the resource.
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  const logicalId = stack.logicalIds.Nightly;
  expect(result.operations.filter((o) => o.logicalId === logicalId).map((o) => [o.phase, o.requestType, o.status]))
    .toEqual([['update', 'Create', 'SUCCESS'], ['rollback-cleanup', 'Delete', 'SUCCESS']]);
  expect(env.service.resources('batchInferenceJob')).toMatchObject([{ name: nameIn(stack, 'Nightly'), status: 'IN PROGRESS' }]);
  held.release();
  await until(() => env.service.resources('batchInferenceJob').every((job) => job.status === 'ACTIVE'));
  await destroyAndVerify(env);
}));

test.concurrent('a stack delete while a started job runs waits for the job, since Personalize refuses the dataset\'s delete until it ends', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env);
  const stack = batchStack({ ...trained, wait: BatchJobWait.startOnly() });
  env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);
  const held = env.service.holdCreation(nameIn(stack, 'Nightly'), 'batchInferenceJob');
  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');
  expect(env.service.resources('batchInferenceJob').map((job) => job.status)).toEqual([expect.stringMatching(/^(PENDING|IN PROGRESS)$/)]);

  const destroyed = env.destroy();
  await until(() => answersTo(env, 'DeleteDataset').includes('ResourceInUseException'));
  held.release();

  await expectStatus(destroyed, 'DELETE_COMPLETE');
  await env.verify();
  expect(answersTo(env, 'DeleteDataset').at(-1)).toBe('ok');
}));

test.concurrent('a batch segment job runs a user-segmentation version on deploy', () => withEnvironment({}, async (env) => {
  const trained = await trainedVersion(env, SEGMENT_RECIPE);
  const stack = batchStack({ ...trained, segment: true, inputKey: 'items/' });
  env.s3.putObject(dataBucket(stack), 'items/a.jsonl', '{"itemId": "i1"}\n');

  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');

  expect(env.service.resources('batchSegmentJob')).toMatchObject([{ name: nameIn(stack, 'Segments'), status: 'ACTIVE' }]);
  await destroyAndVerify(env);
}));

describe('recurring runs, fired as EventBridge Scheduler fires them', () => {
  test.concurrent('each run is a new job with a valid name of its own; a retry of the same run starts no second job', () => withEnvironment({}, async (env) => {
    const trained = await trainedVersion(env);
    const stack = batchStack({ ...trained, recurring: true });
    env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);
    await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');
    const schedule = scheduleOf(stack);

    const first = await invokeScheduleTarget(env, schedule, { executionId: 'd32c5kddcf5bb8c3', scheduledTime: '2026-12-08T02:00:00Z' });
    const retry = await invokeScheduleTarget(env, schedule, { executionId: 'd32c5kddcf5bb8c3', scheduledTime: '2026-12-08T02:00:00Z', attempt: 2 });
    const next = await invokeScheduleTarget(env, schedule, { executionId: 'a7b9x2kq0m4n8p1z', scheduledTime: '2026-12-09T02:00:00Z' });

    expect([first.operation, first.error]).toEqual(['CreateBatchInferenceJob', undefined]);
    expect(retry.error).toBe('ResourceAlreadyExistsException');
    expect(next.error).toBeUndefined();
    const names = [first.request.jobName, next.request.jobName];
    for (const name of names) {
      expect(name).toMatch(new RegExp(`^${PERSONALIZE_NAME}$`));
      expect(name.length).toBeLessThanOrEqual(63);
    }
    expect(names).toEqual([`${nameIn(stack, 'Nightly')}-d32c5kddcf5bb8c3`, `${nameIn(stack, 'Nightly')}-a7b9x2kq0m4n8p1z`]);
    expect(first.request.jobOutput.s3DataDestination.path).toBe(`s3://${dataBucket(stack)}/out/2026-12-08T02:00:00Z/`);
    expect(env.service.resources('batchInferenceJob').map((job) => job.name).sort()).toEqual([nameIn(stack, 'Nightly'), ...names].sort());
    // IAM evaluated the runs' role on every call, and allowed the creates and the role it passes.
    const decisions = env.iam.decisions.filter((d) => d.action === 'personalize:CreateBatchInferenceJob' && /RunsRole/.test(d.principal));
    expect(decisions.length).toBeGreaterThanOrEqual(3);
    expect(decisions.every((d) => d.allowed)).toBe(true);
    await until(() => env.service.resources('batchInferenceJob').every((job) => job.status === 'ACTIVE'));
    expect(env.s3.hasObject(dataBucket(stack), 'out/2026-12-08T02:00:00Z/users.jsonl.out')).toBe(true);
    await destroyAndVerify(env);
  }));

  test.concurrent('the runs\' role may create only runs of its own job: another name is denied', () => withEnvironment({}, async (env) => {
    const trained = await trainedVersion(env);
    const stack = batchStack({ ...trained, recurring: true });
    env.s3.putObject(dataBucket(stack), 'users.jsonl', USERS);
    await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');
    const schedule = scheduleOf(stack);
    const target = env.cloudformation.templateResource(schedule)!.Properties!.Target as Record<string, any>;
    const input = JSON.stringify(target.Input).replace(/LifecycleStack_Nightly-[0-9a-f]{8}-/, 'Someone_else-');
    target.Input = JSON.parse(input);

    const call = await invokeScheduleTarget(env, schedule, { executionId: 'd32c5kddcf5bb8c3', scheduledTime: '2026-12-08T02:00:00Z' });

    expect(call.error).toBe('AccessDeniedException');
    await destroyAndVerify(env, { denials: [/personalize:CreateBatchInferenceJob/] });
  }));

  test.concurrent('a recurring import run creates an incremental import of the same source, authorized for the runs\' role', () => withEnvironment({}, async (env) => {
    const stack = batchStack({ recurringImport: true });
    env.s3.putObject(dataBucket(stack), 'daily/2026-12-07.csv', 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n');
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    const run = await invokeScheduleTarget(env, scheduleOf(stack), { executionId: 'k2m4n6p8q0r2s4t6', scheduledTime: '2026-12-08T01:00:00Z' });

    expect([run.operation, run.error]).toEqual(['CreateDatasetImportJob', undefined]);
    expect(run.request).toMatchObject({ jobName: `${nameIn(stack, 'Daily')}-k2m4n6p8q0r2s4t6`, importMode: 'INCREMENTAL' });
    expect(env.service.resources('datasetImportJob').map((job) => job.name)).toContain(run.request.jobName);
    await destroyAndVerify(env);
  }));
});
