/**
 * Lifecycle scenarios for training on deploy: the custom resource starts a solution
 * version and answers at once, the long wait (the local Step Functions running the
 * stack's state machine, which calls its function through the local Lambda) follows the
 * training and signals the wait condition, which holds the stack until the training ends. A failed training fails
 * the deploy with the service's reason; a rollback during training stops it.
 */
import { DescribeSolutionVersionCommand } from '@aws-sdk/client-personalize';
import { AutoTraining, DatasetGroup, DatasetType, Recipe, Schema, SchemaDefinition, Solution, SolutionVersion, TrainingMode } from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { INTERACTIONS_FIELDS, nameIn, synthesize, SynthesizedStack } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

interface TrainingSpec {
  readonly retrainOn?: string;
  readonly failingSibling?: boolean;
}

/** Group 'retail' with Interactions, a solution and a training. Paths: Group, Group/Interactions, Solution, Training. */
function trainingStack(spec: TrainingSpec = {}): SynthesizedStack {
  return synthesize((stack) => {
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
    const schema = new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS, { recordName: 'Interactions' }) });
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    const solution = new Solution(stack, 'Solution', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION, autoTraining: AutoTraining.off() });
    new SolutionVersion(stack, 'Training', { solution, trainingMode: TrainingMode.FULL, retrainOn: spec.retrainOn });
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

const TRAINING = trainingStack();

/** The logical ID of the stack's one resource of `type`. */
function idOf(stack: SynthesizedStack, type: string): string {
  return Object.entries(stack.template.Resources).find(([, r]) => r.Type === type)![0];
}

/** Holds the training of `stack` and has its sibling group 'doomed' fail once the wait condition waits for it. */
function failSiblingDuringTraining(env: LifecycleEnvironment, stack: SynthesizedStack): void {
  env.service.holdCreation(nameIn(stack, 'Training'), 'solutionVersion');
  const doomed = env.service.holdCreation('doomed');
  env.service.failCreation('doomed', 'Quota of dataset groups reached');
  env.cloudformation.onWaitCondition = () => doomed.release();
}

async function versionStatus(env: LifecycleEnvironment): Promise<string | undefined> {
  const [version] = env.service.resources('solutionVersion');
  if (!version) return undefined;
  return (await env.client().send(new DescribeSolutionVersionCommand({ solutionVersionArn: version.arn }))).solutionVersion?.status;
}

test.concurrent('a deploy that trains waits for the training: the long wait looks at it several times and signals success', () => withEnvironment({}, async (env) => {
  const training = env.service.holdCreation(nameIn(TRAINING, 'Training'), 'solutionVersion');
  const deployed = env.deploy(TRAINING.template);
  await training.reached;
  // The custom resource answered while training runs; the wait condition holds the stack.
  await until(() => env.cloudformation.waitingConditions().length === 1);
  await until(() => env.lambda.invocations.length >= 2);
  training.release();

  await expectStatus(deployed, 'CREATE_COMPLETE');

  const [version] = env.service.resources('solutionVersion');
  expect(version.status).toBe('ACTIVE');
  expect(version.tags).toEqual({ 'cdk-personalize:owner': env.ownerOf(TRAINING.logicalIds.Training) });
  expect(env.cloudformation.physicalIdOf(TRAINING.logicalIds.Training)).toBe(version.arn);
  expect(env.cloudformation.signals.received.map((r) => [r.signal.Status, r.signal.UniqueId])).toEqual([['SUCCESS', version.arn]]);
  expect(env.cloudformation.attributesOf(idOf(TRAINING, 'AWS::CloudFormation::WaitCondition'))).toEqual({ Data: JSON.stringify({ [version.arn]: version.arn }) });
  // Every look ended within its Lambda timeout.
  await env.lambda.settled();
  expect(env.lambda.invocations.map((i) => i.outcome)).toEqual(env.lambda.invocations.map(() => 'ok'));
  await destroyAndVerify(env);
}));

test.concurrent('a failed training fails the deploy with the service\'s reason, through the wait condition', () => withEnvironment({}, async (env) => {
  env.service.failCreation(nameIn(TRAINING, 'Training'), 'Insufficient interactions: at least 1000 are needed', 'solutionVersion');

  const result = await env.deploy(TRAINING.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.logicalId).toBe(idOf(TRAINING, 'AWS::CloudFormation::WaitCondition'));
  expect(result.firstFailure?.reason).toMatch(/^WaitCondition received failed message: 'Training of solution version arn:\S+ ended CREATE FAILED: Insufficient interactions: at least 1000 are needed' for uniqueId: arn:/);
  await env.verify();
}));

test.concurrent('a training that outlasts its timeout is stopped by the rollback, not paid for to the end', () => withEnvironment({}, async (env) => {
  env.service.holdCreation(nameIn(TRAINING, 'Training'), 'solutionVersion');
  env.cloudformation.onWaitCondition = () => env.cloudformation.expireWaitConditions();

  const result = await env.deploy(TRAINING.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toBe('WaitCondition timed out. Received 0 conditions when expecting 1');
  expect(answersTo(env, 'StopSolutionVersionCreation')).toContain('ok');
  await env.verify();
  // The long wait saw the stopped training (or its solution gone with the rollback) and said so; nobody was listening any more.
  expect(env.cloudformation.signals.received.map((r) => r.signal.Reason))
    .toEqual([expect.stringMatching(/ended CREATE STOPPED: training was stopped|no longer exists/)]);
}));

test.concurrent('a sibling failing during training cancels the wait, and the rollback stops the training', () => withEnvironment({}, async (env) => {
  const stack = trainingStack({ failingSibling: true });
  failSiblingDuringTraining(env, stack);

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.operations.find((o) => o.logicalId === idOf(stack, 'AWS::CloudFormation::WaitCondition')))
    .toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled' });
  expect(answersTo(env, 'StopSolutionVersionCreation')).toContain('ok');
  await env.verify();
}));

