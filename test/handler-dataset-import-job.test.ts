/**
 * The dataset import job kind against a mocked Personalize client and a local S3:
 * what each status means in each wait mode, the bound measured from the job's
 * creation time, a delete that leaves the job, and the source copy.
 */
import {
  CreateDatasetImportJobCommand, DescribeDatasetCommand, DescribeDatasetImportJobCommand, ListTagsForResourceCommand, PersonalizeClient,
} from '@aws-sdk/client-personalize';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DatasetImportJobSpec, datasetImportJobKind as kind } from '../lambda/kinds/personalize/dataset-import-job';
import { KindContext } from '../lambda/resource-kind';
import { LocalS3, useLocalS3 } from './local-s3/server';
import { VirtualClock } from './support/virtual-clock';
import { OWNER_TAG_KEY } from '../src/private/contract';

process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';
const personalizeMock = mockClient(PersonalizeClient);
const clock = new VirtualClock();
beforeEach(() => {
  personalizeMock.reset();
  clock.reset();
});

const ARN = 'arn:aws:personalize:us-east-1:123456789012:dataset-import-job/Stack_Import-0a1b2c3d';
const DATASET = 'arn:aws:personalize:us-east-1:123456789012:dataset/retail/INTERACTIONS';
const context: KindContext = {
  clock, partition: 'aws', region: 'us-east-1', account: '123456789012', owner: 'Stack/Import', call: (_operation, attempt) => attempt(),
};
const PROPERTIES = {
  Name: 'Stack_Import-0a1b2c3d',
  DatasetArn: DATASET,
  DataLocation: 's3://shop-data/data/interactions.csv',
  RoleArn: 'arn:aws:iam::123456789012:role/reader',
  ImportMode: 'FULL',
  PublishAttributionMetricsToS3: 'false',
  Wait: 'active',
  WaitSeconds: '600',
};
const spec = (overrides: Record<string, unknown> = {}): DatasetImportJobSpec => kind.parse({ ...PROPERTIES, ...overrides });

function job(status: string, createdSecondsAgo = 0, failureReason?: string): void {
  personalizeMock.on(DescribeDatasetImportJobCommand).resolves({
    datasetImportJob: {
      jobName: PROPERTIES.Name,
      datasetImportJobArn: ARN,
      datasetArn: DATASET,
      status,
      failureReason,
      dataSource: { dataLocation: PROPERTIES.DataLocation },
      creationDateTime: new Date(clock.now() - createdSecondsAgo * 1000),
    },
  });
}

