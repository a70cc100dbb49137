/**
 * Lifecycle scenarios for campaigns through CloudFormation, the Provider framework and
 * the bundled handler: create, in-place update through UpdateCampaign (a new version,
 * minProvisionedTPS, config) and its failure, replacement, failure with the service's
 * reason, throttling and a cancelled create.
 *
 * Training is not this kind's: each scenario first deploys the dataset group, then makes
 * a solution and its versions in the local service itself, and deploys the campaign on
 * them through test-only ISolution / ISolutionVersion fakes. The group empties itself on
 * delete (emptyOnDelete), which removes that solution after the campaign.
 */
import {
  CreateCampaignCommand, CreateDatasetGroupCommand, CreateSolutionCommand, CreateSolutionVersionCommand, DeleteDatasetGroupCommand,
  DeleteSolutionCommand,
} from '@aws-sdk/client-personalize';
import { Campaign, CampaignProps, DatasetGroup } from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { deployCancelledBySibling } from './harness/scenarios';
import { arnOf, nameIn, synthesize } from './harness/stacks';
import { FakeSolution, FakeSolutionVersion, RECIPES } from './support/solution-fakes';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const GROUP_ARN = arnOf('dataset-group/retail');

interface CampaignSpec extends Omit<CampaignProps, 'solutionVersion' | 'solution'> {
  readonly solutionArn: string;
  readonly versionArn: string;
  readonly withCampaign?: boolean;
  /** False when the test makes the group itself. */
  readonly withGroup?: boolean;
  readonly failingSibling?: boolean;
  /** A dataset group 'doomed' that fails, created after the group. */
  readonly doomedAfterGroup?: boolean;
}

/** Group 'retail' (emptyOnDelete) and, unless withCampaign is false, a campaign on the given version. Paths: Group, Campaign. */
function campaignStack(spec: CampaignSpec) {
  const { solutionArn, versionArn, withCampaign, withGroup, failingSibling, doomedAfterGroup, ...props } = spec;
  return synthesize((stack) => {
    const group = withGroup === false ? undefined : new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail', emptyOnDelete: true });
    if (withCampaign !== false) {
      const solution = new FakeSolution(stack, 'Solution', solutionArn, RECIPES.USER_PERSONALIZATION);
      const campaign = new Campaign(stack, 'Campaign', { solutionVersion: new FakeSolutionVersion(stack, 'Version', versionArn, solution), ...props });
      // A real solution depends on its group; the fake stands in for that order.
      if (group) campaign.node.addDependency(group);
    }
    if (failingSibling) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
    if (doomedAfterGroup) new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' }).node.addDependency(group!);
  });
}

/** Deploys the group, then trains a solution 'NAME' in it outside CloudFormation: its ARN and `versions` ACTIVE version ARNs. */
async function trainedSolution(env: LifecycleEnvironment, versions = 1, name = 'shop', groupInStack = true) {
  const client = env.client();
  if (groupInStack) {
    await expectStatus(env.deploy(campaignStack({ solutionArn: '', versionArn: '', withCampaign: false }).template), 'CREATE_COMPLETE');
  } else {
    await client.send(new CreateDatasetGroupCommand({ name: 'retail' }));
    await until(() => env.service.resources().every((r) => r.status === 'ACTIVE'));
  }
  const { solutionArn } = await client.send(new CreateSolutionCommand({ name, datasetGroupArn: GROUP_ARN, recipeArn: RECIPES.USER_PERSONALIZATION }));
  const active = () => env.service.resources().every((r) => r.status === undefined || r.status === 'ACTIVE');
  await until(active);
  const versionArns: string[] = [];
  for (let i = 0; i < versions; i++) {
    versionArns.push((await client.send(new CreateSolutionVersionCommand({ solutionArn }))).solutionVersionArn!);
    await until(active);
  }
  return { solutionArn: solutionArn!, versionArns };
}

