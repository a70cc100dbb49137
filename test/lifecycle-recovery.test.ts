/**
 * Lifecycle scenarios beyond single faults: duplicate deliveries, lost responses,
 * rollbacks, adoption and refusal, in-place tag changes, ordering against
 * dependents, quotas and a 50-resource deploy under a request-rate limit.
 * See test/README.md.
 */
import {
  CreateDatasetCommand, CreateDatasetGroupCommand, CreateSchemaCommand, DeleteDatasetCommand, DeleteDatasetGroupCommand, DeleteSchemaCommand,
} from '@aws-sdk/client-personalize';
import { Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { DatasetGroup, Domain } from '../src';
import { answersTo, destroyAndVerify, expectStatus, operationsIn, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, useEnvironment, withEnvironment } from './harness/environment';
import { CREATE_FAILED_MARKER } from './harness/provider-framework';
import { arnOf, groupStack, nameIn, synthesize } from './harness/stacks';
import { HARNESS_PROVIDER_TIMING, HARNESS_RETRY_POLICY, HARNESS_WAIT_POLICY, TIME_SCALE } from './harness/timing';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);
const environment = useEnvironment();

const OWNER_TAG = 'cdk-personalize:owner';
const SHOP = groupStack({ Group: { datasetGroupName: 'shop', tags: { team: 'recsys' } } });
const SHOP_ID = SHOP.logicalIds.Group;
const SHOP_ARN = arnOf('dataset-group/shop');

/** Deletes a group created outside the stack, once the service allows it. */
async function deleteOutOfBand(env: LifecycleEnvironment, arn: string): Promise<void> {
  await until(() => env.service.resources().some((r) => r.arn === arn && r.status === 'ACTIVE'));
  await env.client().send(new DeleteDatasetGroupCommand({ datasetGroupArn: arn }));
}


describe('the same event delivered twice', () => {
  test.concurrent('a Create delivered twice at once creates one group, and both deliveries answer SUCCESS with its ARN', () => withEnvironment({}, async (env) => {
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Create' ? { times: 2, concurrent: true } : { times: 1 });

    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');

    const [record] = env.cloudformation.requests;
    expect(record.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', SHOP_ARN], ['SUCCESS', SHOP_ARN]]);
    expect(answersTo(env, 'CreateDatasetGroup').sort()).toEqual(['ResourceAlreadyExistsException', 'ok']);
    expect(env.service.resources().map((r) => r.arn)).toEqual([SHOP_ARN]);
    await destroyAndVerify(env);
  }));

  test.concurrent('a Create delivered again after it succeeded adopts the group through its owner tag', () => withEnvironment({}, async (env) => {
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Create' ? { times: 2 } : { times: 1 });

    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');

    expect(env.cloudformation.requests[0].responses.map((r) => [r.Status, r.PhysicalResourceId, r.Data])).toEqual([
      ['SUCCESS', SHOP_ARN, { Arn: SHOP_ARN, Name: 'shop' }],
      ['SUCCESS', SHOP_ARN, { Arn: SHOP_ARN, Name: 'shop' }],
    ]);
    expect(answersTo(env, 'CreateDatasetGroup')).toEqual(['ok', 'ResourceAlreadyExistsException']);
    expect(answersTo(env, 'ListTagsForResource')).toEqual(['ok']);
    await destroyAndVerify(env);
  }));

  test.concurrent('a Delete delivered twice at once answers SUCCESS twice once the group is gone', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Delete' ? { times: 2, concurrent: true } : { times: 1 });

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    const deleteRecord = env.cloudformation.requests.find((r) => r.request.RequestType === 'Delete')!;
    expect(deleteRecord.responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', SHOP_ARN], ['SUCCESS', SHOP_ARN]]);
    expect(answersTo(env, 'DeleteDatasetGroup')[0]).toBe('ok');
    await env.verify();
  }));

  test.concurrent('a Delete delivered again after the group is gone answers SUCCESS without an error', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Delete' ? { times: 2 } : { times: 1 });

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    const deleteRecord = env.cloudformation.requests.find((r) => r.request.RequestType === 'Delete')!;
    expect(deleteRecord.responses.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    // The second delivery looks first, finds nothing, and calls no Delete.
    expect(answersTo(env, 'DeleteDatasetGroup')).toEqual(['ok']);
    await env.verify();
  }));
});

