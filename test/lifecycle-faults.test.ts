/**
 * The fault matrix: every lifecycle operation of a dataset group against every
 * fault the local service can inject, driven through CloudFormation, the
 * Provider framework and the bundled handler. See test/README.md.
 */
import { Domain } from '../src';
import { destroyAndVerify, expectStatus, operationsIn } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, useEnvironment, withEnvironment } from './harness/environment';
import { arnOf, groupStack, nameIn } from './harness/stacks';
import { TIMED_OUT } from './harness/timing';
import { OperationName } from './local-personalize/server';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);
const environment = useEnvironment();

const OWNER_TAG = 'cdk-personalize:owner';
const SHOP = groupStack({ Group: { datasetGroupName: 'shop', tags: { team: 'recsys', stage: 'beta' } } });
const SHOP_RETAGGED = groupStack({ Group: { datasetGroupName: 'shop', tags: { team: 'search', owner: 'ana' } } });
/** Generated names: a domain change gives the replacement a new name. */
const CUSTOM = groupStack({ Group: {} });
const ECOMMERCE = groupStack({ Group: { domain: Domain.ECOMMERCE } });
const SHOP_ARN = arnOf('dataset-group/shop');
const SHOP_ID = SHOP.logicalIds.Group;

/** One lifecycle operation on one dataset group: what it calls, and how to run and check it. */
interface OperationCase {
  readonly name: string;
  /** The calls whose faults the operation must ride out. */
  readonly calls: OperationName[];
  /** Deploys whatever must exist before the operation. */
  prepare(env: LifecycleEnvironment): Promise<unknown>;
  /** Runs the operation; resolves once CloudFormation has finished it. */
  run(env: LifecycleEnvironment): Promise<void>;
}

const OPERATIONS: OperationCase[] = [
  {
    name: 'create',
    calls: ['CreateDatasetGroup', 'DescribeDatasetGroup'],
    prepare: async () => {},
    run: async (env) => {
      const result = await env.deploy(SHOP.template);
      expect(result.status).toBe('CREATE_COMPLETE');
      expect(env.cloudformation.attributesOf(SHOP_ID)).toEqual({ Arn: SHOP_ARN, Name: 'shop' });
      expect(env.service.resources()).toEqual([expect.objectContaining({ arn: SHOP_ARN, status: 'ACTIVE' })]);
    },
  },
  {
    name: 'update in place',
    calls: ['UntagResource', 'TagResource', 'DescribeDatasetGroup'],
    prepare: async (env) => expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE'),
    run: async (env) => {
      const result = await env.deploy(SHOP_RETAGGED.template);
      expect(result.status).toBe('UPDATE_COMPLETE');
      expect(env.cloudformation.physicalIdOf(SHOP_ID)).toBe(SHOP_ARN);
      expect(env.service.resources()[0].tags).toEqual({ team: 'search', owner: 'ana', [OWNER_TAG]: env.ownerOf(SHOP_ID) });
    },
  },
  {
    name: 'replacement',
    calls: ['CreateDatasetGroup', 'DescribeDatasetGroup', 'DeleteDatasetGroup'],
    prepare: async (env) => expectStatus(env.deploy(CUSTOM.template), 'CREATE_COMPLETE'),
    run: async (env) => {
      const result = await env.deploy(ECOMMERCE.template);
      expect(result.status).toBe('UPDATE_COMPLETE');
      const newArn = arnOf(`dataset-group/${nameIn(ECOMMERCE, 'Group')}`);
      expect(env.cloudformation.physicalIdOf(CUSTOM.logicalIds.Group)).toBe(newArn);
      expect((await env.settledResources()).map((r) => [r.arn, r.status, r.domain])).toEqual([[newArn, 'ACTIVE', 'ECOMMERCE']]);
    },
  },
  {
    name: 'delete',
    calls: ['DeleteDatasetGroup', 'DescribeDatasetGroup'],
    prepare: async (env) => expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE'),
    run: async (env) => {
      await expectStatus(env.destroy(), 'DELETE_COMPLETE');
      expect(env.service.resources()).toEqual([]);
    },
  },
];

