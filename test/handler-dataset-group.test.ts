import {
  CreateDatasetGroupCommand,
  DeleteDatasetGroupCommand,
  DeleteRecommenderCommand,
  DeleteSolutionCommand,
  DescribeDatasetGroupCommand,
  ListDatasetsCommand,
  ListTagsForResourceCommand,
  StopSolutionVersionCreationCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-personalize';
import 'aws-sdk-client-mock-jest';
import { DEFAULT_WAIT_POLICY, WaitPolicy } from '../lambda/engine';
import {
  createGroupEvent, deleteGroupEvent, describedGroup, GROUP_ARN, GROUP_NAME, groupArn, KEY_ARN, ROLE_ARN,
  SHORT_WAIT_POLICY, updateGroupEvent,
} from './support/dataset-group-fixtures';
import { isCompleteEvent, OWNER, tagged } from './support/events';
import { GroupContents } from './support/group-contents';
import { mockedHandlers } from './support/mocked-handlers';
import { alreadyExists, inUse, notFound, serviceError } from './support/personalize-errors';
import { pollUntilDone, runToCompletion } from './support/polling';
import { OWNER_TAG_KEY } from '../src/private/contract';


const mocked = mockedHandlers();
const { personalizeMock, clock } = mocked;
const handlers = (waitPolicy?: WaitPolicy) => mocked.handlers({ waitPolicy });

describe('Create', () => {
  test('calls CreateDatasetGroup with the name, domain, key, role and tags plus the owner tag', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    await handlers().onEvent(createGroupEvent({ Domain: 'ECOMMERCE', KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN }));

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetGroupCommand, {
      name: GROUP_NAME,
      domain: 'ECOMMERCE',
      kmsKeyArn: KEY_ARN,
      roleArn: ROLE_ARN,
      tags: [{ tagKey: 'team', tagValue: 'recsys' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
  });

  test('leaves domain, key and role out of CreateDatasetGroup when the properties have none', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));

    await handlers().onEvent(createGroupEvent());

    const input = personalizeMock.commandCalls(CreateDatasetGroupCommand)[0].args[0].input;
    expect(input.domain).toBeUndefined();
    expect(input.kmsKeyArn).toBeUndefined();
    expect(input.roleArn).toBeUndefined();
  });

  test('returns the ARN as physical ID, with Arn and Name data, settled, when the group is ACTIVE within the onEvent window', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand)
      .resolvesOnce(describedGroup('CREATE PENDING'))
      .resolvesOnce(describedGroup('CREATE IN_PROGRESS'))
      .resolves(describedGroup('ACTIVE'));

    const result = await handlers().onEvent(createGroupEvent());

    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
    expect(result.Data).toEqual({ Arn: GROUP_ARN, Name: GROUP_NAME });
    expect(result.Lifecycle).toMatchObject({ operation: 'create', settled: true });
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, 3);
    expect(personalizeMock).toHaveReceivedCommandWith(DescribeDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
  });

  test('isComplete after a settled onEvent completes without calling Personalize', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    const { onEvent, isComplete } = handlers();
    const request = createGroupEvent();
    const started = await onEvent(request);
    const callsBefore = personalizeMock.calls().length;

    const result = await isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle));

    expect(result.IsComplete).toBe(true);
    expect(personalizeMock.calls()).toHaveLength(callsBefore);
  });

  test('hands over unsettled to isComplete when the group is still creating at the end of the onEvent window', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));

    const result = await handlers(SHORT_WAIT_POLICY).onEvent(createGroupEvent());

    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
    expect(result.Data).toBeUndefined();
    expect(result.Lifecycle).toMatchObject({ operation: 'create', startedAt: expect.any(Number), settled: false });
    expect(result.Lifecycle.failure).toBeUndefined();
  });

  test('CREATE FAILED within the onEvent window is handed to isComplete with the ARN as physical ID, not thrown', async () => {
    // Thrown from onEvent, the failure would reach CloudFormation with the Provider framework's placeholder ID,
    // and the rollback Delete could not remove the failed group.
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE FAILED', 'KMS key is disabled'));
    const { onEvent, isComplete } = handlers();
    const request = createGroupEvent();

    const started = await onEvent(request);
    expect(started.PhysicalResourceId).toBe(GROUP_ARN);
    expect(started.Lifecycle).toMatchObject({ operation: 'create', settled: false, failure: expect.stringContaining('KMS key is disabled') });

    personalizeMock.resetHistory();
    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).rejects.toThrow(
      `Personalize reported CREATE FAILED for dataset group ${GROUP_ARN}: KMS key is disabled`);
    // CloudFormation deletes a failed create through its rollback Delete, which now carries the ARN.
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('a group that disappears within the onEvent window is reported by isComplete too', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    personalizeMock.on(DescribeDatasetGroupCommand).rejects(notFound());
    const { onEvent, isComplete } = handlers();
    const request = createGroupEvent();

    const started = await onEvent(request);

    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).rejects.toThrow(/disappeared/);
  });

  describe('when the name is already taken (a retried Create whose first response was lost)', () => {
    beforeEach(() => {
      personalizeMock.on(CreateDatasetGroupCommand).rejects(alreadyExists());
      personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    });

    test('adopts the existing group when it carries this stack resource\'s owner tag and has the configuration asked for', async () => {
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());

      const result = await handlers().onEvent(createGroupEvent());

      expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: GROUP_ARN });
      expect(result.PhysicalResourceId).toBe(GROUP_ARN);
      expect(result.Lifecycle.settled).toBe(true);
    });

    test('refuses, naming datasetGroupName, when the existing group has no owner tag', async () => {
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }, null));

      await expect(handlers().onEvent(createGroupEvent())).rejects.toThrow(
        `A dataset group named '${GROUP_NAME}' already exists (${GROUP_ARN}) and this stack resource cannot prove it made it. `
        + 'Choose another datasetGroupName (or remove it to let the library generate one), or delete the existing dataset group '
        + 'if nothing else uses it.');
      expect(personalizeMock).not.toHaveReceivedCommand(DescribeDatasetGroupCommand);
    });

    test('refuses when the existing group\'s owner tag names another stack resource', async () => {
      personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({}, 'OtherStack/Resource'));

      await expect(handlers().onEvent(createGroupEvent())).rejects.toThrow(/cannot prove it made it.*datasetGroupName/);
    });
  });
});