describe('lost responses', () => {
  test.concurrent('a CreateDatasetGroup whose response is lost is retried, meets ResourceAlreadyExists and adopts the group', () => withEnvironment({}, async (env) => {
    env.service.inject('CreateDatasetGroup', { kind: 'reset', afterProcessing: true });

    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');

    expect(answersTo(env, 'CreateDatasetGroup')).toEqual(['reset', 'ResourceAlreadyExistsException']);
    expect(env.cloudformation.physicalIdOf(SHOP_ID)).toBe(SHOP_ARN);
    expect(env.service.resources().map((r) => [r.arn, r.status])).toEqual([[SHOP_ARN, 'ACTIVE']]);
    await destroyAndVerify(env);
  }));

  // The delete takes long enough that the retry always finds it under way.
  test.concurrent('a DeleteDatasetGroup whose response is lost is retried and waits for the delete already under way', () => withEnvironment({ service: { deleteAfterMs: 1_000 } }, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');
    env.service.inject('DeleteDatasetGroup', { kind: 'reset', afterProcessing: true });

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    expect(answersTo(env, 'DeleteDatasetGroup').slice(0, 2)).toEqual(['reset', 'ResourceInUseException']);
    await env.verify();
  }));

  test.concurrent('a TagResource whose response is lost is retried and the update completes in place', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');
    env.service.inject('TagResource', { kind: 'reset', afterProcessing: true });

    await expectStatus(env.deploy(groupStack({ Group: { datasetGroupName: 'shop', tags: { team: 'search' } } }).template), 'UPDATE_COMPLETE');

    expect(answersTo(env, 'TagResource')).toEqual(['reset', 'ok']);
    expect(env.service.resources()[0].tags.team).toBe('search');
    await destroyAndVerify(env);
  }));
});

describe('rollback after a failed create', () => {
  const PAIR = groupStack({ Alpha: { datasetGroupName: 'alpha' }, Beta: { datasetGroupName: 'beta' } });

  test.concurrent('CREATE FAILED seen within onEvent rolls back both groups: the failed one deleted under its ARN, the cancelled one found by name', () => withEnvironment({}, async (env) => {
    env.service.failCreation('beta', 'The role cannot access the KMS key');
    // Alpha is still creating when Beta fails, so CloudFormation cancels it; it settles only then.
    const alpha = env.service.holdCreation('alpha');
    env.cloudformation.onCancel = () => alpha.release();

    const result = await env.deploy(PAIR.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure).toMatchObject({ logicalId: PAIR.logicalIds.Beta, physicalId: arnOf('dataset-group/beta') });
    expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for dataset group \S+\/beta: The role cannot access the KMS key/);
    // onEvent saw the failure, handed it over, and isComplete reported it: the Delete gets the ARN, not the framework's marker.
    expect(env.framework.invocations.filter((i) => i.logicalId === PAIR.logicalIds.Beta && i.requestType === 'Create').map((i) => [i.fn, i.outcome]))
      .toEqual([['onEvent', 'returned'], ['isComplete', 'threw']]);
    expect(result.operations.find((o) => o.logicalId === PAIR.logicalIds.Alpha && o.phase === 'create'))
      .toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled', cancelled: true });
    expect(operationsIn(result, 'rollback').sort()).toEqual([
      ['Delete', PAIR.logicalIds.Alpha, 'SUCCESS', expect.stringMatching(new RegExp(`^LifecycleStack-${PAIR.logicalIds.Alpha}-[A-Z0-9]{12}$`))],
      ['Delete', PAIR.logicalIds.Beta, 'SUCCESS', arnOf('dataset-group/beta')],
    ]);
    await env.verify();
  }));

  // Activation outlasts onEvent's polling window, so isComplete sees the failure.
  test.concurrent('CREATE FAILED seen later by isComplete rolls back to nothing', () => withEnvironment({ service: { activeAfterMs: 1_300 } }, async (env) => {
    env.service.failCreation('shop', 'Dataset group creation failed: internal error');

    const result = await env.deploy(SHOP.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toContain(`Personalize reported CREATE FAILED for dataset group ${SHOP_ARN}: Dataset group creation failed: internal error`);
    const invocations = env.framework.invocations.filter((i) => i.requestType === 'Create').map((i) => [i.fn, i.outcome]);
    expect(invocations[0]).toEqual(['onEvent', 'returned']);
    expect(invocations.slice(1).every(([fn]) => fn === 'isComplete')).toBe(true);
    expect(invocations[invocations.length - 1]).toEqual(['isComplete', 'threw']);
    expect(operationsIn(result, 'rollback')).toEqual([['Delete', SHOP_ID, 'SUCCESS', SHOP_ARN]]);
    await env.verify();
  }));
});

