/**
 * Rekognition Custom Labels datasets under CloudFormation's real behaviour, on the
 * same engine as the Personalize kinds: create, update and delete from a manifest in
 * S3, from a manifest file (an asset) and as a copy; CREATE_FAILED with Rekognition's
 * message and code; a changed source replaced inside the update, and its rollback;
 * throttling and 5xx; a cancelled create; duplicate delivery; a delete that meets a
 * dataset still CREATE_IN_PROGRESS. The project is made by the test in the local
 * service and imported by ARN (the harness does not simulate AWS::Rekognition::Project).
 * In-flight states come from holds and gates, never from elapsed time.
 */
import * as path from 'path';
import { CreateDatasetCommand, CreateProjectCommand } from '@aws-sdk/client-rekognition';
import { Stack, Tags } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { rekognition } from '../src';
import { destroyAndVerify, expectStatus, until } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { synthesize, SynthesizedStack } from './harness/stacks';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const { Dataset, DatasetSource, DatasetType, Project } = rekognition;
const MANIFEST_FILE = path.join(__dirname, 'fixtures', 'rekognition', 'train.manifest');
const OWNER_TAG = 'cdk-personalize:owner';
const SOURCE_TAG = 'cdk-personalize:source';
const INVENTED_ID = (logicalId: string) => new RegExp(`^LifecycleStack-${logicalId}-[A-Z0-9]{12}$`);

interface ShoesSpec {
  /** Key of the TRAIN manifest in bucket 'labels'. @default 'train-v1.manifest' */
  readonly trainKey?: string;
  /** How the TEST dataset is made. @default 'manifest' */
  readonly test?: 'manifest' | 'asset' | 'copy' | 'none';
  readonly trainTags?: Record<string, string>;
}

/** Project 'shoes' (imported by ARN) with a TRAIN dataset from a manifest in S3 and a TEST dataset made as `spec.test` says. */
function shoesStack(projectArn: string, spec: ShoesSpec = {}): SynthesizedStack {
  return synthesize((stack: Stack) => {
    const project = Project.fromProjectArn(stack, 'Project', projectArn);
    const labels = s3.Bucket.fromBucketName(stack, 'Labels', 'labels');
    const train = new Dataset(stack, 'Train', {
      project, datasetType: DatasetType.TRAIN, source: DatasetSource.fromManifestObject(labels, spec.trainKey ?? 'train-v1.manifest', { imagePrefix: 'images/' }),
    });
    for (const [key, value] of Object.entries(spec.trainTags ?? {})) Tags.of(train).add(key, value);
    const test = spec.test ?? 'manifest';
    if (test === 'none') return;
    const source = test === 'asset' ? DatasetSource.fromManifestFile(MANIFEST_FILE)
      : test === 'copy' ? DatasetSource.fromDataset(train)
        : DatasetSource.fromManifestObject(labels, 'test.manifest', { imagePrefix: 'images/' });
    new Dataset(stack, 'Test', { project, datasetType: DatasetType.TEST, source });
  });
}

async function createProject(env: LifecycleEnvironment, name = 'shoes'): Promise<string> {
  return (await env.rekognitionClient().send(new CreateProjectCommand({ ProjectName: name }))).ProjectArn!;
}

/** Answers the local Rekognition gave to one operation: 'ok' or the error type, in order. */
function answers(env: LifecycleEnvironment, operation: string): string[] {
  return env.rekognition.calls.filter((c) => c.operation === operation).map((c) => c.errorType ?? (c.status === 200 ? 'ok' : String(c.status)));
}

function datasets(env: LifecycleEnvironment) {
  return env.rekognition.resources('dataset');
}

const slot = (type: string) => `arn:aws:rekognition:us-east-1:123456789012:project/shoes/dataset/${type}`;

