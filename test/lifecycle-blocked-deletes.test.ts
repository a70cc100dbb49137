/**
 * Deletes that Personalize refuses because of what lives beside or below the
 * resource, through CloudFormation, the Provider framework and the bundled handler:
 * the rules of the developer guide's "Deleting a dataset" page and of the DeleteSolution
 * API reference, as the local service plays them. (A schema that a dataset outside the
 * stack uses: lifecycle-data-model.test.ts.)
 *
 * Without emptyOnDelete on the group, a delete that something nobody is deleting
 * blocks fails within the blocked-delete grace, listing the blockers and saying how
 * to go on. With it, the delete removes the blockers the stack does not manage, so
 * that the stack is destroyed clean whatever was made outside it; what the stack
 * itself manages is never removed that way.
 */
import {
  CreateCampaignCommand, CreateEventTrackerCommand, CreateFilterCommand, CreateMetricAttributionCommand, CreateSolutionCommand,
  CreateSolutionVersionCommand, DeleteCampaignCommand, DeleteEventTrackerCommand, DeleteFilterCommand, DeleteMetricAttributionCommand,
  DeleteSchemaCommand,
} from '@aws-sdk/client-personalize';
import {
  AutoTraining, DatasetGroup, DatasetType, Filter, FilterExpression, Recipe, Schema, SchemaDefinition, SchemaField, Solution,
} from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { ACCOUNT, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { arnOf, INTERACTIONS_FIELDS, ITEMS_FIELDS, nameIn, synthesize } from './harness/stacks';

jest.setTimeout(30_000);

const GROUP_ARN = arnOf('dataset-group/shop');
const INTERACTIONS_ARN = arnOf('dataset/shop/INTERACTIONS');
const ITEMS_ARN = arnOf('dataset/shop/ITEMS');
const CLICKED = 'EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("click")';
const USER_PERSONALIZATION = 'arn:aws:personalize:::recipe/aws-user-personalization';

interface ShopSpec {
  readonly emptyOnDelete?: boolean;
  /** Adds an Items dataset beside the Interactions dataset. */
  readonly items?: boolean;
  /** Adds a solution on the group. */
  readonly solution?: boolean;
  /** Adds a filter on the Interactions dataset. */
  readonly filter?: boolean;
}

/**
 * Group 'shop' with an Interactions dataset (with EVENT_TYPE), each dataset with a schema of its own.
 * Paths: Group, InteractionsSchema, Group/Interactions, and ItemsSchema, Group/Items, Solution, Filter when asked.
 */
function shopStack(spec: ShopSpec = {}) {
  return synthesize((stack) => {
    const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'shop', emptyOnDelete: spec.emptyOnDelete });
    const schema = (id: string, fields: SchemaField[]) =>
      new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields, { recordName: id }) });
    group.addDataset('Interactions', {
      datasetType: DatasetType.INTERACTIONS, schema: schema('InteractionsSchema', [...INTERACTIONS_FIELDS, SchemaField.stringField('EVENT_TYPE')]),
    });
    if (spec.items) group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schema('ItemsSchema', ITEMS_FIELDS) });
    if (spec.solution) {
      new Solution(stack, 'Solution', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
    }
    if (spec.filter) new Filter(stack, 'Filter', { datasetGroup: group, expression: FilterExpression.fromText(CLICKED) });
  });
}

const settled = (env: LifecycleEnvironment) => until(() => env.service.resources().every((r) => r.status === undefined || r.status === 'ACTIVE'));

/** An event tracker and a filter made in group 'shop' outside the stack, once both are ACTIVE. */
async function trackerAndFilterOutside(env: LifecycleEnvironment) {
  const client = env.client();
  const { eventTrackerArn } = await client.send(new CreateEventTrackerCommand({ name: 'web', datasetGroupArn: GROUP_ARN }));
  const { filterArn } = await client.send(new CreateFilterCommand({ name: 'no-clicks', datasetGroupArn: GROUP_ARN, filterExpression: CLICKED }));
  await settled(env);
  return { tracker: eventTrackerArn!, filter: filterArn! };
}

/** A metric attribution made outside the stack whose revenue metric sums Items.PRICE, once ACTIVE. */
async function attributionOutside(env: LifecycleEnvironment): Promise<string> {
  const { metricAttributionArn } = await env.client().send(new CreateMetricAttributionCommand({
    name: 'revenue',
    datasetGroupArn: GROUP_ARN,
    metrics: [{ eventType: 'purchase', metricName: 'REVENUE', expression: 'SUM(Items.PRICE)' }],
    metricsOutputConfig: { roleArn: `arn:aws:iam::${ACCOUNT}:role/metrics` },
  }));
  await settled(env);
  return metricAttributionArn!;
}