describe('isComplete while creating', () => {
  async function isCompleteFor(status: string, failureReason?: string) {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup(status, failureReason));
    const event = isCompleteEvent(createGroupEvent(), GROUP_ARN, { operation: 'create', startedAt: clock.now(), settled: false });
    return handlers(SHORT_WAIT_POLICY).isComplete(event);
  }

  test('ACTIVE completes with the Arn and Name data', async () => {
    await expect(isCompleteFor('ACTIVE')).resolves.toEqual({ IsComplete: true, Data: { Arn: GROUP_ARN, Name: GROUP_NAME } });
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('%s returns IsComplete false once its window has passed', async (status) => {
    const startedAt = clock.now();

    await expect(isCompleteFor(status)).resolves.toEqual({ IsComplete: false });
    expect(clock.now() - startedAt).toBeLessThanOrEqual(SHORT_WAIT_POLICY.isCompleteWindowMs);
    expect(personalizeMock).toHaveReceivedCommand(DescribeDatasetGroupCommand);
  });

  test('CREATE FAILED fails with the service\'s failureReason in the message', async () => {
    await expect(isCompleteFor('CREATE FAILED', 'The role cannot use the KMS key')).rejects.toThrow(
      `Personalize reported CREATE FAILED for dataset group ${GROUP_ARN}: The role cannot use the KMS key`);
  });

  test('CREATE FAILED without a reason still fails, saying no reason was given', async () => {
    await expect(isCompleteFor('CREATE FAILED')).rejects.toThrow(/CREATE FAILED.*no reason given/);
  });

  test('DELETE PENDING while creating fails', async () => {
    await expect(isCompleteFor('DELETE PENDING')).rejects.toThrow(/Personalize reported DELETE PENDING for dataset group/);
  });

  test('an unknown status fails, naming the status', async () => {
    await expect(isCompleteFor('REBALANCING')).rejects.toThrow(/Personalize reported REBALANCING/);
  });

  test('a group that disappears while creating fails with a message saying so', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).rejects(notFound());
    const event = isCompleteEvent(createGroupEvent(), GROUP_ARN, { operation: 'create', startedAt: clock.now(), settled: false });

    await expect(handlers(SHORT_WAIT_POLICY).isComplete(event)).rejects.toThrow(
      `Dataset group ${GROUP_ARN} disappeared while waiting for it to be ready; it was probably deleted outside CloudFormation.`);
  });

  test('a group that never settles fails after totalTimeoutMs with the last status seen', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    const { isComplete } = handlers(SHORT_WAIT_POLICY);
    const event = isCompleteEvent(createGroupEvent(), GROUP_ARN, { operation: 'create', startedAt: clock.now(), settled: false });

    let failure: unknown;
    for (let invocation = 0; invocation < 100 && failure === undefined; invocation++) {
      try {
        expect(await isComplete(event)).toEqual({ IsComplete: false });
        clock.advance(1_000); // the Provider framework's queryInterval between invocations
      } catch (error) {
        failure = error;
      }
    }

    expect(String(failure)).toMatch(new RegExp(
      `Timed out after \\d+ s waiting for dataset group ${GROUP_ARN} to be ready; last status: CREATE IN_PROGRESS\\.`));
    expect(clock.now() - event.Lifecycle!.startedAt).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.totalTimeoutMs);
  });

  test('an event without a hand-over (no Lifecycle) is polled as a fresh create', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    const event = { ...createGroupEvent(), PhysicalResourceId: GROUP_ARN };

    await expect(handlers().isComplete(event)).resolves.toEqual({ IsComplete: true, Data: { Arn: GROUP_ARN, Name: GROUP_NAME } });
  });
});

