/**
 * Handler bugs the seeded fault explorer (test/explorer/, `npx projen explore`) found,
 * each as the smallest scenario that shows it. In-flight states are made with the
 * local service's gates, never hoped for from real time. Each names the seed that
 * first showed it; see test/README.md, "Handler bugs the explorer found".
 */
import * as path from 'path';
import { DescribeSolutionVersionCommand, ListMetricAttributionMetricsCommand } from '@aws-sdk/client-personalize';
import { Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AutoTraining, DatasetGroup, DatasetImportJob, DatasetType, EventTracker, ImportSource, MetricAttribution, MetricExpression, Recipe, Schema,
  SchemaDefinition, Solution, SolutionVersion, TrainingMode,
} from '../src';
import { destroyAndVerify, until } from './harness/assertions';
import { StackOperationResult } from './harness/cloudformation';
import { ACCOUNT, LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, REGION, withEnvironment } from './harness/environment';
import { arnOf, groupStack, INTERACTIONS_FIELDS, ITEMS_FIELDS, nameIn, synthesize, SynthesizedStack, USERS_FIELDS } from './harness/stacks';
import type { OperationName } from './local-personalize/model';
import { addInteractionsDataset, IMPORT_FIXTURES } from './support/import-fixtures';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const OWNER_TAG = 'cdk-personalize:owner';

/**
 * A tagged group 'shop' and a schema 'orders': a new definition for the schema under the same explicit name is
 * refused at once, which makes the update fail while the group's tag change is in flight.
 */
function stackWith(tags: Record<string, string>, fields = ITEMS_FIELDS) {
  return synthesize((s) => {
    const group = new DatasetGroup(s, 'Group', { datasetGroupName: 'shop' });
    for (const [key, value] of Object.entries(tags)) Tags.of(group).add(key, value);
    new Schema(s, 'Orders', { schemaName: 'orders', definition: SchemaDefinition.fromFields(fields, { recordName: 'Items' }) });
  });
}

/**
 * Deploys `template`, whose update fails at once while its `held` call waits on the wire; the rollback then reads
 * the resource (`looks` counts those reads; it takes two) before the held call of the cancelled update is let through.
 * Returns the update's result once every cancelled delivery has finished.
 */
async function deployWithLateCall(env: LifecycleEnvironment, template: SynthesizedStack['template'], held: OperationName,
  looks: () => number): Promise<StackOperationResult> {
  const gate = env.service.gate();
  env.service.inject(held, { kind: 'hold', gate });
  const looksBefore = looks();
  const deployed = env.deploy(template);
  await gate.reached;
  await until(() => looks() >= looksBefore + 2);
  gate.open();
  const result = await deployed;
  await env.cloudformation.settled();
  return result;
}

