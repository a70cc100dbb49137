/**
 * Lifecycle scenarios for solutions through CloudFormation, the Provider framework and
 * the bundled handler: create after the datasets with automatic training as asked, the
 * schedule changed in place through UpdateSolution, a replacement on a new recipe, a
 * failed create and a failed update with the service's reason, throttling, a cancelled
 * create, and a delete that stops training under way.
 */
import { CreateSolutionVersionCommand, DescribeSolutionCommand } from '@aws-sdk/client-personalize';
import { Duration, Tags } from 'aws-cdk-lib';
import { AutoTraining, DatasetGroup, Recipe, Solution } from '../src';
import { answersTo, destroyAndVerify, expectStatus } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { deployCancelledBySibling, deployFailingCreation, deployThrottled } from './harness/scenarios';
import { addRetailGroup, arnOf, nameIn, synthesize } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

interface SolutionSpec {
  readonly autoTrainingDays?: number;
  readonly recipe?: Recipe;
  readonly tags?: Record<string, string>;
  readonly failingSibling?: boolean;
}

/** Group 'retail' with Interactions and Items datasets and a solution. Paths: Group, Group/Interactions, Group/Items, Solution. */
export function solutionStack(spec: SolutionSpec = {}) {
  return synthesize((stack) => {
    const group = addRetailGroup(stack);
    const solution = new Solution(stack, 'Solution', {
      datasetGroup: group,
      recipe: spec.recipe ?? Recipe.USER_PERSONALIZATION_V2,
      autoTraining: spec.autoTrainingDays ? AutoTraining.every(Duration.days(spec.autoTrainingDays)) : AutoTraining.off(),
    });
    for (const [key, value] of Object.entries(spec.tags ?? {})) Tags.of(solution).add(key, value);
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

const SOLUTION = solutionStack();
const SOLUTION_ID = SOLUTION.logicalIds.Solution;

async function describe(env: Parameters<Parameters<typeof withEnvironment>[1]>[0], name: string) {
  return (await env.client().send(new DescribeSolutionCommand({ solutionArn: arnOf(`solution/${name}`) }))).solution!;
}

test.concurrent('a solution is created after the datasets with automatic training off, and deleted before them', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(SOLUTION.template), 'CREATE_COMPLETE');

  const name = nameIn(SOLUTION, 'Solution');
  const solution = await describe(env, name);
  expect([solution.performAutoTraining, solution.recipeArn]).toEqual([false, 'arn:aws:personalize:::recipe/aws-user-personalization-v2']);
  expect(env.service.resources('solution').map((s) => s.tags)).toEqual([{ 'cdk-personalize:owner': env.ownerOf(SOLUTION_ID) }]);
  expect(env.cloudformation.attributesOf(SOLUTION_ID)).toEqual({ Arn: arnOf(`solution/${name}`), Name: name });

  await destroyAndVerify(env);
  // DeleteDataset is refused while a solution trains on the group; the solution went first.
  expect(answersTo(env, 'DeleteDataset')).toEqual(['ok', 'ok']);
}));

test.concurrent('turning automatic training on, then changing its schedule, updates the solution in place', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(SOLUTION.template), 'CREATE_COMPLETE');
  const name = nameIn(SOLUTION, 'Solution');

  await expectStatus(env.deploy(solutionStack({ autoTrainingDays: 7 }).template), 'UPDATE_COMPLETE');
  const weekly = await describe(env, name);
  await expectStatus(env.deploy(solutionStack({ autoTrainingDays: 1 }).template), 'UPDATE_COMPLETE');
  const daily = await describe(env, name);

  expect(nameIn(solutionStack({ autoTrainingDays: 1 }), 'Solution')).toBe(name);
  expect([weekly.performAutoTraining, weekly.latestSolutionUpdate?.solutionUpdateConfig?.autoTrainingConfig?.schedulingExpression])
    .toEqual([true, 'rate(7 days)']);
  expect([daily.latestSolutionUpdate?.status, daily.latestSolutionUpdate?.solutionUpdateConfig?.autoTrainingConfig?.schedulingExpression])
    .toEqual(['ACTIVE', 'rate(1 day)']);
  expect(env.service.countCalls('CreateSolution')).toBe(1);
  expect(answersTo(env, 'UpdateSolution')).toEqual(['ok', 'ok']);
  await destroyAndVerify(env);
}));