describe('create, update and delete', () => {
  test.concurrent('from a manifest in S3: TRAIN and TEST are created with their sources, owner and source tags, and deleted with the stack', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env));

    const result = await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    const train = result.operations.find((o) => o.logicalId === stack.logicalIds.Train)!;
    expect(train.physicalId).toBe(slot('train'));
    expect(datasets(env).map((d) => [d.datasetType, d.status, d.source, d.tags[OWNER_TAG]]).sort()).toEqual([
      ['TEST', 'CREATE_COMPLETE', { GroundTruthManifest: { S3Object: { Bucket: 'labels', Name: 'test.manifest' } } }, env.ownerOf(stack.logicalIds.Test)],
      ['TRAIN', 'CREATE_COMPLETE', { GroundTruthManifest: { S3Object: { Bucket: 'labels', Name: 'train-v1.manifest' } } }, env.ownerOf(stack.logicalIds.Train)],
    ]);
    // The custom resource's Arn attribute is the dataset's own ARN, which ends in its creation time.
    expect(env.cloudformation.requests.find((r) => r.request.LogicalResourceId === stack.logicalIds.Train)?.accepted.Data)
      .toEqual({ Arn: expect.stringMatching(/\/dataset\/train\/\d+$/) });
    await destroyAndVerify(env);
    expect(answers(env, 'DeleteDataset')).toEqual(['ok', 'ok']);
  }));

  test.concurrent('from a manifest file: the asset\'s bucket and key reach CreateDataset', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env), { test: 'asset' });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    const test = datasets(env).find((d) => d.datasetType === 'TEST')!;
    expect(test.source).toEqual({
      GroundTruthManifest: { S3Object: { Bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1', Name: expect.stringMatching(/^[0-9a-f]{64}\.manifest$/) } },
    });
    await destroyAndVerify(env);
  }));

  test.concurrent('as a copy: TEST is created from TRAIN\'s ARN once TRAIN is complete, and deleted before it', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env), { test: 'copy' });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    const train = datasets(env).find((d) => d.datasetType === 'TRAIN')!;
    expect(datasets(env).find((d) => d.datasetType === 'TEST')?.source).toEqual({ DatasetArn: train.arn });
    const deleted = (await env.destroy()).operations.filter((o) => o.phase === 'delete').map((o) => o.logicalId);
    expect(deleted.indexOf(stack.logicalIds.Test)).toBeLessThan(deleted.indexOf(stack.logicalIds.Train));
    await env.verify();
  }));

  test.concurrent('changed tags are applied in place: no dataset is created or deleted', () => withEnvironment({}, async (env) => {
    const projectArn = await createProject(env);
    await expectStatus(env.deploy(shoesStack(projectArn, { test: 'none', trainTags: { team: 'vision' } }).template), 'CREATE_COMPLETE');
    const before = datasets(env)[0].arn;

    await expectStatus(env.deploy(shoesStack(projectArn, { test: 'none', trainTags: { stage: 'beta' } }).template), 'UPDATE_COMPLETE');

    expect(datasets(env)).toEqual([expect.objectContaining({ arn: before, tags: expect.objectContaining({ stage: 'beta' }) })]);
    expect(datasets(env)[0].tags.team).toBeUndefined();
    expect(answers(env, 'CreateDataset')).toEqual(['ok']);
    await destroyAndVerify(env);
  }));
});

describe('a changed source replaces the dataset in its slot', () => {
  test.concurrent('the old dataset is deleted first, then the new one created; the physical ID stays and the Arn attribute changes', () => withEnvironment({}, async (env) => {
    const projectArn = await createProject(env);
    const v1 = shoesStack(projectArn, { test: 'none' });
    await expectStatus(env.deploy(v1.template), 'CREATE_COMPLETE');
    const old = datasets(env)[0];

    const result = await expectStatus(env.deploy(shoesStack(projectArn, { test: 'none', trainKey: 'train-v2.manifest' }).template), 'UPDATE_COMPLETE');

    const update = result.operations.find((o) => o.phase === 'update' && o.logicalId === v1.logicalIds.Train)!;
    expect(update.physicalId).toBe(slot('train'));
    const now = datasets(env);
    expect(now).toEqual([expect.objectContaining({
      status: 'CREATE_COMPLETE', source: { GroundTruthManifest: { S3Object: { Bucket: 'labels', Name: 'train-v2.manifest' } } },
    })]);
    expect(now[0].arn).not.toBe(old.arn);
    expect(now[0].tags[SOURCE_TAG]).not.toBe(old.tags[SOURCE_TAG]);
    // No cleanup Delete: CloudFormation saw an update, not a replacement.
    expect(result.operations.filter((o) => o.phase === 'cleanup')).toEqual([]);
    await destroyAndVerify(env);
  }));

  test.concurrent('when the new source fails, the rollback deletes the failed dataset and makes the old source\'s again', () => withEnvironment({}, async (env) => {
    const projectArn = await createProject(env);
    const v1 = shoesStack(projectArn, { test: 'none' });
    await expectStatus(env.deploy(v1.template), 'CREATE_COMPLETE');
    env.rekognition.failCreation('shoes/TRAIN', { message: 'The manifest file has no valid JSON line.', code: 'CLIENT_ERROR' });
    const v2 = shoesStack(projectArn, { test: 'none', trainKey: 'broken.manifest' });
    // The failure applies to the update's create only: the rollback's create succeeds.
    env.cloudformation.onCancel = () => env.rekognition.clearBehaviours();

    const result = await env.deploy(v2.template);

    expect(result.status).toBe('UPDATE_ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(
      /^Rekognition reported CREATE_FAILED for Custom Labels dataset \S+\/dataset\/train: The manifest file has no valid JSON line\. \(CLIENT_ERROR\)/);
    expect(datasets(env)).toEqual([expect.objectContaining({
      status: 'CREATE_COMPLETE', source: { GroundTruthManifest: { S3Object: { Bucket: 'labels', Name: 'train-v1.manifest' } } },
    })]);
    await destroyAndVerify(env);
  }));
});