describe('failure reasons', () => {
  // Seeds 25, 32, 34 (`npx projen explore --seed 32`): the reason was the service's message alone.
  test.concurrent('a Create the service refuses with a final error fails with a reason that names the dataset group', () => withEnvironment({}, async (env) => {
    env.service.inject('CreateDatasetGroup', { kind: 'error', name: 'InvalidInputException', message: 'The request is invalid.' });

    const result = await env.deploy(groupStack({ Group: { datasetGroupName: 'shop' } }).template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toContain('The request is invalid.');
    expect(result.firstFailure?.reason).toMatch(/shop/);
    await env.verify();
  }));

  test.concurrent('a Create the service refuses with a final error fails with a reason that names the schema', () => withEnvironment({}, async (env) => {
    env.service.inject('CreateSchema', { kind: 'error', name: 'InvalidInputException', message: 'The request is invalid.' });
    const stack = synthesize((s) => {
      new Schema(s, 'Orders', { schemaName: 'orders', definition: SchemaDefinition.fromFields(ITEMS_FIELDS, { recordName: 'Items' }) });
    });

    const result = await env.deploy(stack.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(/orders/);
    await env.verify();
  }));
});

describe('cancelled updates', () => {
  // Seed 10 (`npx projen explore --seed 10`, in about 2 runs of 5): the dataset kept the tag the cancelled update added.
  test.concurrent('a tag change cancelled in flight does not land after the rollback restored the old tags', () => withEnvironment({}, async (env) => {
    await env.deploy(stackWith({ team: 'a' }).template);
    const shopArn = arnOf('dataset-group/shop');
    const listsOfShop = () => env.service.calls.filter((c) => c.operation === 'ListTagsForResource' && c.input?.resourceArn === shopArn).length;

    // The tag change is applied in place; the schema's new definition under the same explicit name is refused at once.
    // The cancelled update's TagResource waits on the wire; the rollback Update reads the tags (still 'a') before it lands.
    const result = await deployWithLateCall(env, stackWith({ team: 'b' }, USERS_FIELDS).template, 'TagResource', listsOfShop);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const shop = env.service.resources('datasetGroup').find((r) => r.arn === shopArn);
    expect(shop?.tags).toEqual({ team: 'a', [OWNER_TAG]: env.ownerOf(env.cloudformation.resources().find((r) => r.physicalId === shopArn)!.logicalId) });
  }));

  // Seeds 255 and 710 (`npx projen explore --seed 710`): the cancelled update's UntagResource had landed and its
  // TagResource had not, so the rollback had something to change, answered SUCCESS, and the TagResource landed after.
  test.concurrent('a tag change cancelled halfway (untagged, not yet tagged) does not land after the rollback restored the old tags', () => withEnvironment({}, async (env) => {
    await env.deploy(stackWith({ 'team': 'a', 'cost-center': 'x' }).template);
    const shopArn = arnOf('dataset-group/shop');
    const listsOfShop = () => env.service.calls.filter((c) => c.operation === 'ListTagsForResource' && c.input?.resourceArn === shopArn).length;

    // cost-center is removed at once, env waits on the wire; the schema's new definition under the same name is refused.
    // The rollback reads the tags (cost-center gone, env not there) and puts cost-center back before the TagResource lands;
    // only the first TagResource waits, the rollback's goes through.
    const result = await deployWithLateCall(env, stackWith({ team: 'a', env: 'c' }, USERS_FIELDS).template, 'TagResource', listsOfShop);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    const shop = env.service.resources('datasetGroup').find((r) => r.arn === shopArn);
    expect(shop?.tags).toEqual({ 'team': 'a', 'cost-center': 'x', [OWNER_TAG]: env.ownerOf(env.cloudformation.resources().find((r) => r.physicalId === shopArn)!.logicalId) });
  }));
});

describe('cancelled updates whose calls had landed (a known limitation)', () => {
  // Seed 448 (`npx projen explore --seed 448`): the cancelled update's TagResource landed but its answer was lost. The
  // rollback found the resource holding what that update asked (so nothing told it a call could still come), removed the
  // tag and answered SUCCESS; the update's resend then put the tag back. No request tells a rollback from a normal update,
  // and guarding every update for as long as a resend could come would slow every tag change by minutes: README, "Known
  // limitations". This test pins what happens, so a fix shows up as its failure.
  test.concurrent('a tag change whose answer was lost can land again after the rollback, and the next change of the tags repairs it', () => withEnvironment({}, async (env) => {
    await env.deploy(stackWith({ team: 'a' }).template);
    const shopArn = arnOf('dataset-group/shop');
    const untagsOfShop = () => env.service.calls.filter((c) => c.operation === 'UntagResource' && c.input?.resourceArn === shopArn).length;
    const tagsOfShop = () => env.service.resources('datasetGroup').find((r) => r.arn === shopArn)?.tags;
    const owner = () => env.ownerOf(env.cloudformation.resources().find((r) => r.physicalId === shopArn)!.logicalId);
    // The update's TagResource takes effect and its answer is lost; its resend waits on the wire until the rollback has removed the tag.
    env.service.inject('TagResource', { kind: 'reset', afterProcessing: true });
    const resend = env.service.gate();
    env.service.inject('TagResource', { kind: 'hold', gate: resend });
    const deployed = env.deploy(stackWith({ team: 'a', env: 'b' }, USERS_FIELDS).template);
    await resend.reached;
    await until(() => untagsOfShop() >= 1);
    resend.open();

    const result = await deployed;
    await env.cloudformation.settled();

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(tagsOfShop()).toEqual({ team: 'a', env: 'b', [OWNER_TAG]: owner() });
    await env.deploy(stackWith({ team: 'c' }).template);
    expect(tagsOfShop()).toEqual({ team: 'c', [OWNER_TAG]: owner() });
    await destroyAndVerify(env);
  }));
});

describe('import jobs', () => {
  /** Group `groupName` with an Interactions dataset (generated name) and an import of the fixture CSV into it. */
  function importInto(groupName: string): SynthesizedStack {
    return synthesize((stack) => {
      const dataset = addInteractionsDataset(stack, { datasetGroupName: groupName });
      new DatasetImportJob(stack, 'Import', { dataset, source: ImportSource.fromAsset(path.join(IMPORT_FIXTURES, 'interactions.csv')) });
    });
  }

  // Seed 502 (`npx projen explore --seed 502`): the job's generated name hashed the dataset's construct path, not its
  // name, so the job into a replaced dataset kept the old job's name, and the update was refused as a same-name replacement.
  test.concurrent('an import into a dataset replaced with its group is a new job under a new name, and the update completes', () => withEnvironment({}, async (env) => {
    const before = importInto('shop');
    const after = importInto('market');
    const stage = (stack: SynthesizedStack) => {
      const job = Object.values(stack.template.Resources).find((r) => r.Type === 'Custom::PersonalizeDatasetImportJob')!;
      env.s3.putObject(`cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`, job.Properties!.CopySourceKey as string, 'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\n');
      return job.Properties!.Name;
    };
    const oldName = stage(before);
    expect((await env.deploy(before.template)).status).toBe('CREATE_COMPLETE');

    const newName = stage(after);
    const result = await env.deploy(after.template);

    expect(`${result.status} ${result.firstFailure?.reason.split('\n')[0] ?? ''}`).toBe('UPDATE_COMPLETE ');
    expect(newName).not.toBe(oldName);
    const jobs = env.service.resources('datasetImportJob');
    // The old job went with the old dataset; the new one imported into the new dataset.
    expect(jobs.map((j) => [j.name, j.status])).toEqual([[newName, 'ACTIVE']]);
    await destroyAndVerify(env);
  }));
});

describe('cancelled metric attribution updates', () => {
  const CLICKS = { metricName: 'clicks', eventType: 'click', expression: MetricExpression.sampleCount() };
  const PURCHASES = { metricName: 'purchases', eventType: 'purchase', expression: MetricExpression.sampleCount() };

  /** Group 'retail' with Interactions, an attribution with `metrics`, and schema 'orders' whose definition `fields` sets. */
  function attributionStack(metrics: typeof CLICKS[], fields = ITEMS_FIELDS) {
    return synthesize((stack) => {
      const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
      group.addDataset('Interactions', {
        datasetType: DatasetType.INTERACTIONS,
        schema: new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS, { recordName: 'Interactions' }) }),
      });
      new MetricAttribution(stack, 'Metrics', {
        datasetGroup: group, metrics, role: iam.Role.fromRoleArn(stack, 'Role', `arn:aws:iam::${ACCOUNT}:role/metrics`),
      });
      new Schema(stack, 'Orders', { schemaName: 'orders', definition: SchemaDefinition.fromFields(fields, { recordName: 'Items' }) });
    });
  }

  // Seed 247 (`npx projen explore --seed 247`): the cancelled update's UpdateMetricAttribution landed after the rollback had
  // found the old metrics in place; once it was ACTIVE, observe reported the mismatch as a failure and the rollback failed.
  // Fixed: the kind's update says the previous request's metrics were not in place, so the engine guards, and within the
  // guard a look that finds the resource not matching re-applies instead of failing.
  test('a metric change cancelled in flight is undone by the rollback even if its call lands after the rollback looked', () => withEnvironment({}, async (env) => {
    await env.deploy(attributionStack([CLICKS]).template);
    const lists = () => env.service.calls.filter((c) => c.operation === 'ListMetricAttributionMetrics').length;

    // The new metric's UpdateMetricAttribution waits on the wire; the schema's new definition under the same name is refused.
    // The rollback reads the metrics (still only clicks) and has nothing to change before the cancelled update lands.
    const result = await deployWithLateCall(env, attributionStack([CLICKS, PURCHASES], USERS_FIELDS).template, 'UpdateMetricAttribution', lists);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    // The late update landed, and the rollback took it back out.
    const [attribution] = env.service.resources('metricAttribution');
    const held = await env.client().send(new ListMetricAttributionMetricsCommand({ metricAttributionArn: attribution.arn }));
    expect(held.metrics?.map((m) => m.metricName)).toEqual(['clicks']);
    expect(env.service.calls.filter((c) => c.operation === 'UpdateMetricAttribution')).toHaveLength(2);
  }));
});

