import { execFileSync } from 'child_process';
import {
  CreateDatasetCommand, CreateProjectCommand, DeleteDatasetCommand, DescribeDatasetCommand, DescribeProjectsCommand,
  ListTagsForResourceCommand, RekognitionClient,
} from '@aws-sdk/client-rekognition';
import { INPUT_SHAPES, MODELLED_ERRORS, OPERATION_NAMES } from './model';
import { LocalRekognition } from './server';

let server: LocalRekognition;
let client: RekognitionClient;
let now = 1_000_000;

beforeEach(async () => {
  now = 1_000_000;
  server = await LocalRekognition.start({ activeAfterMs: 100, deleteAfterMs: 50, now: () => now });
  client = new RekognitionClient(server.clientConfig());
});

afterEach(async () => {
  client.destroy();
  await server.stop();
});

async function project(name = 'shoes'): Promise<string> {
  return (await client.send(new CreateProjectCommand({ ProjectName: name }))).ProjectArn!;
}

const manifest = { GroundTruthManifest: { S3Object: { Bucket: 'labels', Name: 'train.manifest' } } };

test('a dataset is CREATE_IN_PROGRESS, then CREATE_COMPLETE, under an ARN that ends in its creation time', async () => {
  const projectArn = await project();
  const { DatasetArn } = await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN', DatasetSource: manifest }));
  expect(DatasetArn).toMatch(/^arn:aws:rekognition:us-east-1:123456789012:project\/shoes\/dataset\/train\/\d+$/);
  expect((await client.send(new DescribeDatasetCommand({ DatasetArn }))).DatasetDescription?.Status).toBe('CREATE_IN_PROGRESS');
  now += 100;
  const done = (await client.send(new DescribeDatasetCommand({ DatasetArn }))).DatasetDescription;
  expect(done).toMatchObject({ Status: 'CREATE_COMPLETE', StatusMessageCode: 'SUCCESS' });
});

test('DescribeProjects lists a project\'s datasets by type, which is how a dataset is found without its ARN', async () => {
  const projectArn = await project();
  const { DatasetArn } = await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TEST' }));
  const described = await client.send(new DescribeProjectsCommand({ ProjectNames: ['shoes'] }));
  expect(described.ProjectDescriptions?.[0].Datasets).toEqual([expect.objectContaining({ DatasetType: 'TEST', DatasetArn })]);
});