describe('adoption and refusal', () => {
  test.concurrent('a group of the same name created outside the stack (no owner tag) fails the create with a clear reason and is left alone', () => withEnvironment({}, async (env) => {
    await env.client().send(new CreateDatasetGroupCommand({ name: 'shop' }));

    const result = await env.deploy(SHOP.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(new RegExp(`^A dataset group named 'shop' already exists \\(${SHOP_ARN}\\) and this stack resource `
      + 'cannot prove it made it\\. Choose another datasetGroupName'));
    expect(operationsIn(result, 'rollback')).toEqual([['Delete', SHOP_ID, 'SUCCESS', CREATE_FAILED_MARKER]]);
    expect(env.service.countCalls('DeleteDatasetGroup')).toBe(0);
    expect(env.service.resources().map((r) => [r.arn, r.tags])).toEqual([[SHOP_ARN, {}]]);

    await deleteOutOfBand(env, SHOP_ARN);
    // IAM lets the handler read the tags of what it did not name only under this stack's owner tag.
    await env.verify({ denials: [/perform: personalize:ListTagsForResource on resource: \S+:dataset-group\/shop /] });
  }));

  test.concurrent('a group of the same name owned by another stack resource is refused, not adopted', () => withEnvironment({}, async (env) => {
    await env.client().send(new CreateDatasetGroupCommand({ name: 'shop', tags: [{ tagKey: OWNER_TAG, tagValue: 'OtherStack/Group1234' }] }));

    const result = await env.deploy(SHOP.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toContain(`A dataset group named 'shop' already exists (${SHOP_ARN}) and this stack resource cannot prove it made it.`);
    expect(env.service.resources()[0].tags).toEqual({ [OWNER_TAG]: 'OtherStack/Group1234' });

    await deleteOutOfBand(env, SHOP_ARN);
    await env.verify({ denials: [/perform: personalize:ListTagsForResource on resource: \S+:dataset-group\/shop /] });
  }));

  test.concurrent('a replacement that keeps the same name is refused with a message naming datasetGroupName, and the rollback completes', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');

    const result = await env.deploy(groupStack({ Group: { datasetGroupName: 'shop', domain: Domain.ECOMMERCE, tags: { team: 'recsys' } } }).template);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(/^Changing domain of dataset group 'shop' needs a replacement, but the replacement would have the same name .* Change datasetGroupName/);
    expect(env.service.countCalls('CreateDatasetGroup')).toBe(1);
    expect(env.service.resources().map((r) => [r.arn, r.status, r.domain])).toEqual([[SHOP_ARN, 'ACTIVE', undefined]]);
    await destroyAndVerify(env);
  }));
});