test.concurrent('a campaign is created on its solution version, and deleted before the group empties itself', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [versionArn] } = await trainedSolution(env);
  const stack = campaignStack({ solutionArn, versionArn, minProvisionedTPS: 2 });

  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');

  const name = nameIn(stack, 'Campaign');
  expect(env.service.resources('campaign')).toMatchObject([{ name, solutionVersionArn: versionArn, status: 'ACTIVE' }]);
  expect(env.service.calls.find((c) => c.operation === 'CreateCampaign')!.input).toMatchObject({
    solutionVersionArn: versionArn, minProvisionedTPS: 2, campaignConfig: { enableMetadataWithRecommendations: false },
  });
  expect(env.cloudformation.attributesOf(stack.logicalIds.Campaign)).toEqual({ Arn: arnOf(`campaign/${name}`), Name: name });

  await destroyAndVerify(env);
  const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined).map((c) => c.operation);
  expect(deletes.indexOf('DeleteCampaign')).toBeLessThan(deletes.indexOf('DeleteSolution'));
}));

test.concurrent('emptyOnDelete deletes a campaign made outside the stack before its solution', () => withEnvironment({}, async (env) => {
  const { versionArns: [versionArn] } = await trainedSolution(env);
  await env.client().send(new CreateCampaignCommand({ name: 'outside', solutionVersionArn: versionArn }));
  await until(() => env.service.resources('campaign').every((r) => r.status === 'ACTIVE'));

  await destroyAndVerify(env);

  const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined).map((c) => c.operation);
  expect(deletes.indexOf('DeleteCampaign')).toBeGreaterThanOrEqual(0);
  expect(deletes.indexOf('DeleteCampaign')).toBeLessThan(deletes.indexOf('DeleteSolution'));
}));

test.concurrent('a new version, minProvisionedTPS and config are deployed in place with UpdateCampaign, waiting for the update', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [first, second] } = await trainedSolution(env, 2);
  const before = campaignStack({ solutionArn, versionArn: first });
  await expectStatus(env.deploy(before.template), 'UPDATE_COMPLETE');
  const name = nameIn(before, 'Campaign');
  const hold = env.service.holdUpdate(name);

  const after = campaignStack({ solutionArn, versionArn: second, minProvisionedTPS: 3, enableMetadataWithRecommendations: true });
  const deployed = env.deploy(after.template);
  await hold.reached;
  // The update is under way: the campaign still serves the first version, and the stack waits.
  expect(env.service.resources('campaign')[0].solutionVersionArn).toBe(first);
  hold.release();
  await expectStatus(deployed, 'UPDATE_COMPLETE');

  expect(env.service.resources('campaign')).toMatchObject([{ name, solutionVersionArn: second }]);
  expect(env.service.calls.find((c) => c.operation === 'UpdateCampaign')!.input).toMatchObject({
    solutionVersionArn: second, minProvisionedTPS: 3, campaignConfig: { enableMetadataWithRecommendations: true },
  });
  expect(env.service.countCalls('CreateCampaign')).toBe(1);
  await destroyAndVerify(env);
}));

test.concurrent('following the latest version deploys SOLUTION/$LATEST and keeps the campaign in place', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [, latest] } = await trainedSolution(env, 2);
  const stack = campaignStack({ solutionArn, versionArn: `${solutionArn}/unused`, syncWithLatestSolutionVersion: true });

  await expectStatus(env.deploy(stack.template), 'UPDATE_COMPLETE');

  expect(env.service.calls.find((c) => c.operation === 'CreateCampaign')!.input).toMatchObject({
    solutionVersionArn: `${solutionArn}/$LATEST`, campaignConfig: { syncWithLatestSolutionVersion: true },
  });
  expect(env.service.resources('campaign')[0].solutionVersionArn).toBe(latest);
  await destroyAndVerify(env);
}));

test.concurrent('an update that ends failed fails the deploy with the service\'s reason, and the rollback keeps the campaign', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [first, second] } = await trainedSolution(env, 2);
  const before = campaignStack({ solutionArn, versionArn: first });
  await expectStatus(env.deploy(before.template), 'UPDATE_COMPLETE');
  env.service.failUpdate(nameIn(before, 'Campaign'), 'Not enough capacity for the requested TPS');

  const result = await env.deploy(campaignStack({ solutionArn, versionArn: second, minProvisionedTPS: 500 }).template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for campaign \S+: Not enough capacity for the requested TPS/);
  expect(env.service.resources('campaign')).toMatchObject([{ solutionVersionArn: first, status: 'ACTIVE' }]);
  env.service.clearBehaviours();
  await destroyAndVerify(env);
}));