test.concurrent('a failed solution update fails the deploy with the service\'s reason and rolls back to the old schedule', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(solutionStack({ autoTrainingDays: 7 }).template), 'CREATE_COMPLETE');
  const name = nameIn(SOLUTION, 'Solution');
  env.service.failUpdate(name, 'Automatic training quota reached');

  const result = await env.deploy(solutionStack({ autoTrainingDays: 2 }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason?.split('\n')[0]).toBe(`Personalize reported update CREATE FAILED for solution ${arnOf(`solution/${name}`)}: `
    + 'Automatic training quota reached');
  // The failed update left the solution on its old schedule, so the rollback had nothing to change.
  expect(answersTo(env, 'UpdateSolution')).toEqual(['ok']);
  expect((await describe(env, name)).solutionConfig?.autoTrainingConfig?.schedulingExpression).toBe('rate(7 days)');
  await destroyAndVerify(env);
}));

test.concurrent('a new recipe creates a solution under a new generated name, then deletes the old one', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(SOLUTION.template), 'CREATE_COMPLETE');
  const changed = solutionStack({ recipe: Recipe.SIMS });

  await expectStatus(env.deploy(changed.template), 'UPDATE_COMPLETE');

  const [oldName, newName] = [nameIn(SOLUTION, 'Solution'), nameIn(changed, 'Solution')];
  expect(newName).not.toBe(oldName);
  expect(env.service.resources('solution').map((s) => s.name)).toEqual([newName]);
  await destroyAndVerify(env);
}));

test.concurrent('changed tags are applied in place', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(SOLUTION.template), 'CREATE_COMPLETE');

  await expectStatus(env.deploy(solutionStack({ tags: { team: 'recs' } }).template), 'UPDATE_COMPLETE');

  expect(env.service.resources('solution').map((s) => s.tags)).toEqual([{ 'team': 'recs', 'cdk-personalize:owner': env.ownerOf(SOLUTION_ID) }]);
  expect(answersTo(env, 'UpdateSolution')).toEqual([]);
  await destroyAndVerify(env);
}));

// The API's Solution shape has no failureReason: the status is all the service says.
test.concurrent('a solution that ends CREATE FAILED fails the deploy with its status', () => withEnvironment({}, async (env) => {
  const reason = await deployFailingCreation(env, SOLUTION, 'Solution', 'solution', 'Not enough interactions to train');

  expect(reason).toBe(`Personalize reported CREATE FAILED for solution ${arnOf(`solution/${nameIn(SOLUTION, 'Solution')}`)}: no reason given`);
  await env.verify();
}));

test.concurrent('throttled calls are retried until the solution is ready', () => withEnvironment({}, async (env) => {
  await deployThrottled(env, SOLUTION, 'Solution');
  await destroyAndVerify(env);
}));

test.concurrent('a solution still creating when a sibling fails is found by name on the rollback Delete and deleted', () => withEnvironment({}, async (env) => {
  await deployCancelledBySibling(env, solutionStack({ failingSibling: true }), 'Solution', 'solution');

  expect(answersTo(env, 'DeleteSolution')).toContain('ok');
  await env.verify();
}));

test.concurrent('deleting a solution whose version is training stops the training first', () => withEnvironment({ service: { trainAfterMs: 60_000 } }, async (env) => {
  await expectStatus(env.deploy(SOLUTION.template), 'CREATE_COMPLETE');
  const name = nameIn(SOLUTION, 'Solution');
  await env.client().send(new CreateSolutionVersionCommand({ solutionArn: arnOf(`solution/${name}`) }));

  await destroyAndVerify(env);

  expect(answersTo(env, 'StopSolutionVersionCreation')).toEqual(['ok']);
}));