describe('Update', () => {
  beforeEach(() => {
    personalizeMock.on(DescribeDatasetGroupCommand).callsFake((input) => {
      const name = String(input.datasetGroupArn).split('/')[1];
      return describedGroup('ACTIVE', undefined, name);
    });
    // What groupProperties() asks for: the tags of an earlier deployment that landed.
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));
  });

  test('a tags-only change untags removed keys, tags added and changed ones, and keeps the physical ID', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys', env: 'dev', keep: 'same' }));
    const event = updateGroupEvent(
      { Tags: [{ Key: 'team', Value: 'recsys' }, { Key: 'env', Value: 'dev' }, { Key: 'keep', Value: 'same' }] },
      { Tags: [{ Key: 'team', Value: 'search' }, { Key: 'cost-center', Value: '42' }, { Key: 'keep', Value: 'same' }] },
    );

    const result = await handlers().onEvent(event);

    expect(personalizeMock).toHaveReceivedCommandTimes(UntagResourceCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: GROUP_ARN, tagKeys: ['env'] });
    expect(personalizeMock).toHaveReceivedCommandTimes(TagResourceCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(TagResourceCommand, {
      resourceArn: GROUP_ARN,
      tags: [{ tagKey: 'team', tagValue: 'search' }, { tagKey: 'cost-center', tagValue: '42' }],
    });
    expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetGroupCommand);
    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
    expect(result.Lifecycle).toMatchObject({ operation: 'update', settled: true });
    expect(result.Data).toEqual({ Arn: GROUP_ARN, Name: GROUP_NAME });
  });

  test('removing every tag untags them all but never the owner tag', async () => {
    const event = updateGroupEvent({ Tags: [{ Key: 'team', Value: 'recsys' }] }, { Tags: [] });

    await handlers().onEvent(event);

    expect(personalizeMock).toHaveReceivedCommandTimes(UntagResourceCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: GROUP_ARN, tagKeys: ['team'] });
    expect(personalizeMock).not.toHaveReceivedCommand(TagResourceCommand);
  });

  test('an update that changes nothing reads the tags and changes none', async () => {
    const result = await handlers().onEvent(updateGroupEvent({}, {}));

    expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: GROUP_ARN });
    expect(personalizeMock).not.toHaveReceivedCommand(TagResourceCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(UntagResourceCommand);
    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
  });

  test.each([
    ['domain', { Domain: 'ECOMMERCE' }, { Domain: 'VIDEO_ON_DEMAND' }],
    ['KMS key', {}, { KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN }],
    ['role', { KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN }, { KmsKeyArn: KEY_ARN, RoleArn: `${ROLE_ARN}2` }],
    ['name', {}, {}],
  ])('a %s change replaces the group: CreateDatasetGroup under the new name and a new physical ID', async (_label, oldProps, newProps) => {
    const newName = `${GROUP_NAME}-v2`;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: groupArn(newName) });

    const result = await handlers().onEvent(updateGroupEvent(oldProps, { ...newProps, Name: newName }));

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetGroupCommand, {
      name: newName,
      domain: (newProps as Record<string, string>).Domain,
      kmsKeyArn: (newProps as Record<string, string>).KmsKeyArn,
      roleArn: (newProps as Record<string, string>).RoleArn,
      tags: [{ tagKey: 'team', tagValue: 'recsys' }, { tagKey: OWNER_TAG_KEY, tagValue: OWNER }],
    });
    expect(result.PhysicalResourceId).toBe(groupArn(newName));
    expect(result.Data).toEqual({ Arn: groupArn(newName), Name: newName });
    // CloudFormation deletes the old group once it sees the new physical ID.
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(TagResourceCommand);
  });

  test('a replacement that reports CREATE FAILED is deleted again before isComplete reports the failure', async () => {
    const newName = `${GROUP_NAME}-v2`;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: groupArn(newName) });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE FAILED', 'Role cannot use the key', newName));
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    const { onEvent, isComplete } = handlers();
    const request = updateGroupEvent({}, { Name: newName, Domain: 'ECOMMERCE' });

    const started = await onEvent(request);
    expect(started.PhysicalResourceId).toBe(groupArn(newName));

    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).rejects.toThrow(
      'Role cannot use the key');
    // CloudFormation keeps the old group and forgets the new one, so only the new one is deleted.
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: groupArn(newName) });
  });

  test('a replacement that never becomes ACTIVE is deleted again when the wait times out', async () => {
    const newName = `${GROUP_NAME}-v2`;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: groupArn(newName) });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS', undefined, newName));
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    const { onEvent, isComplete } = handlers(SHORT_WAIT_POLICY);
    const request = updateGroupEvent({}, { Name: newName });
    const started = await onEvent(request);
    const event = isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle);

    let failure: unknown;
    for (let invocation = 0; invocation < 100 && failure === undefined; invocation++) {
      await isComplete(event).then(() => clock.advance(1_000), (error) => { failure = error; });
    }

    expect(String(failure)).toMatch(/Timed out .* last status: CREATE IN_PROGRESS/);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: groupArn(newName) });
    expect(personalizeMock).not.toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
  });

  test('a failed replacement that cannot be deleted says to delete it by hand', async () => {
    const newName = `${GROUP_NAME}-v2`;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: groupArn(newName) });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE FAILED', 'Role cannot use the key', newName));
    personalizeMock.on(DeleteDatasetGroupCommand).rejects(serviceError('InvalidInputException', 400, 'No.'));
    const { onEvent, isComplete } = handlers();
    const request = updateGroupEvent({}, { Name: newName });
    const started = await onEvent(request);

    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).rejects.toThrow(
      `Role cannot use the key Deleting the replacement ${groupArn(newName)} failed (InvalidInputException (HTTP 400): No.); delete it by hand.`);
  });

  test('a failed replacement whose delete is refused still reports the original failure', async () => {
    const newName = `${GROUP_NAME}-v2`;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: groupArn(newName) });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE FAILED', 'Role cannot use the key', newName));
    personalizeMock.on(DeleteDatasetGroupCommand).rejects(inUse());
    const { onEvent, isComplete } = handlers();
    const request = updateGroupEvent({}, { Name: newName });
    const started = await onEvent(request);

    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).rejects.toThrow(
      'Role cannot use the key');
  });

  test('a timed-out replacement that cannot be deleted yet says so in the failure reason instead of claiming it was deleted', async () => {
    const newName = `${GROUP_NAME}-v2`;
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: groupArn(newName) });
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS', undefined, newName));
    personalizeMock.on(DeleteDatasetGroupCommand).rejects(inUse());
    const { onEvent, isComplete } = handlers(SHORT_WAIT_POLICY);
    const request = updateGroupEvent({}, { Name: newName });
    const started = await onEvent(request);
    const event = isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle);

    let failure: unknown;
    for (let invocation = 0; invocation < 100 && failure === undefined; invocation++) {
      await isComplete(event).then(() => clock.advance(1_000), (error) => { failure = error; });
    }

    expect(String(failure)).toMatch(/Timed out .* last status: CREATE IN_PROGRESS/);
    expect(String(failure)).toContain(`The replacement ${groupArn(newName)} could not be deleted yet`);
  });

  test('a replacement that keeps the same name is refused at once, telling the user to change datasetGroupName', async () => {
    const event = updateGroupEvent({ Domain: 'ECOMMERCE' }, { Domain: 'VIDEO_ON_DEMAND' });

    await expect(handlers().onEvent(event)).rejects.toThrow(
      `Changing domain of dataset group '${GROUP_NAME}' needs a replacement, but the replacement would have the same name `
      + 'as the dataset group it replaces, and names are unique. Change datasetGroupName');
    // Reads only: the refusal first checks that the group is not already what is asked (a rollback of a refused change).
    expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetGroupCommand);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test('the rollback of a refused same-name change, asking for what the group still is, is applied in place', async () => {
    // The update asked for VIDEO_ON_DEMAND and was refused; the group is still ECOMMERCE, which the rollback asks for.
    personalizeMock.on(DescribeDatasetGroupCommand).resolves({ datasetGroup: { ...describedGroup('ACTIVE').datasetGroup, domain: 'ECOMMERCE' } });
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));

    const result = await handlers().onEvent(updateGroupEvent({ Domain: 'VIDEO_ON_DEMAND' }, { Domain: 'ECOMMERCE' }));

    expect(result).toMatchObject({ PhysicalResourceId: GROUP_ARN, Lifecycle: { operation: 'update', settled: true } });
    expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetGroupCommand);
  });

  test('the same-name refusal lists every property that forces the replacement', async () => {
    const event = updateGroupEvent({}, { Domain: 'VIDEO_ON_DEMAND', KmsKeyArn: KEY_ARN, RoleArn: ROLE_ARN });

    await expect(handlers().onEvent(event)).rejects.toThrow(/Changing domain, kmsKey, role of dataset group/);
    expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetGroupCommand);
  });

  test('tags are compared with the tags the group has, not with the previous deployment\'s properties', async () => {
    // A cancelled update changed them after all.
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'search', env: 'dev' }));

    await handlers().onEvent(updateGroupEvent({}, {}));

    expect(personalizeMock).toHaveReceivedCommandWith(UntagResourceCommand, { resourceArn: GROUP_ARN, tagKeys: ['env'] });
    expect(personalizeMock).toHaveReceivedCommandWith(TagResourceCommand, { resourceArn: GROUP_ARN, tags: [{ tagKey: 'team', tagValue: 'recsys' }] });
  });

  describe('the rollback of a replacement CloudFormation cancelled', () => {
    const newName = `${GROUP_NAME}-v2`;
    // CloudFormation rolls back to the group it knows: the old properties are the cancelled update's.
    const rollback = () => updateGroupEvent({ Name: newName }, {});

    /** Both groups exist, carrying the owner tag of `owner` for the replacement; a deleted group is gone at the next look. */
    function bothGroupsExist(replacementOwner: string = OWNER): void {
      const deleted = new Set<string>();
      personalizeMock.on(CreateDatasetGroupCommand).rejects(alreadyExists());
      personalizeMock.on(DescribeDatasetGroupCommand).callsFake(async (input) => {
        if (deleted.has(input.datasetGroupArn)) throw notFound();
        return describedGroup('ACTIVE', undefined, String(input.datasetGroupArn).split('/')[1]);
      });
      personalizeMock.on(DeleteDatasetGroupCommand).callsFake(async (input) => {
        deleted.add(input.datasetGroupArn);
        return {};
      });
      personalizeMock.on(ListTagsForResourceCommand, { resourceArn: groupArn(newName) }).resolves(tagged({}, replacementOwner));
    }

    test('keeps the group CloudFormation knows and deletes the replacement the cancelled update made', async () => {
      bothGroupsExist();
      const { started, failure } = await runToCompletion(clock, handlers(), rollback());

      expect(started).toMatchObject({ PhysicalResourceId: GROUP_ARN, Lifecycle: { orphan: groupArn(newName) } });
      expect(failure).toBeUndefined();
      expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 1);
      expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: groupArn(newName) });
    });

    test('leaves a group under the replacement\'s name alone when another stack resource owns it', async () => {
      bothGroupsExist('OtherStack/Resource');
      const { failure } = await runToCompletion(clock, handlers(), rollback());

      expect(failure).toBeUndefined();
      expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
    });
  });

  test('an update whose physical ID is not a dataset group ARN creates the group', async () => {
    personalizeMock.on(CreateDatasetGroupCommand).resolves({ datasetGroupArn: GROUP_ARN });
    const event = { ...updateGroupEvent({}, {}), PhysicalResourceId: 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED' };

    const result = await handlers().onEvent(event);

    expect(personalizeMock).toHaveReceivedCommandTimes(CreateDatasetGroupCommand, 1);
    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
  });
});