describe('observe', () => {
  test('ACTIVE is ready, with the ARN and name', async () => {
    job('ACTIVE');
    await expect(kind.observe(context, ARN, 'create', spec())).resolves.toEqual({
      status: 'ACTIVE', condition: 'ready', attributes: { Arn: ARN, Name: PROPERTIES.Name },
    });
  });

  test('CREATE FAILED fails with the service\'s reason', async () => {
    job('CREATE FAILED', 10, 'Column TIMESTAMP has values that are not longs');
    await expect(kind.observe(context, ARN, 'create', spec())).resolves.toMatchObject({
      condition: 'failed', failureReason: 'Column TIMESTAMP has values that are not longs',
    });
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('%s within the bound is busy', async (status) => {
    job(status, 599);
    await expect(kind.observe(context, ARN, 'create', spec())).resolves.toMatchObject({ status, condition: 'busy' });
  });

  test.each(['CREATE PENDING', 'CREATE IN_PROGRESS'])('%s is ready in the start-only mode', async (status) => {
    job(status, 5_000);
    await expect(kind.observe(context, ARN, 'create', spec({ Wait: 'started', WaitSeconds: undefined }))).resolves.toMatchObject({ status, condition: 'ready' });
  });

  test('a job older than the bound fails, naming the bound and the start-only mode', async () => {
    job('CREATE IN_PROGRESS', 601);
    const observation = await kind.observe(context, ARN, 'create', spec());
    expect(observation?.condition).toBe('failed');
    expect(observation?.failureReason).toBe('the import is still running after 600 s, the bound of ImportWait.untilActive. The job goes on '
      + 'and its data still lands in the dataset. Raise the bound, or deploy with ImportWait.startOnly() to let '
      + 'the deploy finish while the job runs.');
  });

  test('a delete sees the job as the service reports it', async () => {
    job('CREATE IN_PROGRESS', 5_000);
    await expect(kind.observe(context, ARN, 'delete')).resolves.toMatchObject({ condition: 'busy' });
  });
});

describe('delete', () => {
  test('a job read from the user\'s bucket is left as it is and reported gone, whatever its status', async () => {
    job('CREATE IN_PROGRESS');
    await expect(kind.delete(context, ARN, spec())).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(personalizeMock.calls()).toHaveLength(0);
  });

  test('a job that still reads its copied asset keeps the copy until it ends', async () => {
    job('CREATE IN_PROGRESS');
    const copying = spec({ CopySourceBucket: 'assets', CopySourceKey: 'abc.csv' });
    await expect(kind.delete(context, ARN, copying)).rejects.toMatchObject({ name: 'ResourceInUseException' });
  });
});

describe('create and the source copy', () => {
  const localS3 = useLocalS3(['assets', 'copies']);
  let s3: LocalS3;
  beforeEach(() => {
    s3 = localS3();
  });

  const copying = () => spec({ CopySourceBucket: 'assets', CopySourceKey: 'a b+c.csv', DataLocation: 's3://copies/imports/Stack_Import-0a1b2c3d.csv' });

  test('the asset is copied to the data location, then the job is created with the owner tag', async () => {
    s3.putObject('assets', 'a b+c.csv', 'USER_ID\nu1\n');
    personalizeMock.on(CreateDatasetImportJobCommand).resolves({ datasetImportJobArn: ARN });

    await expect(kind.create(context, copying())).resolves.toBe(ARN);

    expect(s3.getObject('copies', 'imports/Stack_Import-0a1b2c3d.csv')).toBe('USER_ID\nu1\n');
    expect(personalizeMock).toHaveReceivedCommandWith(CreateDatasetImportJobCommand, {
      jobName: PROPERTIES.Name,
      datasetArn: DATASET,
      dataSource: { dataLocation: 's3://copies/imports/Stack_Import-0a1b2c3d.csv' },
      importMode: 'FULL',
      publishAttributionMetricsToS3: false,
      tags: [{ tagKey: OWNER_TAG_KEY, tagValue: 'Stack/Import' }],
    });
  });

  test('a missing asset fails the create with S3\'s error, before any job is created', async () => {
    await expect(kind.create(context, copying())).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    expect(personalizeMock).not.toHaveReceivedCommand(CreateDatasetImportJobCommand);
  });

  test('a job the service refuses leaves no copy behind, since no Delete will find a job to remove it with', async () => {
    s3.putObject('assets', 'a b+c.csv', 'USER_ID\nu1\n');
    personalizeMock.on(CreateDatasetImportJobCommand).rejects(Object.assign(new Error('Dataset is not ACTIVE'), { name: 'ResourceInUseException' }));

    await expect(kind.create(context, copying())).rejects.toThrow('Dataset is not ACTIVE');

    expect(s3.hasObject('copies', 'imports/Stack_Import-0a1b2c3d.csv')).toBe(false);
  });

  test('an ended job\'s copy is removed, and the job reported gone', async () => {
    s3.putObject('copies', 'imports/Stack_Import-0a1b2c3d.csv', 'x');
    job('ACTIVE');
    await expect(kind.delete(context, ARN, copying())).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(s3.hasObject('copies', 'imports/Stack_Import-0a1b2c3d.csv')).toBe(false);
  });
});

describe('ownership and replacement', () => {
  test('a job is adopted only with the owner tag, the dataset and the data location', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: 'Stack/Import' }] });
    job('ACTIVE');
    await expect(kind.isOwned(context, ARN, spec(), { purpose: 'adopt' })).resolves.toBe(true);
    await expect(kind.isOwned(context, ARN, spec({ DataLocation: 's3://shop-data/other.csv' }), { purpose: 'adopt' })).resolves.toBe(false);
    personalizeMock.on(ListTagsForResourceCommand).resolves({ tags: [] });
    await expect(kind.isOwned(context, ARN, spec(), { purpose: 'delete' })).resolves.toBe(false);
  });

  test('a job older than its dataset is not adopted: it imported into an earlier dataset of the same ARN', async () => {
    personalizeMock.on(ListTagsForResourceCommand).resolves({ tags: [{ tagKey: OWNER_TAG_KEY, tagValue: 'Stack/Import' }] });
    job('ACTIVE', 3_600);
    personalizeMock.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: DATASET, creationDateTime: new Date(clock.now() - 60_000) } });
    await expect(kind.isOwned(context, ARN, spec(), { purpose: 'adopt' })).resolves.toBe(false);
    personalizeMock.on(DescribeDatasetCommand).resolves({ dataset: { datasetArn: DATASET, creationDateTime: new Date(clock.now() - 7_200_000) } });
    await expect(kind.isOwned(context, ARN, spec(), { purpose: 'adopt' })).resolves.toBe(true);
  });

  test('a new source, mode or role is a replacement; the wait mode and tags are not', () => {
    expect(kind.replacementCauses(spec(), spec({ DataLocation: 's3://shop-data/b.csv', ImportMode: 'INCREMENTAL', RoleArn: 'arn:aws:iam::123456789012:role/other' })))
      .toEqual(['source', 'role', 'importMode']);
    expect(kind.replacementCauses(spec(), spec({ Wait: 'started', WaitSeconds: undefined, Tags: [{ Key: 'team', Value: 'recs' }] }))).toEqual([]);
  });
});

describe('parse', () => {
  test.each([
    [{ Wait: 'forever' }, "Property 'Wait' must be 'active' or 'started', got 'forever'"],
    [{ WaitSeconds: '43201' }, "Property 'WaitSeconds' must be a whole number of seconds from 1 to 43200, got '43201'"],
    [{ ImportMode: 'APPEND' }, "Property 'ImportMode' must be FULL or INCREMENTAL, got 'APPEND'"],
    [{ CopySourceBucket: 'assets' }, "Properties 'CopySourceBucket' and 'CopySourceKey' go together"],
    [{ CopySourceBucket: 'assets', CopySourceKey: 'a.csv', DataLocation: 's3://copies/imports/' }, "Property 'DataLocation' must name an object (s3://BUCKET/KEY) to copy to, got 's3://copies/imports/'"],
  ])('%j is refused, naming the property', (overrides, message) => {
    expect(() => spec(overrides)).toThrow(message);
  });
});