describe('updates', () => {
  test.concurrent('a change of tags only is applied in place with UntagResource and TagResource, keeping the physical ID', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(groupStack({ Group: { datasetGroupName: 'shop', tags: { team: 'recsys', stage: 'beta' } } }).template), 'CREATE_COMPLETE');

    const result = await expectStatus(env.deploy(groupStack({ Group: { datasetGroupName: 'shop', tags: { team: 'search' } } }).template), 'UPDATE_COMPLETE');

    expect(operationsIn(result, 'update')).toEqual([['Update', SHOP_ID, 'SUCCESS', SHOP_ARN]]);
    expect(operationsIn(result, 'cleanup')).toEqual([]);
    expect(env.service.calls.filter((c) => c.operation === 'UntagResource' || c.operation === 'TagResource')
      .map((c) => [c.operation, c.input.tagKeys ?? c.input.tags]))
      .toEqual([['UntagResource', ['stage']], ['TagResource', [{ tagKey: 'team', tagValue: 'search' }]]]);
    expect(env.service.countCalls('CreateDatasetGroup') + env.service.countCalls('DeleteDatasetGroup')).toBe(1);
    expect(env.service.resources()[0].tags).toEqual({ team: 'search', [OWNER_TAG]: env.ownerOf(SHOP_ID) });
    await destroyAndVerify(env);
  }));

  /** Alpha's domain change replaces it while Beta's tag change is about to fail; deploys the "before" stack. */
  const deployReplacementPair = async (env: LifecycleEnvironment) => {
    const before = groupStack({ Alpha: {}, Beta: { datasetGroupName: 'beta', tags: { team: 'a' } } });
    const after = groupStack({ Alpha: { domain: Domain.ECOMMERCE }, Beta: { datasetGroupName: 'beta', tags: { team: 'b' } } });
    await expectStatus(env.deploy(before.template), 'CREATE_COMPLETE');
    const oldArn = env.cloudformation.physicalIdOf(before.logicalIds.Alpha)!;
    const newArn = arnOf(`dataset-group/${nameIn(after, 'Alpha')}`);
    return { before, after, oldArn, newArn };
  };

  test.concurrent('a replacement that completed before another resource failed is rolled back: the old group stays, the new one is deleted in the cleanup', () => withEnvironment({}, async (env) => {
    const { before, after, oldArn, newArn } = await deployReplacementPair(env);
    // Beta's tag change fails, but only once CloudFormation has Alpha's replacement: nothing is in flight to cancel.
    const betaTagging = env.service.gate();
    const betaOnly = (input: any) => input.resourceArn.endsWith('/beta');
    env.service.inject('ListTagsForResource', { kind: 'hold', gate: betaTagging, when: betaOnly });
    env.service.inject('TagResource', { kind: 'error', name: 'InvalidInputException', message: 'Tag policy violation', when: betaOnly });
    const deployed = env.deploy(after.template);
    await until(() => env.cloudformation.requests.some((r) => r.request.LogicalResourceId === before.logicalIds.Alpha && r.phase === 'update'));
    betaTagging.open();

    const result = await deployed;

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.firstFailure).toMatchObject({ logicalId: before.logicalIds.Beta });
    expect(result.firstFailure?.reason).toMatch(/^Tag policy violation/);
    expect(operationsIn(result, 'update-rollback').sort()).toEqual([
      ['Update', before.logicalIds.Alpha, 'SUCCESS', oldArn],
      ['Update', before.logicalIds.Beta, 'SUCCESS', arnOf('dataset-group/beta')],
    ]);
    expect(operationsIn(result, 'rollback-cleanup')).toEqual([['Delete', before.logicalIds.Alpha, 'SUCCESS', newArn]]);
    expect(env.cloudformation.physicalIdOf(before.logicalIds.Alpha)).toBe(oldArn);
    expect((await env.settledResources()).map((r) => [r.arn, r.status, r.tags.team]).sort()).toEqual([
      [arnOf('dataset-group/beta'), 'ACTIVE', 'a'],
      [oldArn, 'ACTIVE', undefined],
    ].sort());
    await destroyAndVerify(env);
  }));

  test.concurrent('a replacement cancelled because another resource failed is rolled back: the rollback update deletes the group CloudFormation never heard of', () => withEnvironment({}, async (env) => {
    const { before, after, oldArn, newArn } = await deployReplacementPair(env);
    // The new group is still creating when Beta fails; it settles only once CloudFormation has cancelled the update.
    const replacement = env.service.holdCreation(nameIn(after, 'Alpha'));
    env.cloudformation.onCancel = () => replacement.release();
    env.service.inject('TagResource', { kind: 'error', name: 'InvalidInputException', message: 'Tag policy violation', when: (input) => input.resourceArn.endsWith('/beta') });
    const deployed = env.deploy(after.template);
    await replacement.reached;

    const result = await deployed;

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.operations.find((o) => o.logicalId === before.logicalIds.Alpha && o.phase === 'update'))
      .toMatchObject({ status: 'FAILED', reason: 'Resource update cancelled', physicalId: oldArn });
    expect(operationsIn(result, 'update-rollback').sort()).toEqual([
      ['Update', before.logicalIds.Alpha, 'SUCCESS', oldArn],
      ['Update', before.logicalIds.Beta, 'SUCCESS', arnOf('dataset-group/beta')],
    ]);
    expect(operationsIn(result, 'rollback-cleanup')).toEqual([]);
    await env.cloudformation.settled();
    expect((await env.settledResources()).map((r) => r.arn).sort()).toEqual([arnOf('dataset-group/beta'), oldArn].sort());
    expect(answersTo(env, 'DeleteDatasetGroup')).toContain('ok');
    expect(env.service.calls.filter((c) => c.operation === 'DeleteDatasetGroup').map((c) => c.input.datasetGroupArn)).toContain(newArn);
    await destroyAndVerify(env);
  }));

  test.concurrent('attributes returned by isComplete after a slow activation reach a dependent resource', () => withEnvironment({ service: { activeAfterMs: 1_300 } }, async (env) => {
    const stack = synthesize((s) => {
      const alpha = new DatasetGroup(s, 'Alpha', { datasetGroupName: 'alpha' });
      const beta = new DatasetGroup(s, 'Beta', { datasetGroupName: 'beta' });
      Tags.of(beta).add('peer', alpha.datasetGroupName);
    });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    expect(env.framework.invocations.filter((i) => i.logicalId === stack.logicalIds.Alpha).map((i) => i.fn)).toContain('isComplete');
    expect(env.cloudformation.attributesOf(stack.logicalIds.Alpha)).toEqual({ Arn: arnOf('dataset-group/alpha'), Name: 'alpha' });
    expect(env.service.resources().find((r) => r.name === 'beta')?.tags.peer).toBe('alpha');
    await destroyAndVerify(env);
  }));
});