describe('failures and faults', () => {
  test.concurrent('CREATE_FAILED reaches CloudFormation with StatusMessage and StatusMessageCode, and the rollback deletes the dataset', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env), { test: 'none' });
    env.rekognition.failCreation('shoes/TRAIN', { message: 'The manifest file contains too many invalid data.', code: 'CLIENT_ERROR' });

    const result = await env.deploy(stack.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toMatch(new RegExp('^Rekognition reported CREATE_FAILED for Custom Labels dataset '
      + `${slot('train')}: The manifest file contains too many invalid data\\. \\(CLIENT_ERROR\\)`));
    expect(answers(env, 'DeleteDataset')).toEqual(['ok']);
    await env.verify();
  }));

  test.concurrent('throttles (both of Rekognition\'s) and 5xx answers are retried until the deploy succeeds', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env));
    env.rekognition.inject('CreateDataset', { kind: 'throttle', times: 2 });
    env.rekognition.inject('DescribeProjects', { kind: 'error', name: 'ProvisionedThroughputExceededException', times: 2 });
    env.rekognition.inject('DescribeDataset', { kind: 'http', status: 503, times: 2 });
    env.rekognition.inject('ListTagsForResource', { kind: 'http', status: 500, times: 1 });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    expect(answers(env, 'CreateDataset').filter((a) => a === 'ThrottlingException')).toHaveLength(2);
    expect(answers(env, 'CreateDataset').filter((a) => a === 'ok')).toHaveLength(2);
    expect(env.rekognition.faultsRemaining()).toBe(0);
    await destroyAndVerify(env);
  }));

  test.concurrent('a CreateDataset whose response is lost is retried, meets ResourceAlreadyExists and adopts the dataset by its owner and source tags', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env), { test: 'none' });
    env.rekognition.inject('CreateDataset', { kind: 'reset', afterProcessing: true });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    expect(answers(env, 'CreateDataset')).toEqual(['reset', 'ResourceAlreadyExistsException']);
    expect(datasets(env)).toHaveLength(1);
    await destroyAndVerify(env);
  }));

  test.concurrent('a TRAIN dataset another stack resource made is neither adopted nor deleted', () => withEnvironment({}, async (env) => {
    const projectArn = await createProject(env);
    const stack = shoesStack(projectArn, { test: 'none' });
    const foreign = (await env.rekognitionClient().send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN' }))).DatasetArn!;

    const result = await env.deploy(stack.template);

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.firstFailure?.reason).toContain(`already has a TRAIN dataset, ${foreign}, which this stack resource did not create`);
    expect(datasets(env).map((d) => d.arn)).toEqual([foreign]);
    await env.verify({ leftovers: [foreign] });
  }));
});