test.concurrent('a new retrainOn trains a new version behind a new wait condition; the old version stays with its solution', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(trainingStack({ retrainOn: 'import-1' }).template), 'CREATE_COMPLETE');
  const retrained = trainingStack({ retrainOn: 'import-2' });

  const result = await expectStatus(env.deploy(retrained.template), 'UPDATE_COMPLETE');

  const versions = env.service.resources('solutionVersion');
  expect(versions.map((v) => v.status)).toEqual(['ACTIVE', 'ACTIVE']);
  expect(env.cloudformation.physicalIdOf(retrained.logicalIds.Training)).toBe(versions[1].arn);
  const oldCondition = idOf(trainingStack({ retrainOn: 'import-1' }), 'AWS::CloudFormation::WaitCondition');
  expect(oldCondition).not.toBe(idOf(retrained, 'AWS::CloudFormation::WaitCondition'));
  expect(result.operations.filter((o) => o.phase === 'cleanup').map((o) => o.logicalId)).toEqual(expect.arrayContaining([oldCondition]));
  expect(env.service.countCalls('CreateSolution')).toBe(1);
  await destroyAndVerify(env);
}));

test.concurrent('a retraining cancelled by a failing sibling is stopped by the rollback; the trained version stays in use', () => withEnvironment({}, async (env) => {
  const first = trainingStack({ retrainOn: 'import-1' });
  await expectStatus(env.deploy(first.template), 'CREATE_COMPLETE');
  const trained = env.cloudformation.physicalIdOf(first.logicalIds.Training);
  const retrained = trainingStack({ retrainOn: 'import-2', failingSibling: true });
  failSiblingDuringTraining(env, retrained);

  const result = await env.deploy(retrained.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(answersTo(env, 'StopSolutionVersionCreation')).toContain('ok');
  expect(env.cloudformation.physicalIdOf(first.logicalIds.Training)).toBe(trained);
  expect(env.service.resources('solutionVersion').map((v) => [v.arn === trained, v.status])).toEqual([[true, 'ACTIVE'], [false, 'CREATE STOPPED']]);
  await destroyAndVerify(env);
}));

test.concurrent('going back to an earlier retrainOn reuses the version trained for it, and its new wait condition is signalled', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(trainingStack({ retrainOn: 'import-1' }).template), 'CREATE_COMPLETE');
  await expectStatus(env.deploy(trainingStack({ retrainOn: 'import-2' }).template), 'UPDATE_COMPLETE');
  const back = trainingStack({ retrainOn: 'import-1' });

  await expectStatus(env.deploy(back.template), 'UPDATE_COMPLETE');

  const versions = env.service.resources('solutionVersion');
  expect(env.service.countCalls('CreateSolutionVersion')).toBe(2);
  expect(env.cloudformation.physicalIdOf(back.logicalIds.Training)).toBe(versions[0].arn);
  await destroyAndVerify(env);
}));

test.concurrent('a training Create delivered twice at once trains one version: the later one is stopped and both answers name the first', () => withEnvironment({}, async (env) => {
  env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Create' && request.LogicalResourceId === TRAINING.logicalIds.Training
    ? { times: 2, concurrent: true } : { times: 1 });
  // Both deliveries reach CreateSolutionVersion before either has created a version.
  const [first, second] = [env.service.gate(), env.service.gate()];
  env.service.inject('CreateSolutionVersion', { kind: 'hold', gate: first });
  env.service.inject('CreateSolutionVersion', { kind: 'hold', gate: second });
  const deployed = env.deploy(TRAINING.template);
  await Promise.all([first.reached, second.reached]);
  first.open();
  second.open();

  await expectStatus(deployed, 'CREATE_COMPLETE');

  const record = env.cloudformation.requests.find((r) => r.request.LogicalResourceId === TRAINING.logicalIds.Training)!;
  const kept = env.cloudformation.physicalIdOf(TRAINING.logicalIds.Training);
  expect(record.responses.map((r) => r.PhysicalResourceId)).toEqual([kept, kept]);
  expect(env.service.resources('solutionVersion').map((v) => [v.arn === kept, v.status]).sort())
    .toEqual([[false, 'CREATE STOPPED'], [true, 'ACTIVE']]);
  await destroyAndVerify(env);
}));

test.concurrent('throttled calls of the training\'s Create and of the long wait\'s looks are retried until the training is signalled', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateSolutionVersion', { kind: 'throttle', times: 2 });
  env.service.inject('DescribeSolutionVersion', { kind: 'throttle', times: 3 });

  await expectStatus(env.deploy(TRAINING.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateSolutionVersion')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  expect(await versionStatus(env)).toBe('ACTIVE');
  await destroyAndVerify(env);
}));