describe('Delete', () => {
  beforeEach(() => {
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
  });

  test('looks at once, proves the owner tag, calls DeleteDatasetGroup, then waits until Describe answers ResourceNotFoundException', async () => {
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    personalizeMock.on(DescribeDatasetGroupCommand)
      .resolvesOnce(describedGroup('ACTIVE'))
      .resolvesOnce(describedGroup('DELETE PENDING'))
      .resolvesOnce(describedGroup('DELETE PENDING'))
      .rejects(notFound());

    const result = await handlers().onEvent(deleteGroupEvent());

    expect(clock.sleeps[0]).toBe(0);
    expect(personalizeMock).toHaveReceivedCommandWith(ListTagsForResourceCommand, { resourceArn: GROUP_ARN });
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 1);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, 4);
    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
    expect(result.Data).toBeUndefined();
    expect(result.Lifecycle).toMatchObject({ operation: 'delete', settled: true });
  });

  test('deleting a group that is already gone succeeds after one Describe, without DeleteDatasetGroup', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).rejects(notFound());

    const result = await handlers().onEvent(deleteGroupEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(result.PhysicalResourceId).toBe(GROUP_ARN);
    expect(personalizeMock).toHaveReceivedCommandTimes(DescribeDatasetGroupCommand, 1);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test('a group gone between the look and DeleteDatasetGroup (ResourceNotFoundException) is deleted', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(DeleteDatasetGroupCommand).rejects(notFound());

    const result = await handlers().onEvent(deleteGroupEvent());

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 1);
  });

  test('ResourceInUseException (children still deleting) keeps waiting and retries the delete until it succeeds', async () => {
    personalizeMock.on(DeleteDatasetGroupCommand)
      .rejectsOnce(inUse())
      .rejectsOnce(inUse())
      .resolves({});
    personalizeMock.on(DescribeDatasetGroupCommand)
      .resolvesOnce(describedGroup('ACTIVE'))
      .resolvesOnce(describedGroup('ACTIVE'))
      .resolvesOnce(describedGroup('ACTIVE'))
      .resolvesOnce(describedGroup('DELETE PENDING'))
      .rejects(notFound());

    const result = await handlers().onEvent(deleteGroupEvent());

    expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 3);
    expect(result.Lifecycle.settled).toBe(true);
  });

  test('a delete still running at the end of the onEvent window is finished by isComplete', async () => {
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
    personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('ACTIVE')).resolves(describedGroup('DELETE IN_PROGRESS'));
    const { onEvent, isComplete } = handlers(SHORT_WAIT_POLICY);
    const request = deleteGroupEvent();

    const started = await onEvent(request);
    expect(started.Lifecycle.settled).toBe(false);

    personalizeMock.on(DescribeDatasetGroupCommand).rejects(notFound());
    await expect(isComplete(isCompleteEvent(request, started.PhysicalResourceId, started.Lifecycle))).resolves.toEqual({ IsComplete: true });
  });

  test('DELETE FAILED fails the delete with the service\'s failureReason', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('DELETE FAILED', 'Internal error while deleting'));

    await expect(handlers().onEvent(deleteGroupEvent())).rejects.toThrow(
      `Personalize could not delete dataset group ${GROUP_ARN}: Internal error while deleting`);
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test('a final error from DeleteDatasetGroup fails the delete with the service\'s message', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(DeleteDatasetGroupCommand).rejects(serviceError('InvalidInputException', 400, 'The ARN is not valid'));

    await expect(handlers().onEvent(deleteGroupEvent())).rejects.toThrow('The ARN is not valid');
  });

  test('a delete refused for longer than the total timeout fails, giving the last status and the service\'s refusal', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('CREATE IN_PROGRESS'));
    personalizeMock.on(DeleteDatasetGroupCommand).rejects(serviceError('ResourceInUseException', 400, 'The dataset group is being created'));
    const event = isCompleteEvent(deleteGroupEvent(), GROUP_ARN, { operation: 'delete', startedAt: clock.now(), settled: false });

    const failure = await pollUntilDone(clock, handlers(SHORT_WAIT_POLICY).isComplete, event);

    expect(String(failure)).toMatch(new RegExp(`Timed out after \\d+ s waiting for dataset group ${GROUP_ARN} to be deleted; last status: `
      + 'CREATE IN_PROGRESS\\. Personalize refused the delete: The dataset group is being created$'));
  });

  test('a delete that stays in DELETE PENDING past its window returns IsComplete false', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('DELETE PENDING'));
    const event = isCompleteEvent(deleteGroupEvent(), GROUP_ARN, { operation: 'delete', startedAt: clock.now(), settled: false });

    await expect(handlers(SHORT_WAIT_POLICY).isComplete(event)).resolves.toEqual({ IsComplete: false });
    expect(personalizeMock).not.toHaveReceivedCommand(DeleteDatasetGroupCommand);
  });

  test.each([
    ['the Provider framework\'s failed-create placeholder', 'AWSCDK::CustomResourceProviderFramework::CREATE_FAILED'],
    ['CloudFormation\'s own for a create it cancelled', 'TestStack-Resource-1XK2M3N4P5Q6R'],
    ['a request id', 'c2a9bd9e-4b3a-4e39-9f1f-0123456789ab'],
    ['an empty string', ''],
    ['another kind\'s ARN', 'arn:aws:personalize:us-east-1:123456789012:schema/TestStack-Schema-0a1b2c3d'],
  ])('a physical ID that is %s makes the delete find the group by the name in its properties, delete it and watch out the grace',
    async (_label, physicalId) => {
      personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('ACTIVE')).rejects(notFound());
      personalizeMock.on(DeleteDatasetGroupCommand).resolves({});
      const { started, failure, elapsedMs } = await runToCompletion(clock, handlers(), deleteGroupEvent(physicalId));

      expect(started).toMatchObject({
        PhysicalResourceId: physicalId,
        Lifecycle: { operation: 'delete', settled: false, target: GROUP_ARN, cancelledCreate: true },
      });
      expect(failure).toBeUndefined();
      expect(personalizeMock).toHaveReceivedCommandWith(DescribeDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
      expect(personalizeMock).toHaveReceivedCommandTimes(DeleteDatasetGroupCommand, 1);
      expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
      // A cancelled create may still land after the delete: the group is watched for as long as that create could start.
      expect(elapsedMs).toBeGreaterThanOrEqual(DEFAULT_WAIT_POLICY.cancelledCreateGraceMs);
    });

  test('a physical ID that is not an ARN, with properties that name no group, succeeds with no API call', async () => {
    const { onEvent, isComplete } = handlers();
    const request = deleteGroupEvent('AWSCDK::CustomResourceProviderFramework::CREATE_FAILED', { Name: undefined });

    const started = await onEvent(request);
    const completed = await isComplete(isCompleteEvent(request, request.PhysicalResourceId!, started.Lifecycle));

    expect(started).toMatchObject({ Lifecycle: { operation: 'delete', settled: true } });
    expect(completed).toEqual({ IsComplete: true });
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });
});