/** Faults the handler must absorb: each hits every call of the operation, more than once. */
const TRANSIENT_FAULTS: Array<{ name: string; arm: (env: LifecycleEnvironment, call: OperationName) => void }> = [
  { name: 'a burst of throttles', arm: (env, call) => env.service.inject(call, { kind: 'throttle', times: 3 }) },
  { name: 'HTTP 500 answers', arm: (env, call) => env.service.inject(call, { kind: 'http', status: 500, times: 2 }) },
  { name: 'HTTP 503 answers', arm: (env, call) => env.service.inject(call, { kind: 'http', status: 503, times: 2 }) },
  { name: 'connection resets', arm: (env, call) => env.service.inject(call, { kind: 'reset', times: 2 }) },
  { name: 'slow responses', arm: (env, call) => env.service.inject(call, { kind: 'delay', ms: 250 }) },
];

// Each scenario has its own service and handler, so they run side by side.
describe.each(OPERATIONS)('$name', (operation) => {
  test.concurrent.each(TRANSIENT_FAULTS)(`${operation.name} succeeds despite $name`, (fault) => withEnvironment({}, async (env) => {
    await operation.prepare(env);
    for (const call of operation.calls) fault.arm(env, call);

    await operation.run(env);

    // Every armed fault was actually met, so the operation really rode it out.
    expect(env.service.faultsRemaining()).toBe(0);
    await destroyAndVerify(env);
  }));
});

describe('CREATE FAILED', () => {
  const REASON = 'Insufficient privileges for accessing data in the KMS key';

  test.concurrent('create fails with the service reason and the rollback deletes the failed group', () => withEnvironment({}, async (env) => {
    env.service.failCreation('shop', REASON);

    const result = await env.deploy(SHOP.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toContain(`Personalize reported CREATE FAILED for dataset group ${SHOP_ARN}: ${REASON}`);
    expect(result.firstFailure?.physicalId).toBe(SHOP_ARN);
    expect(operationsIn(result, 'rollback')).toEqual([['Delete', SHOP_ID, 'SUCCESS', SHOP_ARN]]);
    await env.verify();
  }));

  test.concurrent('replacement fails with the service reason, deletes the new group and keeps the old one', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(CUSTOM.template), 'CREATE_COMPLETE');
    const oldArn = env.cloudformation.physicalIdOf(CUSTOM.logicalIds.Group)!;
    const newName = nameIn(ECOMMERCE, 'Group');
    env.service.failCreation(newName, REASON);

    const result = await env.deploy(ECOMMERCE.template);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toContain(`Personalize reported CREATE FAILED for dataset group ${arnOf(`dataset-group/${newName}`)}: ${REASON}`);
    expect(env.cloudformation.physicalIdOf(CUSTOM.logicalIds.Group)).toBe(oldArn);
    expect((await env.settledResources()).map((r) => [r.arn, r.status])).toEqual([[oldArn, 'ACTIVE']]);
    await destroyAndVerify(env);
  }));
});

describe('never ACTIVE', () => {
  test.concurrent('create times out with the last status, and the rollback reports that the stuck group cannot be deleted yet', () => withEnvironment({}, async (env) => {
    env.service.neverActivate('shop');

    const result = await env.deploy(SHOP.template);

    expect(result.status).toBe('ROLLBACK_FAILED');
    expect(result.firstFailure?.reason).toMatch(new RegExp(`^${TIMED_OUT} waiting for dataset group ${SHOP_ARN} to be ready; last status: CREATE IN_PROGRESS\\.`));
    const rollback = result.operations.find((o) => o.phase === 'rollback')!;
    expect(rollback.physicalId).toBe(SHOP_ARN);
    expect(rollback.reason).toMatch(new RegExp(`^${TIMED_OUT} waiting for dataset group ${SHOP_ARN} to be deleted; last status: CREATE IN_PROGRESS\\.`));
    // The local service keeps a never-ACTIVE group forever, so it is the one thing left.
    await env.verify({ leftovers: [SHOP_ARN] });
  }));

  test.concurrent('replacement times out with the last status and the stack rolls back to the old group', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(CUSTOM.template), 'CREATE_COMPLETE');
    const oldArn = env.cloudformation.physicalIdOf(CUSTOM.logicalIds.Group)!;
    const newArn = arnOf(`dataset-group/${nameIn(ECOMMERCE, 'Group')}`);
    env.service.neverActivate(nameIn(ECOMMERCE, 'Group'));

    const result = await env.deploy(ECOMMERCE.template);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(new RegExp(`^${TIMED_OUT} waiting for dataset group ${newArn} to be ready; last status: CREATE IN_PROGRESS\\.`));
    expect(env.cloudformation.physicalIdOf(CUSTOM.logicalIds.Group)).toBe(oldArn);
    await destroyAndVerify(env, { leftovers: [newArn] });
  }));
});

