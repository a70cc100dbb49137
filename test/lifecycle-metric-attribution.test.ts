/**
 * Lifecycle scenarios for metric attributions through CloudFormation, the Provider
 * framework and the bundled handler: create, in-place update of metrics and output
 * through UpdateMetricAttribution (and its failure), replacement, failure with the
 * service's reason, throttling and a cancelled create.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { DatasetGroup, DatasetType, Metric, MetricAttribution, MetricExpression, Schema, SchemaDefinition } from '../src';
import { answersTo, destroyAndVerify, expectStatus } from './harness/assertions';
import { ACCOUNT, LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { deployCancelledBySibling } from './harness/scenarios';
import { arnOf, INTERACTIONS_FIELDS, ITEMS_FIELDS, nameIn, synthesize } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const CLICKS: Metric = { metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() };
const VIEWS: Metric = { metricName: 'VIEWS', eventType: 'view', expression: MetricExpression.sampleCount() };
const ROLE = `arn:aws:iam::${ACCOUNT}:role/metrics`;

interface AttributionSpec {
  readonly metrics?: Metric[];
  readonly name?: string;
  readonly role?: string;
  readonly failingSibling?: boolean;
}

/** Group 'retail' with Interactions and Items datasets and a metric attribution with a given role. Paths: Group, Metrics. */
function attributionStack(spec: AttributionSpec = {}) {
  return synthesize((stack) => {
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
    const schema = (id: string, fields: typeof ITEMS_FIELDS) =>
      new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields, { recordName: id }) });
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schema('InteractionsSchema', INTERACTIONS_FIELDS) });
    group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schema('ItemsSchema', ITEMS_FIELDS) });
    new MetricAttribution(stack, 'Metrics', {
      datasetGroup: group,
      metrics: spec.metrics ?? [CLICKS],
      metricAttributionName: spec.name,
      role: iam.Role.fromRoleArn(stack, 'Role', spec.role ?? ROLE),
    });
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

const STACK = attributionStack();
const ID = STACK.logicalIds.Metrics;

test.concurrent('an attribution is created with its metrics after the datasets, and deleted before them', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  const name = nameIn(STACK, 'Metrics');
  expect(env.service.resources('metricAttribution').map((r) => r.name)).toEqual([name]);
  expect(env.cloudformation.attributesOf(ID)).toEqual({ Arn: arnOf(`metric-attribution/${name}`), Name: name });

  await destroyAndVerify(env);
  expect(answersTo(env, 'DeleteDataset')).toEqual(['ok', 'ok']);
}));

test.concurrent('changed metrics and role are applied in place with UpdateMetricAttribution, keeping the ARN', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');
  const changed = attributionStack({ metrics: [VIEWS, CLICKS], role: `arn:aws:iam::${ACCOUNT}:role/metrics2` });

  await expectStatus(env.deploy(changed.template), 'UPDATE_COMPLETE');

  const update = env.service.calls.find((c) => c.operation === 'UpdateMetricAttribution')!;
  expect(update.input).toMatchObject({ addMetrics: [{ metricName: 'VIEWS', eventType: 'view', expression: 'SAMPLECOUNT()' }] });
  expect(update.input.removeMetrics).toBeUndefined();
  expect(env.service.countCalls('CreateMetricAttribution')).toBe(1);
  expect(env.cloudformation.physicalIdOf(ID)).toBe(arnOf(`metric-attribution/${nameIn(STACK, 'Metrics')}`));
  await destroyAndVerify(env);
}));

test.concurrent('an update that ends UPDATE FAILED fails the deploy with the service\'s reason, and the rollback restores the metrics', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');
  env.service.failUpdate(nameIn(STACK, 'Metrics'), 'The role cannot publish CloudWatch metrics');

  const result = await env.deploy(attributionStack({ metrics: [VIEWS] }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported UPDATE FAILED for metric attribution \S+: The role cannot publish CloudWatch metrics/);
  env.service.clearBehaviours();
  await destroyAndVerify(env);
}));

test.concurrent('a new name in the same group is refused with the two-deploy steps, since the group holds one attribution', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(attributionStack({ name: 'first' }).template), 'CREATE_COMPLETE');

  const result = await env.deploy(attributionStack({ name: 'second' }).template);

  // One attribution per group: the replacement's create is refused while the old one exists, and the old one stays.
  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/already has a metric attribution, \S+ \(named 'first'\), and a dataset group holds one. If it is this stack resource's attribution under its old name, a new name needs two deploys/);
  expect(env.service.resources('metricAttribution').map((r) => r.name)).toEqual(['first']);
  // The rollback looks for a replacement under the new name, which the restored grants no longer name: IAM denies it.
  await destroyAndVerify(env, { denials: [/perform: personalize:DescribeMetricAttribution on resource: \S+:metric-attribution\/second /] });
}));

test.concurrent('an attribution that ends CREATE FAILED fails the deploy with the service\'s reason', () => withEnvironment({}, async (env) => {
  env.service.failCreation(nameIn(STACK, 'Metrics'), 'Column EVENT_VALUE not found', 'metricAttribution');

  const result = await env.deploy(STACK.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for metric attribution \S+: Column EVENT_VALUE not found/);
  await env.verify();
}));

test.concurrent('throttled calls are retried until the attribution is ready', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateMetricAttribution', { kind: 'throttle', times: 2 });
  env.service.inject('ListMetricAttributionMetrics', { kind: 'throttle', times: 2 });

  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateMetricAttribution')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  await destroyAndVerify(env);
}));

test.concurrent('an attribution still creating when a sibling fails is found by name on the rollback Delete and deleted', () => withEnvironment({}, async (env) => {
  await deployCancelledBySibling(env, attributionStack({ failingSibling: true }), 'Metrics', 'metricAttribution');

  expect(answersTo(env, 'DeleteMetricAttribution')).toContain('ok');
  await env.verify();
}));