describe('cancelled replacements of event trackers', () => {
  /** Group `groupName` with Interactions and a tracker, and perhaps the sibling group 'doomed'. Paths: Group, Group/Interactions, Tracker. */
  function trackerIn(groupName: string, failingSibling = false): SynthesizedStack {
    return synthesize((stack) => {
      const group = new DatasetGroup(stack, 'Group', { datasetGroupName: groupName });
      group.addDataset('Interactions', {
        datasetType: DatasetType.INTERACTIONS,
        schema: new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS, { recordName: 'Interactions' }) }),
      });
      new EventTracker(stack, 'Tracker', { datasetGroup: group });
      if (failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
    });
  }

  // Seed 732 (`npx projen explore --seed 732`, whenever the tracker's create was in flight when a sibling failed): the rollback
  // Update asked for the old tracker, whose ARN the service picked, so the engine's check for "rolling back a cancelled
  // replacement" (the requested props' ARN is the physical ID) never matched a tracker's locator, and the new group's tracker
  // was left behind, keeping its dataset and group from being deleted.
  test('a tracker replacement cancelled in flight is deleted by the rollback, so the new group and its dataset go too', () => withEnvironment({}, async (env) => {
    await env.deploy(trackerIn('retail').template);
    const renamed = trackerIn('music', true);
    const tracker = env.service.holdCreation(nameIn(renamed, 'Tracker'), 'eventTracker');
    const doomed = env.service.holdCreation('doomed');
    env.service.failCreation('doomed', 'Quota of dataset groups reached');
    env.cloudformation.onCancel = () => tracker.release();

    const deployed = env.deploy(renamed.template);
    await tracker.reached;
    doomed.release();
    const result = await deployed;

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(env.service.resources('eventTracker').map((t) => t.datasetGroupArn)).toEqual([arnOf('dataset-group/retail')]);
    expect(env.service.resources('datasetGroup').map((g) => g.name)).toEqual(['retail']);
    await destroyAndVerify(env);
  }));
});