describe('request-rate limit', () => {
  const IDS = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7'];
  const MANY = groupStack(Object.fromEntries(IDS.map((id) => [id, {}])));
  const MANY_TAGGED = groupStack(Object.fromEntries(IDS.map((id) => [id, { tags: { team: 'recsys' } }])));
  const MANY_ECOMMERCE = groupStack(Object.fromEntries(IDS.map((id) => [id, { domain: Domain.ECOMMERCE }])));

  /** 5 requests per production second against eight groups at once. */
  const limited = () => environment({ serviceClockSpeed: 50, service: { requestsPerSecond: 5, maxDatasetGroups: 20 } });
  const throttled = (env: LifecycleEnvironment) => env.service.calls.filter((c) => c.errorType === 'LimitExceededException').length;
  /**
   * On a busy machine the handler may be too slow to reach the limit by itself: a burst of throttles
   * at the start of the operation makes sure it meets some, whatever the machine's speed.
   */
  const throttleBurst = (env: LifecycleEnvironment) => env.service.inject('*', { kind: 'throttle', times: 4 });

  test('create of eight groups at once succeeds under a limit of 5 requests per second', async () => {
    const env = await limited();
    throttleBurst(env);
    await expectStatus(env.deploy(MANY.template), 'CREATE_COMPLETE');
    expect(env.service.resources().map((r) => r.status)).toEqual(IDS.map(() => 'ACTIVE'));
    expect(throttled(env)).toBeGreaterThan(0);
    await destroyAndVerify(env);
  });

  test('update in place of eight groups at once succeeds under a limit of 5 requests per second', async () => {
    const env = await limited();
    await expectStatus(env.deploy(MANY.template), 'CREATE_COMPLETE');
    env.service.clearCalls();
    throttleBurst(env);
    await expectStatus(env.deploy(MANY_TAGGED.template), 'UPDATE_COMPLETE');
    expect(env.service.resources().map((r) => r.tags.team)).toEqual(IDS.map(() => 'recsys'));
    expect(throttled(env)).toBeGreaterThan(0);
    await destroyAndVerify(env);
  });

  test('replacement of eight groups at once succeeds under a limit of 5 requests per second', async () => {
    const env = await limited();
    await expectStatus(env.deploy(MANY.template), 'CREATE_COMPLETE');
    env.service.clearCalls();
    throttleBurst(env);
    await expectStatus(env.deploy(MANY_ECOMMERCE.template), 'UPDATE_COMPLETE');
    expect((await env.settledResources()).map((r) => r.domain)).toEqual(IDS.map(() => 'ECOMMERCE'));
    expect(throttled(env)).toBeGreaterThan(0);
    await destroyAndVerify(env);
  });

  test('delete of eight groups at once succeeds under a limit of 5 requests per second', async () => {
    const env = await limited();
    await expectStatus(env.deploy(MANY.template), 'CREATE_COMPLETE');
    env.service.clearCalls();
    throttleBurst(env);
    await expectStatus(env.destroy(), 'DELETE_COMPLETE');
    expect(throttled(env)).toBeGreaterThan(0);
    await env.verify();
  });
});
