/**
 * CloudFormation as it really behaves when a deploy fails: in-flight creates and
 * updates are cancelled, cancelled creates are deleted under physical IDs
 * CloudFormation makes up, and rollbacks meet operations still in flight. Also
 * ownership (never adopt or delete what this stack resource did not make), bounded
 * invocations, blocked deletes and emptyOnDelete. Every in-flight state here is
 * made to happen with holds and gates, never hoped for from real time.
 */
import { CreateDatasetCommand, CreateDatasetGroupCommand, CreateEventTrackerCommand, CreateSchemaCommand, CreateSolutionCommand, CreateSolutionVersionCommand, DeleteEventTrackerCommand } from '@aws-sdk/client-personalize';
import { DatasetGroup, DatasetType, Schema, SchemaDefinition, SchemaField } from '../src';
import { answersTo, destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LocalCloudFormation } from './harness/cloudformation';
import { ACCOUNT, LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, REGION, withEnvironment } from './harness/environment';
import { FUNCTION_KEYS } from './harness/iam';
import { CfnRequest, CfnResponse, ProviderFramework } from './harness/provider-framework';
import { SimClock } from './harness/sim-clock';
import { arnOf, dataModelStack, groupStack, ITEMS_FIELDS, nameIn, synthesize, SynthesizedStack } from './harness/stacks';
import { TemplateJson } from './harness/template';
import { HARNESS_PROVIDER_TIMING, HARNESS_RETRY_POLICY, HARNESS_WAIT_POLICY } from './harness/timing';
import { OWNER_TAG_KEY } from '../src/private/contract';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const INVENTED_ID = (logicalId: string) => new RegExp(`^LifecycleStack-${logicalId}-[A-Z0-9]{12}$`);

const FIELDS: Record<string, SchemaField[]> = {
  Interactions: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')],
  Items: [SchemaField.stringField('ITEM_ID'), SchemaField.stringField('GENRES').categorical()],
  Users: [SchemaField.stringField('USER_ID'), SchemaField.intField('AGE').nullable()],
  Actions: [SchemaField.stringField('ACTION_ID'), SchemaField.intField('VALUE').nullable()],
  ActionInteractions: [SchemaField.stringField('USER_ID'), SchemaField.stringField('ACTION_ID'), SchemaField.longField('TIMESTAMP'),
    SchemaField.stringField('EVENT_TYPE')],
};
const TYPES: Record<string, DatasetType> = {
  Interactions: DatasetType.INTERACTIONS,
  Items: DatasetType.ITEMS,
  Users: DatasetType.USERS,
  Actions: DatasetType.ACTIONS,
  ActionInteractions: DatasetType.ACTION_INTERACTIONS,
};

/** A custom group with all five datasets, each with a schema of its own. */
const FIVE_DATASETS = synthesize((stack) => {
  const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'five' });
  for (const [id, fields] of Object.entries(FIELDS)) {
    const schema = new Schema(stack, `${id}Schema`, { definition: SchemaDefinition.fromFields(fields, { recordName: id }) });
    group.addDataset(id, { datasetType: TYPES[id], schema });
  }
});

/** An explicitly named schema beside a group that will fail. */
const SCHEMA_AND_GROUP = synthesize((stack) => {
  new Schema(stack, 'Orders', { schemaName: 'orders', definition: SchemaDefinition.fromFields(FIELDS.Items, { recordName: 'Items' }) });
  new DatasetGroup(stack, 'Doomed', { datasetGroupName: 'doomed' });
});

/** A Delete for a dataset group sent straight to the provider, with a physical ID a template could never have produced. */
function deliverTamperedDelete(env: LifecycleEnvironment, logicalId: string, properties: Record<string, unknown>, physicalId: string) {
  return env.framework.deliver({
    RequestType: 'Delete',
    ServiceToken: 'token',
    ResponseURL: 'https://example.com',
    StackId: env.cloudformation.identity.stackId,
    RequestId: 'tampered',
    LogicalResourceId: logicalId,
    ResourceType: 'Custom::PersonalizeDatasetGroup',
    ResourceProperties: properties,
    PhysicalResourceId: physicalId,
  });
}

