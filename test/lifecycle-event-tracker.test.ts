/**
 * Lifecycle scenarios for event trackers through CloudFormation, the Provider
 * framework and the bundled handler: create, tag update, delete, a rename that
 * the one-tracker-per-group rule refuses, failure, throttling, a lost Create
 * response and a cancelled create. The service picks a tracker's ARN, so the
 * handler finds a tracker it has no ARN for by listing its group.
 */
import { CreateEventTrackerCommand } from '@aws-sdk/client-personalize';
import { Tags } from 'aws-cdk-lib';
import { DatasetGroup, DatasetType, EventTracker, Schema, SchemaDefinition } from '../src';
import { answersTo, destroyAndVerify, expectStatus } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, withEnvironment } from './harness/environment';
import { deployCancelledBySibling } from './harness/scenarios';
import { INTERACTIONS_FIELDS, nameIn, synthesize } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

interface TrackerSpec {
  readonly name?: string;
  readonly tags?: Record<string, string>;
  /** A second, explicitly named group that is made to fail. */
  readonly failingSibling?: boolean;
}

/** Group 'retail' with an Interactions dataset and an event tracker. Paths: Group, Schema, Group/Interactions, Tracker. */
function trackerStack(spec: TrackerSpec = {}) {
  return synthesize((stack) => {
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
    const schema = new Schema(stack, 'Schema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS) });
    group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
    const tracker = new EventTracker(stack, 'Tracker', { datasetGroup: group, eventTrackerName: spec.name });
    for (const [key, value] of Object.entries(spec.tags ?? {})) Tags.of(tracker).add(key, value);
    if (spec.failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
  });
}

const TRACKER = trackerStack();
const TRACKER_ID = TRACKER.logicalIds.Tracker;

test.concurrent('a tracker is created after its Interactions dataset, returns its ARN and tracking ID, and is deleted before it', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(TRACKER.template), 'CREATE_COMPLETE');

  const [tracker] = env.service.resources('eventTracker');
  expect(tracker.name).toBe(nameIn(TRACKER, 'Tracker'));
  expect(tracker.tags).toEqual({ 'cdk-personalize:owner': env.ownerOf(TRACKER_ID) });
  const attributes = env.cloudformation.attributesOf(TRACKER_ID) as Record<string, string>;
  expect(attributes.Arn).toBe(tracker.arn);
  expect(attributes.TrackingId).toMatch(/^[0-9a-f-]{36}$/);
  expect(env.cloudformation.physicalIdOf(TRACKER_ID)).toBe(tracker.arn);

  await destroyAndVerify(env);
  // Personalize refuses to delete the Interactions dataset while the tracker exists: the order made it unnecessary to ask twice.
  expect(answersTo(env, 'DeleteDataset')).toEqual(['ok']);
}));

test.concurrent('the tracking ID is answered with NoEcho, and never reaches the waiter\'s execution history', () => withEnvironment({}, async (env) => {
  const result = await expectStatus(env.deploy(TRACKER.template), 'CREATE_COMPLETE');

  const trackingId = (env.cloudformation.attributesOf(TRACKER_ID) as Record<string, string>).TrackingId;
  expect(trackingId).toMatch(/^[0-9a-f-]{36}$/);
  expect(result.operations.find((o) => o.logicalId === TRACKER_ID)).toMatchObject({ status: 'SUCCESS', noEcho: true });
  const [delivery] = env.framework.deliveries.filter((d) => d.request.LogicalResourceId === TRACKER_ID);
  expect(delivery.waiterInput).toBeDefined();
  expect(JSON.stringify(delivery.waiterInput)).not.toContain(trackingId);
  // Nothing secret in a dataset of this type: its ARN stays readable in stack outputs.
  expect(result.operations.find((o) => o.logicalId === TRACKER.logicalIds['Group/Interactions'])?.noEcho).toBeUndefined();
  await destroyAndVerify(env);
}));