/** A version of `solutionArn` trained outside the stack and a campaign on it, once both are ACTIVE. */
async function campaignOutside(env: LifecycleEnvironment, solutionArn: string): Promise<string> {
  const client = env.client();
  const { solutionVersionArn } = await client.send(new CreateSolutionVersionCommand({ solutionArn }));
  await settled(env);
  const { campaignArn } = await client.send(new CreateCampaignCommand({ name: 'live', solutionVersionArn }));
  await settled(env);
  return campaignArn!;
}

/** The reason of the first failed delete, which must come from a refusal judged within the grace, not from the timeout. */
function blockedReason(result: Awaited<ReturnType<LifecycleEnvironment['destroy']>>, logicalId: string): string {
  expect(result.status).toBe('DELETE_FAILED');
  expect(result.firstFailure?.logicalId).toBe(logicalId);
  const reason = result.firstFailure?.reason ?? '';
  expect(reason).not.toMatch(/Timed out/);
  return reason;
}

describe('a dataset', () => {
  test.concurrent('with emptyOnDelete, an event tracker and a filter made outside the stack are deleted before the Interactions dataset, and nothing is left', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(shopStack({ emptyOnDelete: true }).template), 'CREATE_COMPLETE');
    const { tracker, filter } = await trackerAndFilterOutside(env);

    await destroyAndVerify(env);

    const deleted = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined);
    const order = deleted.map((c) => Object.values(c.input as Record<string, string>)[0]);
    expect(order.indexOf(tracker)).toBeLessThan(order.indexOf(INTERACTIONS_ARN));
    expect(order.indexOf(filter)).toBeLessThan(order.indexOf(INTERACTIONS_ARN));
    expect(order.indexOf(INTERACTIONS_ARN)).toBeLessThan(order.indexOf(GROUP_ARN));
  }));

  test.concurrent('without emptyOnDelete, an event tracker and a filter made outside the stack fail its delete within the grace, listed with how to go on', () => withEnvironment({}, async (env) => {
    const stack = shopStack();
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    const { tracker, filter } = await trackerAndFilterOutside(env);

    const reason = blockedReason(await env.destroy(), stack.logicalIds['Group/Interactions']);

    expect(reason).toContain(`Personalize refused to delete dataset ${INTERACTIONS_ARN}`);
    expect(reason).toContain(tracker);
    expect(reason).toContain(filter);
    expect(reason).toContain('emptyOnDelete');
    // Nothing made outside the stack was touched.
    expect(answersTo(env, 'DeleteEventTracker')).toEqual([]);
    expect(answersTo(env, 'DeleteFilter')).toEqual([]);
    await env.client().send(new DeleteEventTrackerCommand({ eventTrackerArn: tracker }));
    await env.client().send(new DeleteFilterCommand({ filterArn: filter }));
    await env.settledResources();
    await destroyAndVerify(env);
  }));

  test.concurrent('without emptyOnDelete, a metric attribution made outside the stack that sums Items.PRICE fails the Items dataset\'s delete, listed', () => withEnvironment({}, async (env) => {
    const stack = shopStack({ items: true });
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    const attribution = await attributionOutside(env);

    const result = await env.destroy();

    const failed = result.operations.filter((o) => o.status === 'FAILED').map((o) => [o.logicalId, o.reason]);
    expect(failed).toEqual(expect.arrayContaining([
      [stack.logicalIds['Group/Items'], expect.stringContaining(`Personalize refused to delete dataset ${ITEMS_ARN}`)],
    ]));
    for (const [, reason] of failed) {
      expect(reason).toContain(attribution);
      expect(reason).not.toMatch(/Timed out/);
    }
    expect(answersTo(env, 'DeleteMetricAttribution')).toEqual([]);
    await env.client().send(new DeleteMetricAttributionCommand({ metricAttributionArn: attribution }));
    await env.settledResources();
    await destroyAndVerify(env);
  }));

  test.concurrent('with emptyOnDelete, a metric attribution made outside the stack that sums Items.PRICE is deleted first, and nothing is left', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(shopStack({ emptyOnDelete: true, items: true }).template), 'CREATE_COMPLETE');
    const attribution = await attributionOutside(env);

    await destroyAndVerify(env);

    // Both datasets remove it; the one that comes second may meet it already deleting.
    expect(answersTo(env, 'DeleteMetricAttribution')[0]).toBe('ok');
    expect(new Set(answersTo(env, 'DeleteMetricAttribution').slice(1))).toEqual(new Set(answersTo(env, 'DeleteMetricAttribution').length > 1 ? ['ResourceInUseException'] : []));
    expect(env.service.calls.filter((c) => c.operation === 'DeleteMetricAttribution').map((c) => c.input))
      .toEqual(answersTo(env, 'DeleteMetricAttribution').map(() => ({ metricAttributionArn: attribution })));
  }));

  test.concurrent('with emptyOnDelete, a campaign ACTIVE in the group and a training made outside the stack are deleted and stopped first, and nothing is left', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(shopStack({ emptyOnDelete: true }).template), 'CREATE_COMPLETE');
    const client = env.client();
    const { solutionArn } = await client.send(new CreateSolutionCommand({ name: 'outside', datasetGroupArn: GROUP_ARN, recipeArn: USER_PERSONALIZATION }));
    await settled(env);
    const campaignArn = await campaignOutside(env, solutionArn!);
    // A second training that stays CREATE IN_PROGRESS until someone stops it.
    env.service.holdCreation('outside', 'solutionVersion');
    const training = (await client.send(new CreateSolutionVersionCommand({ solutionArn }))).solutionVersionArn!;

    await destroyAndVerify(env);

    expect(env.service.calls.filter((c) => c.operation === 'StopSolutionVersionCreation' && c.errorType === undefined).map((c) => c.input))
      .toContainEqual({ solutionVersionArn: training });
    const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined);
    const at = (arn: string) => deletes.findIndex((c) => Object.values(c.input as Record<string, string>).includes(arn));
    expect(at(campaignArn)).toBeGreaterThanOrEqual(0);
    expect(at(campaignArn)).toBeLessThan(at(INTERACTIONS_ARN));
  }));

  test.concurrent('with emptyOnDelete, a filter the stack still manages is not deleted when a dataset leaves the app; the cleanup fails, listing it', () => withEnvironment({}, async (env) => {
    const before = shopStack({ emptyOnDelete: true, items: true, filter: true });
    await expectStatus(env.deploy(before.template), 'CREATE_COMPLETE');
    const filterArn = arnOf(`filter/${nameIn(before, 'Filter')}`);

    const update = await env.deploy(shopStack({ emptyOnDelete: true, filter: true }).template);

    expect(update.status).toBe('UPDATE_COMPLETE');
    const cleanup = update.operations.find((o) => o.phase === 'cleanup' && o.logicalId === before.logicalIds['Group/Items']);
    expect(cleanup?.status).toBe('FAILED');
    expect(cleanup?.reason).toContain(`Personalize refused to delete dataset ${ITEMS_ARN}`);
    expect(cleanup?.reason).toContain(filterArn);
    expect(cleanup?.reason).not.toMatch(/Timed out/);
    expect(answersTo(env, 'DeleteFilter')).toEqual([]);
    expect(env.service.resources('filter').map((f) => [f.arn, f.status])).toEqual([[filterArn, 'ACTIVE']]);
    // The dataset the cleanup left behind goes with the group; its schema, which it kept in use, is deleted by hand.
    await expectStatus(env.destroy(), 'DELETE_COMPLETE');
    const itemsSchema = arnOf(`schema/${nameIn(before, 'ItemsSchema')}`);
    if (env.service.resources('schema').some((s) => s.arn === itemsSchema)) await env.client().send(new DeleteSchemaCommand({ schemaArn: itemsSchema }));
    await env.verify();
  }));
});