/** A copy of a template with one resource's properties changed, as a tampered or broken template would be. */
function tampered(stack: SynthesizedStack, constructPath: string, change: (properties: Record<string, unknown>) => void): TemplateJson {
  const template = JSON.parse(JSON.stringify(stack.template)) as TemplateJson;
  change(template.Resources[stack.logicalIds[constructPath]].Properties as Record<string, unknown>);
  return template;
}

describe('cancelled creates', () => {
  test.concurrent('a group still creating when a sibling fails is found by name on the rollback Delete, waited for and deleted', () => withEnvironment({}, async (env) => {
    const stack = groupStack({ Slow: { datasetGroupName: 'slow' }, Failing: { datasetGroupName: 'failing' } });
    const slow = env.service.holdCreation('slow');
    const failing = env.service.holdCreation('failing');
    env.service.failCreation('failing', 'The role cannot access the KMS key');
    const deployed = env.deploy(stack.template);
    await slow.reached;
    failing.release();
    // The rollback Delete meets the group while it is still creating and is refused; only then does it settle.
    await until(() => answersTo(env, 'DeleteDatasetGroup').includes('ResourceInUseException'));
    slow.release();

    const result = await deployed;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.operations.find((o) => o.logicalId === stack.logicalIds.Slow && o.phase === 'create'))
      .toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled' });
    const rollbackOfSlow = result.operations.find((o) => o.logicalId === stack.logicalIds.Slow && o.phase === 'rollback')!;
    expect(rollbackOfSlow).toMatchObject({ status: 'SUCCESS', physicalId: expect.stringMatching(INVENTED_ID(stack.logicalIds.Slow)) });
    // The Delete met the group while it was still creating, was refused, and deleted it once it could.
    expect(answersTo(env, 'DeleteDatasetGroup')).toContain('ResourceInUseException');
    await env.verify();
  }));

  test.concurrent('one dataset failing at once while four siblings are creating rolls back all nine resources', () => withEnvironment({}, async (env) => {
    const names = Object.keys(FIELDS).map((id) => nameIn(FIVE_DATASETS, `Group/${id}`));
    const [failingName, ...creatingNames] = [names[2], ...names.filter((_, i) => i !== 2)];
    const creating = creatingNames.map((name) => env.service.holdCreation(name, 'dataset'));
    const failing = env.service.holdCreation(failingName, 'dataset');
    env.service.failCreation(failingName, 'Schema field USER_ID is missing', 'dataset');
    env.cloudformation.onCancel = () => creating.forEach((hold) => hold.release());
    const deployed = env.deploy(FIVE_DATASETS.template);
    await Promise.all([...creating, failing].map((hold) => hold.reached));
    failing.release();

    const result = await deployed;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    // The Dataset shape has no failureReason, so the status is all Personalize says.
    expect(result.firstFailure?.reason).toMatch(/^Personalize reported CREATE FAILED for dataset \S+\/USERS/);
    const cancelled = result.operations.filter((o) => o.phase === 'create' && o.cancelled).map((o) => o.logicalId).sort();
    expect(cancelled).toEqual(['Interactions', 'Items', 'Actions', 'ActionInteractions'].map((id) => FIVE_DATASETS.logicalIds[`Group/${id}`]).sort());
    for (const logicalId of cancelled) {
      expect(result.operations.find((o) => o.phase === 'rollback' && o.logicalId === logicalId))
        .toMatchObject({ status: 'SUCCESS', physicalId: expect.stringMatching(INVENTED_ID(logicalId)) });
    }
    // Group, five schemas and the failed dataset were deleted under their ARNs; nothing is left.
    await env.verify();
  }));

  test.concurrent('a schema created but unanswered when a sibling fails is deleted by the rollback under the physical ID CloudFormation made up', () => withEnvironment({}, async (env) => {
    const response = env.service.gate();
    env.service.inject('CreateSchema', { kind: 'hold', gate: response, afterProcessing: true });
    const doomed = env.service.holdCreation('doomed');
    env.service.failCreation('doomed', 'Quota of dataset groups reached');
    env.cloudformation.onCancel = () => response.open();
    const deployed = env.deploy(SCHEMA_AND_GROUP.template);
    await response.reached;
    doomed.release();

    const result = await deployed;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.operations.find((o) => o.phase === 'rollback' && o.logicalId === SCHEMA_AND_GROUP.logicalIds.Orders))
      .toMatchObject({ status: 'SUCCESS', physicalId: expect.stringMatching(INVENTED_ID(SCHEMA_AND_GROUP.logicalIds.Orders)) });
    expect(answersTo(env, 'DeleteSchema')).toEqual(['ok']);
    await env.verify();
  }));

  test.concurrent('a schema whose cancelled Create lands only after the rollback Delete started is still found and deleted', () => withEnvironment({}, async (env) => {
    const request = env.service.gate();
    env.service.inject('CreateSchema', { kind: 'hold', gate: request });
    const doomed = env.service.holdCreation('doomed');
    env.service.failCreation('doomed', 'Quota of dataset groups reached');
    const deployed = env.deploy(SCHEMA_AND_GROUP.template);
    await request.reached;
    doomed.release();
    // The rollback Delete looks for the schema first; only then does the cancelled Create go through.
    await until(() => env.service.calls.some((c) => c.operation === 'DescribeSchema'));
    request.open();

    const result = await deployed;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(answersTo(env, 'CreateSchema')).toEqual(['ok']);
    expect(answersTo(env, 'DeleteSchema')).toEqual(['ok']);
    await env.verify();
  }));
});

