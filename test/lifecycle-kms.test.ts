/**
 * KMS in the lifecycle harness (ADR 0016): a read of an object in an SSE-KMS bucket needs
 * kms:Decrypt through S3 for the role that reads, under the key's policy, and a write needs
 * kms:GenerateDataKey. Personalize reads an import's data as the role the job passes, and
 * Rekognition reads a manifest with the caller's permissions, so a role without the key
 * fails the job, or the create, as AWS fails it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CreateProjectCommand } from '@aws-sdk/client-rekognition';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DatasetGroup, DatasetImportJob, ImportSource, rekognition } from '../src';
import { destroyAndVerify, expectStatus } from './harness/assertions';
import { LIFECYCLE_TEST_TIMEOUT_MS, LifecycleEnvironment, withEnvironment } from './harness/environment';
import { synthesize, SynthesizedStack } from './harness/stacks';
import { bucketNameOf, TemplateJson } from './harness/template';
import { addInteractionsDataset, IMPORT_FIXTURES } from './support/import-fixtures';

jest.setTimeout(LIFECYCLE_TEST_TIMEOUT_MS);

const CSV = fs.readFileSync(path.join(IMPORT_FIXTURES, 'interactions.csv'));
const KEY = 'data/interactions.csv';

/** An import from `data/interactions.csv` in a bucket of the app encrypted with a key of the app. */
function encryptedImportStack(): SynthesizedStack {
  return synthesize((stack) => {
    const dataset = addInteractionsDataset(stack);
    const data = new s3.Bucket(stack, 'Data', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, 'DataKey') });
    new DatasetImportJob(stack, 'Import', { dataset, source: ImportSource.fromBucket(data, KEY) });
  });
}

/** The template without kms:Decrypt in any identity policy: a role the app forgot to grant the key. */
function withoutKeyGrants(template: TemplateJson): TemplateJson {
  const copy = JSON.parse(JSON.stringify(template)) as TemplateJson;
  for (const resource of Object.values(copy.Resources).filter((r) => r.Type === 'AWS::IAM::Policy')) {
    const document = (resource.Properties as any).PolicyDocument;
    document.Statement = document.Statement.filter((statement: any) => ![statement.Action].flat().includes('kms:Decrypt'));
  }
  return copy;
}

const STACK = encryptedImportStack();
const DATA_BUCKET = bucketNameOf(Object.keys(STACK.template.Resources)
  .find((id) => STACK.template.Resources[id].Type === 'AWS::S3::Bucket' && id.startsWith('Data'))!);

test.concurrent('an import from an SSE-KMS bucket completes: KMS lets the job\'s role decrypt through S3', () => withEnvironment({}, async (env) => {
  env.s3.putObject(DATA_BUCKET, KEY, CSV);

  await expectStatus(env.deploy(STACK.template), 'CREATE_COMPLETE');

  const decrypts = env.iam.keyDecisions.filter((decision) => decision.action === 'kms:Decrypt');
  expect(decrypts.length).toBeGreaterThan(0);
  expect(decrypts.every((decision) => decision.allowed)).toBe(true);
  await destroyAndVerify(env);
}));

test.concurrent('without the key grant, the import fails with KMS\'s refusal, as Personalize fails it', () => withEnvironment({}, async (env) => {
  env.s3.putObject(DATA_BUCKET, KEY, CSV);
  const template = withoutKeyGrants(STACK.template);
  // The stack under test is the one the grant was taken out of; nothing else in it needs the key.
  const result = await env.deploy(template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/Insufficient privileges for accessing data in S3: .*kms:Decrypt/);
  await env.verify({ denials: [/kms:Decrypt/] });
}));

