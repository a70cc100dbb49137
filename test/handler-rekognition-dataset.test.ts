/**
 * The Rekognition dataset kind against a mocked Rekognition client: every status the
 * model declares maps to one condition, failures carry StatusMessage and
 * StatusMessageCode, and a slot is resolved to its dataset through DescribeProjects.
 */
import {
  DeleteDatasetCommand, DescribeDatasetCommand, DescribeProjectsCommand, ListTagsForResourceCommand, RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { conditionOf } from '../lambda/kinds/rekognition/common';
import { rekognitionDatasetKind as kind, RekognitionDatasetSpec, sourceDigest } from '../lambda/kinds/rekognition/dataset';
import { KindContext } from '../lambda/resource-kind';
import { VirtualClock } from './support/virtual-clock';

process.env.AWS_REGION = 'us-east-1';
const rekognitionMock = mockClient(RekognitionClient);
beforeEach(() => rekognitionMock.reset());

const PROJECT_ARN = 'arn:aws:rekognition:us-east-1:123456789012:project/shoes/1700000000000';
const SLOT = 'arn:aws:rekognition:us-east-1:123456789012:project/shoes/dataset/train';
const DATASET_ARN = `${SLOT}/1700000000001`;
const context: KindContext = {
  clock: new VirtualClock(),
  partition: 'aws',
  region: 'us-east-1',
  account: '123456789012',
  owner: 'Stack/Train',
  call: (_operation, attempt) => attempt(),
};
const spec: RekognitionDatasetSpec = {
  projectName: 'shoes', projectArn: PROJECT_ARN, datasetType: 'TRAIN', source: { kind: 'manifest', bucket: 'labels', key: 'train.manifest' }, tags: {},
};

function datasetInSlot(status: string, statusMessage?: string, statusMessageCode?: string, sourceTag = sourceDigest(spec.source)): void {
  rekognitionMock.on(DescribeProjectsCommand).resolves({
    ProjectDescriptions: [{ ProjectArn: PROJECT_ARN, Datasets: [{ DatasetType: 'TRAIN', DatasetArn: DATASET_ARN, Status: status as any }] }],
  });
  rekognitionMock.on(DescribeDatasetCommand, { DatasetArn: DATASET_ARN }).resolves({
    DatasetDescription: { Status: status as any, StatusMessage: statusMessage, StatusMessageCode: statusMessageCode as any },
  });
  rekognitionMock.on(ListTagsForResourceCommand).resolves({ Tags: { 'cdk-personalize:owner': 'Stack/Train', 'cdk-personalize:source': sourceTag } });
}

test.each([
  ['CREATE_IN_PROGRESS', 'busy'],
  ['CREATE_COMPLETE', 'ready'],
  ['CREATE_FAILED', 'failed'],
  ['UPDATE_IN_PROGRESS', 'busy'],
  ['UPDATE_COMPLETE', 'ready'],
  ['UPDATE_FAILED', 'failed'],
  ['DELETE_IN_PROGRESS', 'deleting'],
  ['SOMETHING_NEW', 'failed'],
])('status %s is %s', (status, condition) => {
  expect(conditionOf(status)).toBe(condition);
});

test('the physical ID of a dataset is its slot in the project, computed from the properties alone', () => {
  expect(kind.arnOf(context, spec)).toBe(SLOT);
  expect(kind.arnOf(context, { ...spec, projectArn: undefined, datasetType: 'TEST' })).toBe(SLOT.replace(/train$/, 'test'));
  expect(kind.isOwnPhysicalId(SLOT)).toBe(true);
  expect(kind.isOwnPhysicalId('Stack-Train-ABCDEF123456')).toBe(false);
});

test('observe resolves the slot through DescribeProjects and returns the dataset\'s own ARN as the Arn attribute', async () => {
  datasetInSlot('CREATE_COMPLETE');
  await expect(kind.observe(context, SLOT, 'create', spec)).resolves.toEqual({ status: 'CREATE_COMPLETE', condition: 'ready', attributes: { Arn: DATASET_ARN } });
  expect(rekognitionMock).toHaveReceivedCommandWith(DescribeProjectsCommand, { ProjectNames: ['shoes'] });
});

test('CREATE_FAILED carries StatusMessage and StatusMessageCode as the failure reason', async () => {
  datasetInSlot('CREATE_FAILED', 'The manifest file contains too many invalid data.', 'CLIENT_ERROR');
  await expect(kind.observe(context, SLOT, 'create', spec)).resolves.toMatchObject({
    condition: 'failed', failureReason: 'The manifest file contains too many invalid data. (CLIENT_ERROR)',
  });
});

test('a complete dataset made from another source than the stack asks for is failed, naming both', async () => {
  datasetInSlot('CREATE_COMPLETE', undefined, undefined, 'sha256:0000');
  const observation = await kind.observe(context, SLOT, 'create', spec);
  expect(observation).toMatchObject({ condition: 'failed', failureReason: expect.stringContaining('another source (sha256:0000)') });
  expect(observation?.failureReason).toContain('s3://labels/train.manifest');
});

test('during an update, the old dataset being deleted is busy, not a failure', async () => {
  datasetInSlot('DELETE_IN_PROGRESS', undefined, undefined, 'sha256:0000');
  await expect(kind.observe(context, SLOT, 'update', spec)).resolves.toMatchObject({ condition: 'busy' });
});

test('an empty slot does not exist for a delete, and DeleteDataset on it is ResourceNotFound (gone)', async () => {
  rekognitionMock.on(DescribeProjectsCommand).resolves({ ProjectDescriptions: [{ ProjectArn: PROJECT_ARN, Datasets: [] }] });
  await expect(kind.observe(context, SLOT, 'delete')).resolves.toBeUndefined();
  await expect(kind.delete(context, SLOT)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  expect(rekognitionMock).not.toHaveReceivedCommand(DeleteDatasetCommand);
});

test('ownership needs the owner tag; adoption also needs the source tag', async () => {
  datasetInSlot('CREATE_COMPLETE', undefined, undefined, 'sha256:0000');
  await expect(kind.isOwned(context, SLOT, spec, { purpose: 'delete' })).resolves.toBe(true);
  await expect(kind.isOwned(context, SLOT, spec, { purpose: 'adopt' })).resolves.toBe(false);
  await expect(kind.isOwned({ ...context, owner: 'Other/Train' }, SLOT, spec, { purpose: 'delete' })).resolves.toBe(false);
});

test('a ProvisionedThroughputExceededException reaches the engine as a ThrottlingException, which it retries', async () => {
  const error = Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
  rekognitionMock.on(DescribeProjectsCommand).rejects(error);
  await expect(kind.observe(context, SLOT, 'delete')).rejects.toMatchObject({ name: 'ThrottlingException' });
});

test('a changed source is not a replacement cause; a changed project or type is', () => {
  const other = { ...spec, source: { kind: 'empty' } as const };
  expect(kind.replacementCauses(spec, other)).toEqual([]);
  expect(kind.replacementCauses(spec, { ...spec, datasetType: 'TEST' })).toEqual(['datasetType']);
  expect(kind.replacementCauses(spec, { ...spec, projectName: 'boots', projectArn: PROJECT_ARN.replace('shoes', 'boots') })).toEqual(['project']);
});

test.each([
  [{ ProjectName: 'shoes', DatasetType: 'TRAIN', SourceDatasetArn: DATASET_ARN, ManifestBucket: 'b', ManifestKey: 'k' }, "'ManifestBucket' and 'SourceDatasetArn' are exclusive"],
  [{ ProjectName: 'shoes', DatasetType: 'VALIDATION' }, "Property 'DatasetType' must be TRAIN or TEST, got 'VALIDATION'"],
  [{ ProjectName: 'shoes', ProjectArn: PROJECT_ARN.replace('shoes', 'boots'), DatasetType: 'TRAIN' }, "Property 'ProjectArn' must be the ARN of project 'shoes'"],
  [{ ProjectName: 'shoes', DatasetType: 'TRAIN', Tags: [{ Key: 'cdk-personalize:source', Value: 'x' }] }, "sets the tag 'cdk-personalize:source', which is reserved"],
  [{ ProjectName: 'shoes', DatasetType: 'TRAIN', ManifestKey: 'k' }, "'ManifestBucket' and 'ManifestKey' go together"],
])('properties %j are refused: %s', (properties, message) => {
  expect(() => kind.parse(properties)).toThrow(message);
});