describe('cancelled updates', () => {
  test.concurrent('a rollback waits for a cancelled schema update to land, fails saying which schema the dataset now has, and continue-update-rollback finishes it', () => withEnvironment({}, async (env) => {
    const before = dataModelStack();
    const extended = [...ITEMS_FIELDS, SchemaField.stringField('COLOR').nullable()];
    const after = synthesize((stack) => {
      const group = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail' });
      const schema = (id: string, fields: SchemaField[]) =>
        new Schema(stack, id, { definition: SchemaDefinition.fromFields(fields, { recordName: id }) });
      group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema: schema('InteractionsSchema', FIELDS.Interactions) });
      group.addDataset('Items', { datasetType: DatasetType.ITEMS, schema: schema('ItemsSchema', extended) });
      group.addDataset('Users', { datasetType: DatasetType.USERS, schema: schema('UsersSchema', [SchemaField.stringField('USER_ID'), SchemaField.intField('AGE').nullable()]) });
      new DatasetGroup(stack, 'Extra', { datasetGroupName: 'extra' });
    });
    await expectStatus(env.deploy(before.template), 'CREATE_COMPLETE');
    const itemsArn = env.cloudformation.physicalIdOf(before.logicalIds['Group/Items'])!;
    const update = env.service.holdUpdate(nameIn(before, 'Group/Items'));
    const extra = env.service.holdCreation('extra');
    env.service.failCreation('extra', 'Quota of dataset groups reached');
    env.cloudformation.onCancel = () => update.release();
    const deployed = env.deploy(after.template);
    await update.reached;
    await extra.reached;
    extra.release();

    const result = await deployed;

    expect(result.operations.find((o) => o.phase === 'update' && o.logicalId === before.logicalIds['Group/Items']))
      .toMatchObject({ status: 'FAILED', reason: 'Resource update cancelled' });
    expect(result.status).toBe('UPDATE_ROLLBACK_FAILED');
    const rollback = result.operations.find((o) => o.phase === 'update-rollback' && o.logicalId === before.logicalIds['Group/Items'])!;
    const newSchemaArn = arnOf(`schema/${nameIn(after, 'ItemsSchema')}`);
    expect(rollback.status).toBe('FAILED');
    expect(rollback.reason).toContain(`Dataset ${itemsArn} (Items) uses schema ${newSchemaArn}`);
    expect(rollback.reason).toContain('continue-update-rollback');
    // What the service holds is what the failure says: the dataset has the new schema.
    expect(env.service.resources('dataset').find((d) => d.arn === itemsArn)?.schemaArn).toBe(newSchemaArn);
    // The step the reason gives: continue the rollback, skipping the dataset. The cleanup deletes the failed group; the new
    // Items schema stays, since the skipped dataset still uses it, and it is all that is left once the stack is deleted.
    const continued = await env.cloudformation.continueUpdateRollback([before.logicalIds['Group/Items']]);
    expect(continued.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(env.service.resources('datasetGroup').map((g) => g.arn)).toEqual([arnOf('dataset-group/retail')]);
    await destroyAndVerify(env, { leftovers: [newSchemaArn] });
  }));
});