/** A Custom Labels TRAIN dataset from a manifest in a bucket of the app encrypted with a key of the app. */
function encryptedManifestStack(projectArn: string): SynthesizedStack {
  return synthesize((stack) => {
    const labels = new s3.Bucket(stack, 'Labels', { encryption: s3.BucketEncryption.KMS, encryptionKey: new kms.Key(stack, 'LabelsKey') });
    new rekognition.Dataset(stack, 'Train', {
      project: rekognition.Project.fromProjectArn(stack, 'Project', projectArn),
      datasetType: rekognition.DatasetType.TRAIN,
      source: rekognition.DatasetSource.fromManifestObject(labels, 'train.manifest', { imagePrefix: 'images/' }),
    });
  });
}

async function shoesProject(env: LifecycleEnvironment): Promise<string> {
  return (await env.rekognitionClient().send(new CreateProjectCommand({ ProjectName: 'shoes' }))).ProjectArn!;
}

test.concurrent('a Custom Labels manifest in an SSE-KMS bucket is read with the handler\'s key grant', () => withEnvironment({}, async (env) => {
  const stack = encryptedManifestStack(await shoesProject(env));

  await expectStatus(env.deploy(stack.template), 'CREATE_COMPLETE');

  const decrypts = env.iam.keyDecisions.filter((decision) => decision.action === 'kms:Decrypt');
  expect(decrypts.length).toBeGreaterThan(0);
  expect(decrypts.every((decision) => decision.allowed)).toBe(true);
  await destroyAndVerify(env);
}));

test.concurrent('without the handler\'s key grant, CreateDataset is refused with KMS\'s words and the deploy rolls back', () => withEnvironment({}, async (env) => {
  const stack = encryptedManifestStack(await shoesProject(env));

  const result = await env.deploy(withoutKeyGrants(stack.template));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/kms:Decrypt/);
  await env.verify({ denials: [/kms:Decrypt/] });
}));

/** A dataset group encrypted with a key of the app. */
const ENCRYPTED_GROUP = synthesize((stack) => {
  new DatasetGroup(stack, 'Group', { datasetGroupName: 'vault', kmsKey: new kms.Key(stack, 'GroupKey', { enableKeyRotation: true }) });
});

/** The template without the key policy statement for Personalize's own principal: a key whose policy the app forgot. */
function withoutPersonalizeInKeyPolicy(template: TemplateJson): TemplateJson {
  const copy = JSON.parse(JSON.stringify(template)) as TemplateJson;
  for (const resource of Object.values(copy.Resources).filter((r) => r.Type === 'AWS::KMS::Key')) {
    const policy = (resource.Properties as any).KeyPolicy;
    policy.Statement = policy.Statement.filter((statement: any) => JSON.stringify(statement.Principal) !== '{"Service":"personalize.amazonaws.com"}');
  }
  return copy;
}

test.concurrent('a dataset group\'s key is usable by its role and by Personalize acting for the group', () => withEnvironment({}, async (env) => {
  await expectStatus(env.deploy(ENCRYPTED_GROUP.template), 'CREATE_COMPLETE');

  const decided = env.iam.keyDecisions.map((decision) => `${decision.principal.includes('personalize.amazonaws.com') ? 'service' : 'role'} ${decision.action}`);
  expect(new Set(decided)).toEqual(new Set(['role kms:Decrypt', 'role kms:GenerateDataKey', 'service kms:Decrypt', 'service kms:GenerateDataKey',
    'service kms:CreateGrant']));
  expect(env.iam.keyDecisions.every((decision) => decision.allowed)).toBe(true);
  await destroyAndVerify(env);
}));

test.concurrent('a key policy without Personalize\'s statement fails the group as Personalize does, naming KMS\'s refusal', () => withEnvironment({}, async (env) => {
  const result = await env.deploy(withoutPersonalizeInKeyPolicy(ENCRYPTED_GROUP.template));

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.firstFailure?.reason).toMatch(/Unable to use the KMS key: .*personalize\.amazonaws\.com/);
  await env.verify({ denials: [/personalize\.amazonaws\.com/] });
}));