describe('CloudFormation\'s cancellation and redelivery', () => {
  test.concurrent('a TRAIN dataset still creating when TEST fails is found in its slot by the rollback Delete, waited for (delete refused while CREATE_IN_PROGRESS) and deleted', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env));
    const train = env.rekognition.holdCreation('shoes/TRAIN');
    const test = env.rekognition.holdCreation('shoes/TEST');
    env.rekognition.failCreation('shoes/TEST', { message: 'No labels found.', code: 'CLIENT_ERROR' });
    const deployed = env.deploy(stack.template);
    await Promise.all([train.reached, test.reached]);
    test.release();
    // The rollback Delete meets TRAIN while it is still creating and is refused; only then does it settle.
    await until(() => answers(env, 'DeleteDataset').includes('ResourceInUseException'));
    train.release();

    const result = await deployed;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    expect(result.operations.find((o) => o.logicalId === stack.logicalIds.Train && o.phase === 'create'))
      .toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled' });
    expect(result.operations.find((o) => o.logicalId === stack.logicalIds.Train && o.phase === 'rollback'))
      .toMatchObject({ status: 'SUCCESS', physicalId: expect.stringMatching(INVENTED_ID(stack.logicalIds.Train)) });
    await env.verify();
  }));

  test.concurrent('a CreateDataset that lands only after the rollback Delete started looking is still found and deleted', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env));
    const request = env.rekognition.gate();
    env.rekognition.inject('CreateDataset', { kind: 'hold', gate: request, when: (input) => input.DatasetType === 'TRAIN' });
    const train = env.rekognition.holdCreation('shoes/TRAIN');
    const test = env.rekognition.holdCreation('shoes/TEST');
    env.rekognition.failCreation('shoes/TEST', { message: 'No labels found.' });
    const deployed = env.deploy(stack.template);
    await Promise.all([request.reached, test.reached]);
    test.release();
    // The rollback Delete looks for TRAIN's slot first; only then does the cancelled Create go through.
    await until(() => env.framework.deliveries.some((d) => d.request.RequestType === 'Delete' && d.request.LogicalResourceId === stack.logicalIds.Train));
    const looks = env.rekognition.countCalls('DescribeProjects');
    await until(() => env.rekognition.countCalls('DescribeProjects') > looks);
    request.open();
    // The Delete finds TRAIN once it lands, and is refused while it is creating.
    await until(() => answers(env, 'DeleteDataset').includes('ResourceInUseException'));
    train.release();

    const result = await deployed;

    expect(result.status).toBe('ROLLBACK_COMPLETE');
    await env.verify();
  }));

  test.concurrent('a Create delivered twice at once creates one dataset, and both deliveries answer with its slot', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env), { test: 'none' });
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Create' ? { times: 2, concurrent: true } : { times: 1 });

    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

    expect(env.cloudformation.requests[0].responses.map((r) => [r.Status, r.PhysicalResourceId])).toEqual([['SUCCESS', slot('train')], ['SUCCESS', slot('train')]]);
    expect(answers(env, 'CreateDataset').sort()).toEqual(['ResourceAlreadyExistsException', 'ok']);
    expect(datasets(env)).toHaveLength(1);
    await destroyAndVerify(env);
  }));

  test.concurrent('a Delete delivered twice at once answers SUCCESS twice once the dataset is gone', () => withEnvironment({}, async (env) => {
    const stack = shoesStack(await createProject(env), { test: 'none' });
    await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
    env.cloudformation.deliveryPlan = (request) => (request.RequestType === 'Delete' ? { times: 2, concurrent: true } : { times: 1 });

    await expectStatus(env.destroy(), 'DELETE_COMPLETE');

    const record = env.cloudformation.requests.find((r) => r.request.RequestType === 'Delete')!;
    expect(record.responses.map((r) => r.Status)).toEqual(['SUCCESS', 'SUCCESS']);
    await env.verify();
  }));
});

describe('a recycled environment', () => {
  test('recycle() empties both local services on the same endpoints, and the same handler copy serves the next scenario', async () => {
    const first = await LifecycleEnvironment.start();
    let env = first;
    try {
      const stack = shoesStack(await createProject(env), { test: 'none' });
      await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');
      env.rekognition.failCreation('shoes/TEST', { message: 'left over' });
      env.service.failCreation('shop', 'left over');
      const endpoints = [env.service.endpoint, env.rekognition.endpoint];

      // Not destroyed: what the first scenario left must not reach the next one.
      env = await first.recycle();

      expect(env).not.toBe(first);
      expect([env.service.endpoint, env.rekognition.endpoint]).toEqual(endpoints);
      expect(env.rekognition.resources()).toEqual([]);
      expect(env.rekognition.calls).toEqual([]);
      expect(env.service.resources()).toEqual([]);
      expect(env.cloudformation.requests).toEqual([]);
      const again = shoesStack(await createProject(env), { test: 'manifest' });
      await expectStatus(env.deploy(again.template), 'CREATE_COMPLETE');
      expect(datasets(env).map((d) => [d.datasetType, d.status]).sort()).toEqual([['TEST', 'CREATE_COMPLETE'], ['TRAIN', 'CREATE_COMPLETE']]);
      await destroyAndVerify(env);
    } finally {
      await env.stop();
    }
  });
});