describe('ownership', () => {
  test.concurrent('two stacks with the same explicit schemaName: the second fails at once and the first keeps its schema', () => withEnvironment({}, async (env) => {
    const stack = synthesize((s) => {
      new Schema(s, 'Orders', { schemaName: 'orders', definition: SchemaDefinition.fromFields(FIELDS.Items, { recordName: 'Items' }) });
    });
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    // Older than the clock skew the handler allows: the first stack's schema is not something the second just made.
    await env.clock.sleep(4 * env.waitPolicy.clockSkewMs);
    const prodIdentity = { ...env.cloudformation.identity, stackName: 'Prod', stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/Prod/1` };
    const prod = new LocalCloudFormation(env.framework, prodIdentity, env.clock);

    const result = await prod.deploy(stack.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(/^A schema named 'orders' already exists \(\S+\) and this stack resource cannot prove it made it/);
    expect(answersTo(env, 'DeleteSchema')).toEqual([]);
    await destroyAndVerify(env);
  }));

  test.concurrent('a Delete whose physical ID names a group this stack resource does not own deletes nothing and succeeds', () => withEnvironment({}, async (env) => {
    const stack = groupStack({ Group: { datasetGroupName: 'ours' } });
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    // Another stack's group, as its own handler (with its own role) made it: tagged as that stack's.
    await env.client().send(new CreateDatasetGroupCommand({ name: 'theirs', tags: [{ tagKey: OWNER_TAG_KEY, tagValue: 'Other/Group' }] }));

    const response = await deliverTamperedDelete(env, stack.logicalIds.Group, { Name: 'ours' }, arnOf('dataset-group/theirs'));

    expect(response.Status).toBe('SUCCESS');
    expect(env.service.resources().map((r) => r.arn).sort()).toEqual([arnOf('dataset-group/ours'), arnOf('dataset-group/theirs')].sort());
    expect(answersTo(env, 'DeleteDatasetGroup')).toEqual([]);
    // The handler read the owner tag (reads are open: they prove ownership) and left the group; IAM would have refused the delete too.
    expect(env.iam.summary().denials).toEqual([]);
    const tagsOf = (arn: string) => env.service.tagsOf(arn);
    expect(env.iam.check(FUNCTION_KEYS.handler, 'personalize', 'DeleteDatasetGroup', { datasetGroupArn: arnOf('dataset-group/theirs') }, tagsOf)?.message)
      .toMatch(/perform: personalize:DeleteDatasetGroup on resource: \S+:dataset-group\/theirs with an explicit deny in an identity-based policy$/);
  }));

  test.concurrent('a Delete whose physical ID is in another region deletes nothing and makes no call', () => withEnvironment({}, async (env) => {
    const response = await deliverTamperedDelete(env, 'Group', { Name: 'shop' }, `arn:aws:personalize:eu-west-1:${ACCOUNT}:dataset-group/shop`);

    expect(response.Status).toBe('SUCCESS');
    expect(env.service.calls).toEqual([]);
  }));

  test.concurrent('a property of the wrong type fails the create naming the property, and nothing is created', () => withEnvironment({}, async (env) => {
    const stack = groupStack({ Group: { datasetGroupName: 'shop' } });

    const result = await env.deploy(tampered(stack, 'Group', (properties) => {
      properties.KmsKeyArn = ['arn:aws:kms:us-east-1:123456789012:key/1'];
    }));

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(/^Property 'KmsKeyArn' must be a string, got a list/);
    expect(env.service.countCalls('CreateDatasetGroup')).toBe(0);
    await env.verify();
  }));

  test.concurrent('tags that set the reserved owner tag are refused by the handler', () => withEnvironment({}, async (env) => {
    const stack = groupStack({ Group: { datasetGroupName: 'shop' } });

    const result = await env.deploy(tampered(stack, 'Group', (properties) => {
      properties.Tags = [{ Key: 'cdk-personalize:owner', Value: 'Prod/Group' }];
    }));

    expect(result.firstFailure?.reason).toMatch(/^Property 'Tags' sets the tag 'cdk-personalize:owner', which is reserved/);
    expect(env.service.countCalls('CreateDatasetGroup')).toBe(0);
    await env.verify();
  }));
});

describe('bounded time', () => {
  // As in production, a call's retry budget outlasts what is left of an invocation late in its window, and the total
  // timeout leaves room for an invocation to spend all its time in a storm and the next one to finish.
  const patient = {
    retryPolicy: { ...HARNESS_RETRY_POLICY, maxAttempts: 200, maxElapsedMs: 5_000 },
    waitPolicy: { ...HARNESS_WAIT_POLICY, totalTimeoutMs: 6_000 },
    providerTiming: { ...HARNESS_PROVIDER_TIMING, totalTimeoutMs: 9_000 },
  };

  test.concurrent('an isComplete invocation caught in a 5xx storm returns before its Lambda timeout, and the next one finishes the create', () => withEnvironment(patient, async (env) => {
    const stack = groupStack({ Group: { datasetGroupName: 'shop' } });
    const creating = env.service.holdCreation('shop');
    const deployed = env.deploy(stack.template);
    const isCompletes = () => env.framework.invocations.filter((i) => i.fn === 'isComplete');
    await until(() => isCompletes().length >= 1);
    env.service.inject('DescribeDatasetGroup', { kind: 'http', status: 503, always: true });
    const stormStart = isCompletes().length;
    // The invocation the storm met ends by itself, before its Lambda timeout, with IsComplete false.
    await until(() => isCompletes().length > stormStart);
    env.service.clearFaults();
    creating.release();

    await expectStatus(deployed, 'CREATE_COMPLETE');

    expect(isCompletes()[stormStart]).toMatchObject({ outcome: 'returned' });
    expect(isCompletes()[stormStart].durationMs).toBeLessThan(HARNESS_PROVIDER_TIMING.isCompleteTimeoutMs);
    expect(answersTo(env, 'DescribeDatasetGroup')).toContain('ServiceUnavailable');
    await destroyAndVerify(env);
  }));

  test.concurrent('a permanent AccessDenied fails after the IAM propagation budget with its own hint, not the quota hint', () => withEnvironment({}, async (env) => {
    env.service.inject('CreateDatasetGroup', { kind: 'error', name: 'AccessDeniedException', message: 'not authorized', always: true });

    const result = await env.deploy(groupStack({ Group: { datasetGroupName: 'shop' } }).template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(/^CreateDatasetGroup still failed after \d+ attempts in \d+ s: AccessDeniedException/);
    expect(result.firstFailure?.reason).toContain('outlasted IAM propagation');
    expect(result.firstFailure?.reason).not.toContain('quota');
    await env.verify();
  }));
});

describe('blocked deletes and emptyOnDelete', () => {
  test.concurrent('a group delete blocked by an event tracker made outside the stack fails soon, listing it, and succeeds once it is gone', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(groupStack({ Group: { datasetGroupName: 'shop' } }).template), 'CREATE_COMPLETE');
    const tracker = await env.client().send(new CreateEventTrackerCommand({ name: 'web', datasetGroupArn: arnOf('dataset-group/shop') }));
    await until(() => env.service.resources('eventTracker').every((t) => t.status === 'ACTIVE'));

    const blocked = await env.destroy();

    expect(blocked.status).toBe('DELETE_FAILED');
    expect(blocked.firstFailure?.reason).toContain(`1 resource(s) that nobody is deleting still block it: ${tracker.eventTrackerArn}`);
    expect(blocked.firstFailure?.reason).toContain('emptyOnDelete');
    expect(blocked.firstFailure?.reason).not.toMatch(/Timed out/);
    await env.client().send(new DeleteEventTrackerCommand({ eventTrackerArn: tracker.eventTrackerArn }));
    await env.settledResources();
    await destroyAndVerify(env);
  }));

  test.concurrent('emptyOnDelete deletes what was made outside the stack in dependency order, stopping training, then the group', () => withEnvironment({}, async (env) => {
    await expectStatus(env.deploy(groupStack({ Group: { datasetGroupName: 'shop', emptyOnDelete: true } }).template), 'CREATE_COMPLETE');
    const client = env.client();
    const groupArn = arnOf('dataset-group/shop');
    await client.send(new CreateEventTrackerCommand({ name: 'web', datasetGroupArn: groupArn }));
    const schema = await client.send(new CreateSchemaCommand({
      name: 'outside', schema: JSON.stringify({ type: 'record', name: 'Users', namespace: 'com.amazonaws.personalize.schema', fields: [{ name: 'USER_ID', type: 'string' }], version: '1.0' }),
    }));
    await client.send(new CreateDatasetCommand({ name: 'outside-users', datasetGroupArn: groupArn, datasetType: 'Users', schemaArn: schema.schemaArn! }));
    const solution = await client.send(new CreateSolutionCommand({ name: 'outside-solution', datasetGroupArn: groupArn, recipeArn: 'arn:aws:personalize:::recipe/aws-user-personalization' }));
    await until(() => env.service.resources().every((r) => r.status === undefined || r.status === 'ACTIVE'));
    env.service.holdCreation('outside-solution', 'solutionVersion');
    await client.send(new CreateSolutionVersionCommand({ solutionArn: solution.solutionArn! }));

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    expect(answersTo(env, 'StopSolutionVersionCreation')).toContain('ok');
    const deletes = env.service.calls.filter((c) => c.operation.startsWith('Delete') && c.errorType === undefined).map((c) => c.operation);
    expect(deletes.indexOf('DeleteSolution')).toBeLessThan(deletes.indexOf('DeleteEventTracker'));
    expect(deletes.indexOf('DeleteEventTracker')).toBeLessThan(deletes.indexOf('DeleteDataset'));
    expect(deletes.indexOf('DeleteDataset')).toBeLessThan(deletes.indexOf('DeleteDatasetGroup'));
    // The schema made outside the stack is not the group's child: it stays.
    await env.verify({ leftovers: [schema.schemaArn!] });
  }));
});

describe('the harness\'s CloudFormation', () => {
  /** A provider that answers at once: Updates to the name 'new' fail, everything else succeeds under its Name. */
  const instantProvider = {
    deliver: async (request: CfnRequest): Promise<CfnResponse> => {
      const failed = request.RequestType === 'Update' && request.ResourceProperties.Name === 'new';
      return {
        Status: failed ? 'FAILED' : 'SUCCESS',
        Reason: failed ? `${request.LogicalResourceId} refused` : 'SUCCESS',
        PhysicalResourceId: request.PhysicalResourceId ?? String(request.ResourceProperties.Name),
        StackId: request.StackId,
        RequestId: request.RequestId,
        LogicalResourceId: request.LogicalResourceId,
      };
    },
  } as unknown as ProviderFramework;
  const twoGroups = (a: string, b: string): TemplateJson => ({
    Resources: {
      A: { Type: 'Custom::PersonalizeDatasetGroup', Properties: { ServiceToken: 'token', Name: a } },
      B: { Type: 'Custom::PersonalizeDatasetGroup', Properties: { ServiceToken: 'token', Name: b } },
    },
  });

  // The explorer's seed 402: the second failure was neither rolled back nor cancelled, and CloudFormation kept its new properties.
  test('two updates that fail at once, before either is cancelled, are both rolled back to their old properties', async () => {
    const clock = new SimClock();
    const cloudformation = new LocalCloudFormation(instantProvider, {
      stackName: 'LifecycleStack', stackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/LifecycleStack/1`, region: REGION, account: ACCOUNT, partition: 'aws',
    }, clock);
    await cloudformation.deploy(twoGroups('a', 'b'));

    const result = await cloudformation.deploy(twoGroups('new', 'new'));
    clock.stop();

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.operations.filter((o) => o.phase === 'update').map((o) => [o.logicalId, o.status, o.cancelled ?? false]).sort())
      .toEqual([['A', 'FAILED', false], ['B', 'FAILED', false]]);
    expect(cloudformation.resources().map((r) => [r.logicalId, r.properties.Name]).sort()).toEqual([['A', 'a'], ['B', 'b']]);
  });
});