describe('Delete of a group that still holds children', () => {
  const contents = () => new GroupContents(personalizeMock, clock);

  /** Deletes the test group through onEvent and isComplete, as the Provider framework does. */
  const deleteGroup = (request = deleteGroupEvent()) => runToCompletion(clock, handlers(SHORT_WAIT_POLICY), request);

  test('children nobody is deleting fail the delete after blockedDeleteGraceMs, listing them and suggesting emptyOnDelete', async () => {
    const group = contents();
    const solution = group.add('solutions', 'sims');
    const campaign = group.add('campaigns', 'sims-live', 'ACTIVE', solution);
    const filter = group.add('filters', 'no-repeats');
    const dataset = group.add('datasets', 'INTERACTIONS');

    const { failure, elapsedMs } = await deleteGroup();

    expect(String(failure)).toBe(`Error: Personalize refused to delete dataset group ${GROUP_ARN}: 4 resource(s) that nobody is deleting `
      + `still block it: ${campaign}, ${solution}, ${filter}, ${dataset}. Delete them, or set `
      + 'emptyOnDelete on the DatasetGroup so that the stack deletes them first, then delete again.');
    expect(elapsedMs).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(elapsedMs).toBeLessThan(SHORT_WAIT_POLICY.blockedDeleteGraceMs + 5_000);
    // Until the grace has passed the refusal is only retried: the children are not listed.
    expect(Math.min(...group.listedAt)).toBeGreaterThanOrEqual(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(group.deletes).toEqual([]);
  });

  test('the children are listed across every page, and the message names ten of them and counts the rest', async () => {
    const group = new GroupContents(personalizeMock, clock, { pageSize: 5 });
    const datasets = ['INTERACTIONS', 'ITEMS', 'USERS', 'ACTIONS', 'ACTION_INTERACTIONS', 'A', 'B', 'C', 'D', 'E', 'F', 'G']
      .map((type) => group.add('datasets', type));

    const { failure } = await deleteGroup();

    expect(String(failure)).toContain('12 resource(s) that nobody is deleting still block it: '
      + `${datasets.slice(0, 10).join(', ')} and 2 more. Delete them`);
    expect(personalizeMock).toHaveReceivedCommandWith(ListDatasetsCommand, { datasetGroupArn: GROUP_ARN, nextToken: '5' });
    expect(personalizeMock).toHaveReceivedCommandWith(ListDatasetsCommand, { datasetGroupArn: GROUP_ARN, nextToken: '10' });
  });

  test('children being deleted by someone else are waited for past the grace, and the group is deleted once they are gone', async () => {
    const group = new GroupContents(personalizeMock, clock, { deleteTakesMs: SHORT_WAIT_POLICY.blockedDeleteGraceMs + 10_000 });
    group.startDeleting(group.add('datasets', 'INTERACTIONS'));

    const { failure, elapsedMs } = await deleteGroup();

    expect(failure).toBeUndefined();
    expect(elapsedMs).toBeGreaterThan(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(group.deletes).toEqual([GROUP_ARN]);
  });

  test('only the children nobody is deleting are listed in the failure', async () => {
    const group = new GroupContents(personalizeMock, clock, { deleteTakesMs: 10 * 60_000 });
    group.startDeleting(group.add('datasets', 'ITEMS'));
    const tracker = group.add('eventTrackers', 'clicks');

    const { failure } = await deleteGroup();

    expect(String(failure)).toContain(`1 resource(s) that nobody is deleting still block it: ${tracker}.`);
  });

  test('with EmptyOnDelete the children are deleted stage by stage, training is stopped first, and the group last', async () => {
    const group = new GroupContents(personalizeMock, clock, { pageSize: 2 });
    const solution = group.add('solutions', 'sims');
    const pending = group.add('solutionVersions', 'v3', 'CREATE PENDING', solution);
    const training = group.add('solutionVersions', 'v2', 'CREATE IN_PROGRESS', solution);
    group.add('solutionVersions', 'v1', 'ACTIVE', solution);
    group.add('campaigns', 'sims-live', 'ACTIVE', solution);
    group.add('recommenders', 'top-picks');
    group.add('eventTrackers', 'clicks');
    group.add('filters', 'no-repeats');
    group.add('metricAttributions', 'revenue');
    group.add('datasets', 'INTERACTIONS');
    group.add('datasets', 'ITEMS');
    group.add('datasets', 'USERS');

    const { failure } = await deleteGroup(deleteGroupEvent(GROUP_ARN, { EmptyOnDelete: 'true' }));

    expect(failure).toBeUndefined();
    expect(group.remaining()).toEqual([]);
    expect(group.deletes[group.deletes.length - 1]).toBe(GROUP_ARN);
    const stages = group.deletes.slice(0, -1).map((arn) => group.stageOf(arn));
    expect(stages).toEqual([...stages].sort());
    expect(new Set(stages)).toEqual(new Set([1, 2, 3, 4]));
    expect(group.deletes).toHaveLength(10);
    expect(group.stopped.sort()).toEqual([pending, training].sort());
    const stopCall = personalizeMock.calls().findIndex((call) => call.args[0] instanceof StopSolutionVersionCreationCommand);
    const deleteSolutionCall = personalizeMock.calls().findIndex((call) => call.args[0] instanceof DeleteSolutionCommand);
    expect(stopCall).toBeLessThan(deleteSolutionCall);
  });

  test('with EmptyOnDelete a child still being created, whose delete is refused, is deleted once it is ready', async () => {
    const group = contents();
    const recommender = group.add('recommenders', 'top-picks', 'CREATE IN_PROGRESS');
    group.becomesActive(recommender, 30_000);

    const { failure, elapsedMs } = await deleteGroup(deleteGroupEvent(GROUP_ARN, { EmptyOnDelete: 'true' }));

    expect(failure).toBeUndefined();
    expect(elapsedMs).toBeGreaterThan(30_000);
    expect(group.deletes).toEqual([recommender, GROUP_ARN]);
    expect(personalizeMock.commandCalls(DeleteRecommenderCommand).length).toBeGreaterThan(1);
  });

  test('with EmptyOnDelete a group whose emptying outlasts blockedDeleteGraceMs is not failed for its children', async () => {
    const group = new GroupContents(personalizeMock, clock, { deleteTakesMs: SHORT_WAIT_POLICY.blockedDeleteGraceMs });
    group.add('filters', 'no-repeats');
    group.add('datasets', 'INTERACTIONS');

    const { failure, elapsedMs } = await deleteGroup(deleteGroupEvent(GROUP_ARN, { EmptyOnDelete: 'true' }));

    expect(failure).toBeUndefined();
    expect(elapsedMs).toBeGreaterThan(SHORT_WAIT_POLICY.blockedDeleteGraceMs);
    expect(group.deletes[group.deletes.length - 1]).toBe(GROUP_ARN);
  });
});

describe('any request type', () => {
  test('a missing Name property fails, naming the property', async () => {
    await expect(handlers().onEvent(createGroupEvent({ Name: '' }))).rejects.toThrow('Missing required property \'Name\'');
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test.each([
    ['a list KmsKeyArn', { KmsKeyArn: [KEY_ARN] }, 'Property \'KmsKeyArn\' must be a string, got a list'],
    ['a number Domain', { Domain: 42 }, 'Property \'Domain\' must be a string, got a number'],
    ['an object RoleArn', { RoleArn: { Ref: 'Role' } }, 'Property \'RoleArn\' must be a string, got an object'],
    ['a number Name', { Name: 7 }, 'Property \'Name\' must be a string, got a number'],
    ['Tags that are not a list', { Tags: { team: 'recsys' } }, 'Property \'Tags\' must be a list of {Key, Value}, got an object'],
    ['a tag without a Key', { Tags: [{ Value: 'recsys' }] }, 'Property \'Tags\' item 1 must be {Key: string, Value: string}, got {"Value":"recsys"}'],
    ['a tag whose Value is a number', { Tags: [{ Key: 'team', Value: 'recsys' }, { Key: 'cost', Value: 42 }] },
      'Property \'Tags\' item 2 must be {Key: string, Value: string}, got {"Key":"cost","Value":42}'],
    ['the reserved owner tag', { Tags: [{ Key: OWNER_TAG_KEY, Value: 'OtherStack/Resource' }] },
      `Property 'Tags' sets the tag '${OWNER_TAG_KEY}', which is reserved: the handler writes it to prove ownership`],
    ['EmptyOnDelete that is not true or false', { EmptyOnDelete: 'yes' }, 'Property \'EmptyOnDelete\' must be \'true\' or \'false\', got \'yes\''],
  ])('a Create with %s fails, naming the property, before any API call', async (_label, overrides, message) => {
    await expect(handlers().onEvent(createGroupEvent(overrides))).rejects.toThrow(message);
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('an Update whose new properties are malformed fails before any API call', async () => {
    await expect(handlers().onEvent(updateGroupEvent({}, { KmsKeyArn: [KEY_ARN] }))).rejects.toThrow(
      'Property \'KmsKeyArn\' must be a string, got a list');
    expect(personalizeMock).not.toHaveReceivedAnyCommand();
  });

  test('an Update whose previous properties are malformed is applied against the new ones', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolves(describedGroup('ACTIVE'));
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged({ team: 'recsys' }));

    const result = await handlers().onEvent(updateGroupEvent({ Tags: 'team=recsys' }, {}));

    expect(result).toMatchObject({ PhysicalResourceId: GROUP_ARN, Lifecycle: { operation: 'update', settled: true } });
    expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetGroupCommand);
  });

  test('a Delete with malformed properties still deletes the group its ARN names, proved by the owner tag', async () => {
    personalizeMock.on(DescribeDatasetGroupCommand).resolvesOnce(describedGroup('ACTIVE')).rejects(notFound());
    personalizeMock.on(ListTagsForResourceCommand).resolves(tagged());
    personalizeMock.on(DeleteDatasetGroupCommand).resolves({});

    const result = await handlers().onEvent(deleteGroupEvent(GROUP_ARN, { KmsKeyArn: [KEY_ARN], Tags: 'broken' }));

    expect(result.Lifecycle.settled).toBe(true);
    expect(personalizeMock).toHaveReceivedCommandWith(DeleteDatasetGroupCommand, { datasetGroupArn: GROUP_ARN });
  });
});