describe('deletes', () => {
  test.concurrent('deleting a group whose dataset is still deleting waits on ResourceInUse and then succeeds', () => withEnvironment({ service: { deleteAfterMs: 600 } }, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');
    const client = env.client();
    const schema = await client.send(new CreateSchemaCommand({
      name: 'items',
      schema: JSON.stringify({ type: 'record', name: 'Items', namespace: 'com.amazonaws.personalize.schema', fields: [{ name: 'ITEM_ID', type: 'string' }], version: '1.0' }),
    }));
    const dataset = await client.send(new CreateDatasetCommand({ name: 'items', datasetGroupArn: SHOP_ARN, datasetType: 'Items', schemaArn: schema.schemaArn }));
    await until(() => env.service.resources('dataset')[0]?.status === 'ACTIVE');
    await client.send(new DeleteDatasetCommand({ datasetArn: dataset.datasetArn }));

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    expect(answersTo(env, 'DeleteDatasetGroup')).toContain('ResourceInUseException');
    expect(answersTo(env, 'DeleteDatasetGroup').slice(-1)).toEqual(['ok']);
    await client.send(new DeleteSchemaCommand({ schemaArn: schema.schemaArn }));
    await env.verify();
  }));

  test.concurrent('a group deleted outside CloudFormation counts as deleted', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(SHOP.template), 'CREATE_COMPLETE');
    await env.client().send(new DeleteDatasetGroupCommand({ datasetGroupArn: SHOP_ARN }));
    await until(() => env.service.resources().length === 0);

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    // Only the delete made outside the stack: the handler looked, found nothing, and called no Delete.
    expect(answersTo(env, 'DeleteDatasetGroup')).toEqual(['ok']);
    await env.verify();
  }));
});

describe('scale and quotas', () => {
  test('50 groups created at once against a limit of 5 requests per second all succeed, and are all deleted', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `Group${i}`);
    const stack = groupStack(Object.fromEntries(ids.map((id) => [id, {}])));
    // 50 groups at 5 requests per second need minutes in production, where the total timeout is 30 minutes and each call
    // may retry for 100 s: the harness shortens both far below ÷50 (its order of timeouts is the point elsewhere), so this
    // scenario gets the production budgets, scaled ÷50.
    const env = await environment({
      serviceClockSpeed: 50,
      service: { requestsPerSecond: 5, maxDatasetGroups: 50 },
      waitPolicy: { ...HARNESS_WAIT_POLICY, totalTimeoutMs: 36_000 },
      providerTiming: { ...HARNESS_PROVIDER_TIMING, totalTimeoutMs: 54_000 },
      retryPolicy: { ...HARNESS_RETRY_POLICY, maxAttempts: 40, maxElapsedMs: 100_000 / TIME_SCALE },
    });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    expect(env.service.resources().filter((r) => r.status === 'ACTIVE')).toHaveLength(50);
    expect(answersTo(env, 'CreateDatasetGroup').filter((a) => a === 'LimitExceededException').length).toBeGreaterThan(0);
    await destroyAndVerify(env);
  });

  test.concurrent('a full dataset group quota fails the create with a reason that names the quota, and the rollback deletes the rest', () => withEnvironment({ service: { maxDatasetGroups: 2 } }, async (env) => {
    const stack = groupStack({ A: { datasetGroupName: 'a' }, B: { datasetGroupName: 'b' }, C: { datasetGroupName: 'c' } });

    const result = await env.deploy(stack.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(new RegExp('^CreateDatasetGroup still failed after \\d+ attempts in \\d+ s: '
      + 'LimitExceededException \\(HTTP 400\\): The limit of 2 dataset groups has been reached\\. .*quota'));
    await env.verify();
  }));

  test.concurrent('a group encrypted with a KMS key gets well-formed key and role ARNs from the template and deploys', () => withEnvironment({}, async (env) => {
    const stack = synthesize((s) => {
      const key = new kms.Key(s, 'Key');
      const role = new iam.Role(s, 'KeyAccess', { assumedBy: new iam.ServicePrincipal('personalize.amazonaws.com') });
      new DatasetGroup(s, 'Group', { datasetGroupName: 'secure', kmsKey: key, role });
    });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    const create = env.service.calls.find((c) => c.operation === 'CreateDatasetGroup')!.input;
    expect(create.kmsKeyArn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(create.roleArn).toMatch(/^arn:aws:iam::123456789012:role\/KeyAccess[0-9A-F]{8}$/);
    await destroyAndVerify(env);
  }));
});