test('a project holds one dataset of each type: a second TRAIN dataset is ResourceAlreadyExistsException', async () => {
  const projectArn = await project();
  await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN' }));
  await expect(client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN' })))
    .rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
});

test('reset forgets projects, datasets, faults, behaviours and calls, and the same endpoint goes on serving', async () => {
  const projectArn = await project();
  await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN', DatasetSource: manifest }));
  server.inject('CreateProject', { kind: 'throttle', always: true });
  server.failCreation('shoes/TRAIN', { message: 'broken' });

  server.reset();

  expect(server.resources()).toEqual([]);
  expect(server.calls).toEqual([]);
  expect(server.faultsRemaining()).toBe(0);
  const { DatasetArn } = await client.send(new CreateDatasetCommand({ ProjectArn: await project(), DatasetType: 'TRAIN', DatasetSource: manifest }));
  now += 100;
  expect((await client.send(new DescribeDatasetCommand({ DatasetArn }))).DatasetDescription?.Status).toBe('CREATE_COMPLETE');
});

test('a failed creation reports StatusMessage and StatusMessageCode', async () => {
  const projectArn = await project();
  server.failCreation('shoes/TRAIN', { message: 'The manifest file contains too many invalid data.', code: 'CLIENT_ERROR' });
  const { DatasetArn } = await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN', DatasetSource: manifest }));
  now += 100;
  expect((await client.send(new DescribeDatasetCommand({ DatasetArn }))).DatasetDescription).toMatchObject({
    Status: 'CREATE_FAILED', StatusMessage: 'The manifest file contains too many invalid data.', StatusMessageCode: 'CLIENT_ERROR',
  });
});

test('DeleteDataset is refused while the dataset is CREATE_IN_PROGRESS, then deletes through DELETE_IN_PROGRESS', async () => {
  const projectArn = await project();
  const hold = server.holdCreation('shoes/TRAIN');
  const { DatasetArn } = await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN' }));
  await hold.reached;
  now += 1_000;
  await expect(client.send(new DeleteDatasetCommand({ DatasetArn }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
  hold.release();
  now += 100;
  await client.send(new DeleteDatasetCommand({ DatasetArn }));
  expect((await client.send(new DescribeDatasetCommand({ DatasetArn }))).DatasetDescription?.Status).toBe('DELETE_IN_PROGRESS');
  now += 50;
  await expect(client.send(new DescribeDatasetCommand({ DatasetArn }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('tags given to CreateDataset are listed on the dataset ARN', async () => {
  const projectArn = await project();
  const { DatasetArn } = await client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TRAIN', Tags: { team: 'vision' } }));
  expect((await client.send(new ListTagsForResourceCommand({ ResourceArn: DatasetArn }))).Tags).toEqual({ team: 'vision' });
});

test('requests are validated against the botocore model: a project ARN without its timestamp is a ValidationException', async () => {
  await expect(client.send(new CreateDatasetCommand({ ProjectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/shoes', DatasetType: 'TRAIN' })))
    .rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'ProjectArn' failed to satisfy constraint") });
});

test('an injected throttle is Rekognition\'s ThrottlingException, an HTTP 500', async () => {
  server.inject('DescribeProjects', { kind: 'throttle' });
  await expect(client.send(new DescribeProjectsCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 500 } });
  await expect(client.send(new DescribeProjectsCommand({}))).resolves.toBeDefined();
});

test('a hold fault keeps a request at its gate until the test opens it', async () => {
  const projectArn = await project();
  const gate = server.gate();
  server.inject('CreateDataset', { kind: 'hold', gate });
  const pending = client.send(new CreateDatasetCommand({ ProjectArn: projectArn, DatasetType: 'TEST' }));
  await gate.reached;
  expect(server.resources('dataset')).toEqual([]);
  gate.open();
  await expect(pending).resolves.toMatchObject({ DatasetArn: expect.stringContaining('/dataset/test/') });
});

/** botocore's Rekognition model, flattened to what the local model transcribes, when Python has botocore. */
function botocoreModel(): { members: Record<string, Record<string, unknown>>; errors: Record<string, string[]> } | undefined {
  const script = [
    'import botocore.loaders, json',
    "m = botocore.loaders.Loader().load_service_model('rekognition', 'service-2', '2016-06-27')",
    `ops = ${JSON.stringify(OPERATION_NAMES)}`,
    'members = {}',
    'for op in ops:',
    "    shape = m['shapes'][m['operations'][op]['input']['shape']]",
    "    for name, ref in shape['members'].items():",
    "        s = m['shapes'][ref['shape']]",
    "        if s['type'] == 'string':",
    "            members[op + '.' + name] = {k: s[k] for k in ('pattern', 'min', 'max', 'enum') if k in s}",
    "    members[op + '.required'] = {'required': sorted(shape.get('required', []))}",
    "errors = {op: sorted(e['shape'] for e in m['operations'][op].get('errors', [])) for op in ops}",
    "print(json.dumps({'members': members, 'errors': errors}))",
  ].join('\n');
  try {
    return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

const botocore = botocoreModel();
(botocore ? test : test.skip)('the local model\'s string constraints, required members and errors are those of botocore\'s Rekognition model', () => {
  for (const operation of OPERATION_NAMES) {
    const shape = INPUT_SHAPES[operation];
    expect({ operation, required: [...(shape.required ?? [])].sort() }).toEqual({ operation, required: botocore!.members[`${operation}.required`].required });
    for (const [name, member] of Object.entries(shape.members)) {
      if (member.type !== 'string') continue;
      const { type: _type, sensitive: _sensitive, ...constraints } = member;
      expect({ member: `${operation}.${name}`, ...constraints }).toEqual({ member: `${operation}.${name}`, ...botocore!.members[`${operation}.${name}`] });
    }
    expect({ operation, errors: [...MODELLED_ERRORS[operation]].sort() }).toEqual({ operation, errors: botocore!.errors[operation] });
  }
});