test.concurrent('a new name replaces the campaign: the new one is created, then the old one deleted', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [versionArn] } = await trainedSolution(env);
  await expectStatus(env.deploy(campaignStack({ solutionArn, versionArn, campaignName: 'first' }).template), 'UPDATE_COMPLETE');

  await expectStatus(env.deploy(campaignStack({ solutionArn, versionArn, campaignName: 'second' }).template), 'UPDATE_COMPLETE');

  expect(env.service.resources('campaign').map((r) => r.name)).toEqual(['second']);
  expect(answersTo(env, 'DeleteCampaign')).toEqual(['ok']);
  await destroyAndVerify(env);
}));

test.concurrent('a campaign that ends CREATE FAILED fails the deploy with the service\'s reason', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [versionArn] } = await trainedSolution(env);
  const stack = campaignStack({ solutionArn, versionArn });
  env.service.failCreation(nameIn(stack, 'Campaign'), 'The solution version cannot be deployed', 'campaign');

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for campaign \S+: The solution version cannot be deployed/);
  await destroyAndVerify(env);
}));

test.concurrent('throttled calls are retried until the campaign is ready', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [versionArn] } = await trainedSolution(env);
  env.service.inject('CreateCampaign', { kind: 'throttle', times: 2 });
  env.service.inject('DescribeCampaign', { kind: 'throttle', times: 2 });

  await expectStatus(env.deploy(campaignStack({ solutionArn, versionArn }).template), 'UPDATE_COMPLETE');

  expect(answersTo(env, 'CreateCampaign')).toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
  await destroyAndVerify(env);
}));

test.concurrent('a campaign still creating when a sibling fails is found by name on the rollback Delete and deleted', () => withEnvironment({}, async (env) => {
  // Group and solution outside the stack, so that the campaign is part of the stack's create.
  const { solutionArn, versionArns: [versionArn] } = await trainedSolution(env, 1, 'shop', false);

  await deployCancelledBySibling(env, campaignStack({ solutionArn, versionArn, withGroup: false, failingSibling: true }), 'Campaign', 'campaign');

  expect(answersTo(env, 'DeleteCampaign')).toContain('ok');
  expect(env.service.resources('campaign')).toEqual([]);
  await env.client().send(new DeleteSolutionCommand({ solutionArn }));
  await until(() => env.service.resources('solution').length === 0);
  await env.client().send(new DeleteDatasetGroupCommand({ datasetGroupArn: GROUP_ARN }));
  await until(() => env.service.resources().length === 0);
  await env.verify();
}));

test.concurrent('an update cancelled by a failing sibling is met by the rollback, which waits for it and deploys the old version again', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [first, second] } = await trainedSolution(env, 2);
  const before = campaignStack({ solutionArn, versionArn: first });
  await expectStatus(env.deploy(before.template), 'UPDATE_COMPLETE');
  const update = env.service.holdUpdate(nameIn(before, 'Campaign'));
  const doomed = env.service.holdCreation('doomed');
  env.service.failCreation('doomed', 'Quota of dataset groups reached');
  env.cloudformation.onCancel = () => update.release();

  const deployed = env.deploy(campaignStack({ solutionArn, versionArn: second, doomedAfterGroup: true }).template);
  await update.reached;
  doomed.release();
  const result = await deployed;

  expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
  expect(result.operations.find((o) => o.logicalId === before.logicalIds.Campaign && o.phase === 'update')).toMatchObject({ status: 'FAILED' });
  expect(env.service.calls.filter((c) => c.operation === 'UpdateCampaign').map((c) => c.input.solutionVersionArn)).toEqual([second, first]);
  expect(env.service.resources('campaign')).toMatchObject([{ solutionVersionArn: first }]);
  await destroyAndVerify(env);
}));

test.concurrent('a lost CreateCampaign response is adopted by its owner tag, not created twice', () => withEnvironment({}, async (env) => {
  const { solutionArn, versionArns: [versionArn] } = await trainedSolution(env);
  env.service.inject('CreateCampaign', { kind: 'reset', afterProcessing: true });

  await expectStatus(env.deploy(campaignStack({ solutionArn, versionArn }).template), 'UPDATE_COMPLETE');

  expect(answersTo(env, 'CreateCampaign')).toEqual(['reset', 'ResourceAlreadyExistsException']);
  expect(env.service.resources('campaign')).toHaveLength(1);
  await destroyAndVerify(env);
}));