describe('a solution', () => {
  test.concurrent('without emptyOnDelete, a campaign made outside the stack on its version fails its delete within the grace, listing the campaign', () => withEnvironment({}, async (env) => {
    const stack = shopStack({ solution: true });
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    const solutionArn = arnOf(`solution/${nameIn(stack, 'Solution')}`);
    const campaign = await campaignOutside(env, solutionArn);

    const reason = blockedReason(await env.destroy(), stack.logicalIds.Solution);

    expect(reason).toContain(`Personalize refused to delete solution ${solutionArn}`);
    expect(reason).toContain(campaign);
    expect(reason).toContain('emptyOnDelete');
    expect(answersTo(env, 'DeleteCampaign')).toEqual([]);
    await env.client().send(new DeleteCampaignCommand({ campaignArn: campaign }));
    await env.settledResources();
    await destroyAndVerify(env);
  }));

  test.concurrent('with emptyOnDelete, a campaign ACTIVE on a version of the stack\'s solution is deleted before the solution, and nothing is left', () => withEnvironment({}, async (env) => {
    const stack = shopStack({ emptyOnDelete: true, solution: true });
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    const solutionArn = arnOf(`solution/${nameIn(stack, 'Solution')}`);
    const campaign = await campaignOutside(env, solutionArn);

    await destroyAndVerify(env);

    const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined).map((c) => c.input);
    expect(deletes.findIndex((input) => JSON.stringify(input).includes(campaign)))
      .toBeLessThan(deletes.findIndex((input) => JSON.stringify(input) === JSON.stringify({ solutionArn })));
  }));
});