describe('trainings delivered twice', () => {
  const TRAINING = synthesize((stack) => {
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
    group.addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS,
      schema: new Schema(stack, 'InteractionsSchema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS, { recordName: 'Interactions' }) }),
    });
    const solution = new Solution(stack, 'Solution', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION, autoTraining: AutoTraining.off() });
    new SolutionVersion(stack, 'Training', { solution, trainingMode: TrainingMode.FULL });
  });

  /** ARN IDs that fall with each call, so a later version's ARN sorts before an earlier one's. */
  function fallingIds(): () => string {
    let next = 0xffffffff;
    return () => (next--).toString(16);
  }

  /** ARN IDs that rise with each call, so a later version's ARN sorts after an earlier one's. */
  function risingIds(): () => string {
    let next = 0x10000000;
    return () => (next++).toString(16);
  }

  // Seed 907 (`npx projen explore --seed 907`, when the second Create landed after the first delivery had looked): the first
  // delivery saw only its own version and answered with it; the second's version began in the same millisecond with an ARN
  // that sorts first, so the second kept its own and stopped the first's, which CloudFormation held: "training was stopped".
  // Fixed: a delivery stops only what no delivery can have answered with (a later training, or its own). Two trainings that
  // began in the same millisecond have no order, so here both train (README, "Known limitations").
  test('a training Create delivered twice never stops the version the first answer names, even when the second starts in the same millisecond', () => withEnvironment({
    service: { randomArnId: fallingIds() },
  }, async (env) => {
    const training = TRAINING.logicalIds.Training;
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Create' && request.LogicalResourceId === training
      ? { times: 2, concurrent: true } : { times: 1 });
    const late = env.service.gate();
    env.service.inject('CreateSolutionVersion', { kind: 'hold', gate: late });

    const deployed = env.deploy(TRAINING.template);
    await late.reached;
    // The other delivery has trained, looked for versions of its name, and started its long wait; time has not moved.
    await until(() => env.stepFunctions.executions.length >= 1);
    late.open();
    const result = await deployed;

    expect(`${result.status} ${result.firstFailure?.reason.split('\n')[0] ?? ''}`).toBe('CREATE_COMPLETE ');
    const answered = env.cloudformation.physicalIdOf(training);
    const versions = env.service.resources('solutionVersion');
    const started = await Promise.all(versions.map(async (v) =>
      (await env.client().send(new DescribeSolutionVersionCommand({ solutionVersionArn: v.arn }))).solutionVersion!.creationDateTime!.getTime()));
    // The case that needs the rule: one instant for both, and the later version's ARN sorts first.
    expect(new Set(started).size).toBe(1);
    expect(versions.map((v) => v.arn).sort()[0]).not.toBe(answered);
    // Both trained: the second delivery could not tell whether the first had seen its version.
    expect(versions.map((v) => v.status)).toEqual(['ACTIVE', 'ACTIVE']);
    await destroyAndVerify(env);
  }));

  // Seed 500 (`npx projen explore --seed 500`): the resend of a Create whose answer was lost began a second training in the
  // same millisecond (the retry's delay is drawn, and can be 0 on the harness's clock). When the resend's ARN sorts first, the
  // delivery cannot tell the lost version from another delivery's, and both train (README, "Known limitations"); otherwise,
  // and whenever the resend began later, the resend's training is stopped.
  test('a training Create resent after a lost answer keeps the first version and stops the resend\'s training', () => withEnvironment({
    service: { randomArnId: risingIds() },
  }, async (env) => {
    env.service.inject('CreateSolutionVersion', { kind: 'reset', afterProcessing: true, times: 1 });

    const result = await env.deploy(TRAINING.template);

    expect(`${result.status} ${result.firstFailure?.reason.split('\n')[0] ?? ''}`).toBe('CREATE_COMPLETE ');
    expect(env.service.countCalls('CreateSolutionVersion')).toBe(2);
    const [first, resent] = env.service.resources('solutionVersion');
    expect(env.cloudformation.physicalIdOf(TRAINING.logicalIds.Training)).toBe(first.arn);
    expect([first.status, resent.status]).toEqual(['ACTIVE', 'CREATE STOPPED']);
    await destroyAndVerify(env);
  }));
});