test.concurrent('changed tags are applied in place, keeping the tracker and its tracking ID', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(TRACKER.template), 'CREATE_COMPLETE');
  const before = env.cloudformation.attributesOf(TRACKER_ID);

  await expectStatus(env.deploy(trackerStack({ tags: { team: 'recs' } }).template), 'UPDATE_COMPLETE');

  expect(env.service.resources('eventTracker').map((t) => t.tags)).toEqual([{ 'team': 'recs', 'cdk-personalize:owner': env.ownerOf(TRACKER_ID) }]);
  expect(env.cloudformation.attributesOf(TRACKER_ID)).toEqual(before);
  expect(env.service.countCalls('CreateEventTracker')).toBe(1);
  await destroyAndVerify(env);
}));

test.concurrent('a new name in the same group is refused with the two-deploy steps, and the old tracker stays', () => withEnvironment({}, async (env) => {
  const named = trackerStack({ name: 'clicks' });
  await expectStatus(env.deploy(named.template), 'CREATE_COMPLETE');

  const result = await env.deploy(trackerStack({ name: 'views' }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/already has an event tracker, \S+ \(named 'clicks'\), and a dataset group holds one. It is this stack resource's current tracker: a new name in the same group needs two deploys/);
  expect(env.service.resources('eventTracker').map((t) => t.name)).toEqual(['clicks']);
  await destroyAndVerify(env);
}));

test.concurrent('a tracker that ends CREATE FAILED fails the deploy with the status, and the rollback deletes it', () => withEnvironment({}, async (env) => {
  env.service.failCreation(nameIn(TRACKER, 'Tracker'), 'internal failure', 'eventTracker');

  const result = await env.deploy(TRACKER.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  // The EventTracker shape has no failureReason: the status is all the service says.
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for event tracker arn:aws:personalize:us-east-1:123456789012:event-tracker\/[0-9a-f]+: no reason given/);
  await env.verify();
}));

test.concurrent('throttled creates and describes are retried until the tracker is ready', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateEventTracker', { kind: 'throttle', times: 2 });
  env.service.inject('DescribeEventTracker', { kind: 'throttle', times: 2 });

  await expectStatus(env.deploy(TRACKER.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateEventTracker')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  expect(env.service.resources('eventTracker')).toHaveLength(1);
  await destroyAndVerify(env);
}));

test.concurrent('a Create whose response is lost is found again in its group and adopted, not created twice', () => withEnvironment({}, async (env) => {
  env.service.inject('CreateEventTracker', { kind: 'reset', afterProcessing: true });

  await expectStatus(env.deploy(TRACKER.template), 'CREATE_COMPLETE');

  expect(answersTo(env, 'CreateEventTracker')).toEqual(['reset', 'ResourceAlreadyExistsException']);
  const [tracker] = env.service.resources('eventTracker');
  expect(env.cloudformation.physicalIdOf(TRACKER_ID)).toBe(tracker.arn);
  await destroyAndVerify(env);
}));

test.concurrent('a tracker still creating when a sibling fails is found by name on the rollback Delete and deleted', () => withEnvironment({}, async (env) => {
  await deployCancelledBySibling(env, trackerStack({ failingSibling: true }), 'Tracker', 'eventTracker');

  // Its ARN never reached CloudFormation: the Delete found the tracker by listing the group.
  expect(answersTo(env, 'ListEventTrackers')).toContain('ok');
  expect(answersTo(env, 'DeleteEventTracker')).toContain('ok');
  await env.verify();
}));

test.concurrent('a tracker someone else made in the group is neither adopted nor deleted', () => withEnvironment({}, async (env) => {
  const group = trackerStack();
  // The group and dataset first, then a tracker made outside the stack, then the stack's own tracker.
  const withoutTracker = synthesize((stack) => {
    const g = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
    g.addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS, schema: new Schema(stack, 'Schema', { definition: SchemaDefinition.fromFields(INTERACTIONS_FIELDS) }),
    });
  });
  await expectStatus(env.deploy(withoutTracker.template), 'CREATE_COMPLETE');
  const foreign = await env.client().send(new CreateEventTrackerCommand({ name: 'theirs', datasetGroupArn: env.service.resources('datasetGroup')[0].arn }));

  const result = await env.deploy(group.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/named 'theirs'\), and a dataset group holds one. This stack resource did not create it/);
  expect(env.service.resources('eventTracker').map((t) => t.arn)).toEqual([foreign.eventTrackerArn]);
}));
