/**
 * The library's synthesized stacks under local KMS (test/local-kms, ADR 0016): every read
 * and write of data that a customer managed key protects, by the principal AWS documents
 * for it, is decided against the stack's key policies and identity policies as KMS would.
 * Each case also shows the template as the library wrote it before, denied.
 *
 * - Import from an SSE-KMS bucket: the import role reads through S3; Personalize's
 *   principal uses the key ("Giving Amazon Personalize permission to use your AWS KMS
 *   key": for an import job the key policy must grant it).
 * - Metric attribution files: the role writes through S3 with the files' key and the
 *   bucket's; Personalize's principal uses both keys.
 * - A dataset group's key: the role and Personalize's principal use it, the principal
 *   only for this account (aws:SourceAccount, aws:SourceArn).
 * - A Custom Labels manifest: the handler, which calls CreateDataset, reads it through S3
 *   and needs kms:Decrypt and kms:GenerateDataKey (Custom Labels developer guide).
 */
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  DatasetGroup, DatasetGroupProps, DatasetImportJob, DatasetType, ImportSource, MetricAttribution, MetricExpression, rekognition, Schema,
  SchemaDefinition, SchemaField,
} from '../src';
import { synthesize, SynthesizedStack } from './harness/stacks';
import { bucketNameOf, TemplateJson } from './harness/template';
import { DEFAULT_IDENTITY } from './local-iam';
import { defaultKeyPolicy, KeyPolicy, KeyPolicyStatement, LocalKms } from './local-kms';
import { everyConstructStack } from './support/every-construct';
import { PERSONALIZE_KEY_ACTIONS } from './support/personalize-key-policy';

// Loading AWS's authorization reference and synthesizing stacks take real time, more on a busy machine: a bound
// on it would test the machine's speed, not the code.
jest.setTimeout(120_000);

const { account, region } = DEFAULT_IDENTITY;
const OTHER_ACCOUNT = '999999999999';
const PERSONALIZE = 'personalize.amazonaws.com';
const personalizeArn = (resource: string, inAccount = account) => `arn:aws:personalize:${region}:${inAccount}:${resource}`;
const IMPORTED_KEY = `arn:aws:kms:${region}:${account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function group(stack: Stack, props: DatasetGroupProps = {}) {
  const retail = new DatasetGroup(stack, 'Group', { datasetGroupName: 'retail', ...props });
  const interactions = retail.addDataset('Interactions', {
    datasetType: DatasetType.INTERACTIONS,
    schema: new Schema(stack, 'InteractionsSchema', {
      definition: SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'), SchemaField.longField('TIMESTAMP')]),
    }),
  });
  return { retail, interactions };
}

/** Logical ID of the only resource whose ID starts with `prefix`. */
function logicalId(template: TemplateJson, prefix: string, type?: string): string {
  const found = Object.entries(template.Resources).filter(([id, resource]) => id.startsWith(prefix) && (!type || resource.Type === type));
  if (found.length !== 1) throw new Error(`expected one ${prefix}* (${type ?? 'any type'}), found ${found.map(([id]) => id).join(', ') || 'none'}`);
  return found[0][0];
}

/** The template with every key policy statement for Personalize's principal changed by `edit` (undefined removes it): the library as it was. */
function withPersonalizeStatements(template: TemplateJson, edit: (statement: KeyPolicyStatement) => KeyPolicyStatement | undefined): TemplateJson {
  const copy = JSON.parse(JSON.stringify(template)) as TemplateJson;
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type !== 'AWS::KMS::Key') continue;
    const policy = resource.Properties!.KeyPolicy as { Statement: KeyPolicyStatement[] };
    policy.Statement = policy.Statement.flatMap((statement) => {
      const principal = statement.Principal as Record<string, unknown> | undefined;
      if (principal?.Service !== PERSONALIZE) return [statement];
      const edited = edit(statement);
      return edited ? [edited] : [];
    });
  }
  return copy;
}

/** Each action's denial message, or nothing when every action is allowed. */
function denials(local: LocalKms, principal: string, keyArn: string, actions: string[], context?: Record<string, string | string[]>): string[] {
  return actions.flatMap((action) => local.check({ principal, keyArn, action, context })?.message ?? []);
}

describe('an import from an SSE-KMS bucket', () => {
  let stack: SynthesizedStack;
  let local: LocalKms;
  let key: string;
  let bucket: string;
  let importRole: string;
  const jobArn = personalizeArn('dataset-import-job/events');

  beforeAll(async () => {
    stack = synthesize((s) => {
      const data = new s3.Bucket(s, 'Data', { encryptionKey: new kms.Key(s, 'DataKey') });
      new DatasetImportJob(s, 'Import', { dataset: group(s).interactions, source: ImportSource.fromBucket(data, 'events/') });
    });
    local = await LocalKms.forTemplate(stack.template);
    key = local.key(logicalId(stack.template, 'DataKey', 'AWS::KMS::Key')).keyArn;
    bucket = bucketNameOf(logicalId(stack.template, 'Data', 'AWS::S3::Bucket'));
    importRole = logicalId(stack.template, 'ImportServiceRole', 'AWS::IAM::Role');
  });

  test('the bucket\'s key is the key the local S3 finds for the bucket', () => {
    expect(local.keyOfBucket(bucket)).toBe(key);
  });

  test('the import role may decrypt the objects it reads through S3', () => {
    expect(denials(local, importRole, key, ['kms:Decrypt'], local.viaS3(bucket, 'events/2026-12-01.csv'))).toEqual([]);
  });

  test('Personalize\'s principal may use the key for an import of this account', () => {
    expect(denials(local, PERSONALIZE, key, PERSONALIZE_KEY_ACTIONS, local.personalizeSource(jobArn))).toEqual([]);
  });

  test('Personalize\'s principal acting for another account, or without a source, is denied by the key policy', () => {
    expect(denials(local, PERSONALIZE, key, ['kms:Decrypt'], local.personalizeSource(personalizeArn('dataset-import-job/events', OTHER_ACCOUNT), OTHER_ACCOUNT)))
      .toEqual([`User: ${PERSONALIZE} is not authorized to perform: kms:Decrypt on resource: ${key} because no resource-based policy allows the kms:Decrypt action`]);
    expect(denials(local, PERSONALIZE, key, ['kms:Decrypt'])).toHaveLength(1);
  });

  test('as the library wrote it before (no key policy statement for Personalize), Personalize\'s principal was denied', async () => {
    const before = await LocalKms.forTemplate(withPersonalizeStatements(stack.template, () => undefined));
    expect(denials(before, PERSONALIZE, key, ['kms:Decrypt'], before.personalizeSource(jobArn)))
      .toEqual([`User: ${PERSONALIZE} is not authorized to perform: kms:Decrypt on resource: ${key} because no resource-based policy allows the kms:Decrypt action`]);
  });

  test('with a given role, the key policy still lets Personalize in; the role\'s own grants are the user\'s to give', async () => {
    const given = synthesize((s) => {
      const data = new s3.Bucket(s, 'Data', { encryptionKey: new kms.Key(s, 'DataKey') });
      const role = new iam.Role(s, 'Reader', { assumedBy: new iam.ServicePrincipal(PERSONALIZE) });
      new DatasetImportJob(s, 'Import', { dataset: group(s).interactions, source: ImportSource.fromBucket(data, 'events/'), role });
    });
    const kmsOfGiven = await LocalKms.forTemplate(given.template);
    const givenKey = kmsOfGiven.key(logicalId(given.template, 'DataKey', 'AWS::KMS::Key')).keyArn;
    expect(denials(kmsOfGiven, PERSONALIZE, givenKey, PERSONALIZE_KEY_ACTIONS, kmsOfGiven.personalizeSource(jobArn))).toEqual([]);
    expect(denials(kmsOfGiven, logicalId(given.template, 'Reader', 'AWS::IAM::Role'), givenKey, ['kms:Decrypt'], kmsOfGiven.viaS3('data', 'events/a.csv'))[0])
      .toMatch(/because no identity-based policy allows the kms:Decrypt action$/);
  });
});

describe('metric attribution files in an SSE-KMS bucket, encrypted with another key', () => {
  let stack: SynthesizedStack;
  let local: LocalKms;
  let role: string;
  const attributionArn = personalizeArn('metric-attribution/clicks');

  beforeAll(async () => {
    stack = synthesize((s) => {
      const output = new s3.Bucket(s, 'Output', { encryptionKey: new kms.Key(s, 'BucketKey') });
      new MetricAttribution(s, 'Metrics', {
        datasetGroup: group(s).retail,
        outputBucket: output,
        outputKey: new kms.Key(s, 'FilesKey'),
        metrics: [{ metricName: 'CLICKS', eventType: 'click', expression: MetricExpression.sampleCount() }],
      });
    });
    local = await LocalKms.forTemplate(stack.template);
    role = logicalId(stack.template, 'MetricsServiceRole', 'AWS::IAM::Role');
  });

  test.each(['BucketKey', 'FilesKey'])('the role may write and read the files through S3 with %s', (id) => {
    const key = local.key(logicalId(stack.template, id, 'AWS::KMS::Key')).keyArn;
    const bucket = bucketNameOf(logicalId(stack.template, 'Output', 'AWS::S3::Bucket'));
    expect(denials(local, role, key, ['kms:GenerateDataKey', 'kms:Decrypt'], local.viaS3(bucket, 'metrics/2026/12/01.json'))).toEqual([]);
  });

  test.each(['BucketKey', 'FilesKey'])('Personalize\'s principal may use %s for an attribution of this account only', (id) => {
    const key = local.key(logicalId(stack.template, id, 'AWS::KMS::Key')).keyArn;
    expect(denials(local, PERSONALIZE, key, PERSONALIZE_KEY_ACTIONS, local.personalizeSource(attributionArn))).toEqual([]);
    expect(denials(local, PERSONALIZE, key, ['kms:GenerateDataKey'], local.personalizeSource(personalizeArn('metric-attribution/clicks', OTHER_ACCOUNT), OTHER_ACCOUNT)))
      .toHaveLength(1);
  });

  test('as the library wrote it before, Personalize\'s principal was denied both keys', async () => {
    const before = await LocalKms.forTemplate(withPersonalizeStatements(stack.template, () => undefined));
    for (const id of ['BucketKey', 'FilesKey']) {
      const key = before.key(logicalId(stack.template, id, 'AWS::KMS::Key')).keyArn;
      expect(denials(before, PERSONALIZE, key, ['kms:GenerateDataKey'], before.personalizeSource(attributionArn))[0])
        .toMatch(/because no resource-based policy allows the kms:GenerateDataKey action$/);
    }
  });
});

describe('a dataset group\'s key', () => {
  let stack: SynthesizedStack;
  let local: LocalKms;
  let key: string;
  const groupArn = personalizeArn('dataset-group/retail');

  beforeAll(async () => {
    stack = synthesize((s) => group(s, { kmsKey: new kms.Key(s, 'GroupKey') }));
    local = await LocalKms.forTemplate(stack.template);
    key = local.key(logicalId(stack.template, 'GroupKey', 'AWS::KMS::Key')).keyArn;
  });

  test('the group\'s role may use the key', () => {
    const role = logicalId(stack.template, 'GroupServiceRole', 'AWS::IAM::Role');
    expect(denials(local, role, key, ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey', 'kms:ListGrants'])).toEqual([]);
  });

  test('Personalize\'s principal may use the key and create grants for this account\'s group', () => {
    expect(denials(local, PERSONALIZE, key, PERSONALIZE_KEY_ACTIONS, local.personalizeSource(groupArn))).toEqual([]);
  });

  test('Personalize\'s principal is denied for another account\'s resource, for a source that is not Personalize\'s, and without a source', () => {
    expect(denials(local, PERSONALIZE, key, ['kms:CreateGrant'], local.personalizeSource(personalizeArn('dataset-group/retail', OTHER_ACCOUNT), OTHER_ACCOUNT)))
      .toHaveLength(1);
    expect(denials(local, PERSONALIZE, key, ['kms:CreateGrant'], local.personalizeSource(`arn:aws:s3:::${account}-bucket`))).toHaveLength(1);
    expect(denials(local, PERSONALIZE, key, ['kms:CreateGrant'])).toHaveLength(1);
  });

  test('as the library wrote it before (no conditions), another account\'s Personalize resource could use the key', async () => {
    const before = await LocalKms.forTemplate(withPersonalizeStatements(stack.template, ({ Condition: _dropped, ...statement }) => statement));
    expect(denials(before, PERSONALIZE, key, ['kms:CreateGrant'], before.personalizeSource(personalizeArn('dataset-group/retail', OTHER_ACCOUNT), OTHER_ACCOUNT)))
      .toEqual([]);
  });
});

describe('a Custom Labels manifest in an SSE-KMS bucket', () => {
  let stack: SynthesizedStack;
  let local: LocalKms;
  let key: string;
  let handler: string;
  let bucket: string;

  beforeAll(async () => {
    stack = synthesize((s) => {
      const labels = new s3.Bucket(s, 'Labels', { encryptionKey: new kms.Key(s, 'LabelsKey') });
      new rekognition.Dataset(s, 'Train', {
        project: new rekognition.Project(s, 'Project', { projectName: 'shoes' }),
        datasetType: rekognition.DatasetType.TRAIN,
        source: rekognition.DatasetSource.fromManifestObject(labels, 'train.manifest', { imagePrefix: 'images/' }),
      });
    });
    local = await LocalKms.forTemplate(stack.template);
    key = local.key(logicalId(stack.template, 'LabelsKey', 'AWS::KMS::Key')).keyArn;
    handler = logicalId(stack.template, 'CdkPersonalizeProviderHandlerRole', 'AWS::IAM::Role');
    bucket = bucketNameOf(logicalId(stack.template, 'Labels', 'AWS::S3::Bucket'));
  });

  test('the handler, which calls CreateDataset, may use the key for the manifest and the images as Custom Labels documents', () => {
    expect(denials(local, handler, key, ['kms:Decrypt', 'kms:GenerateDataKey'], local.viaS3(bucket, 'train.manifest'))).toEqual([]);
    expect(denials(local, handler, key, ['kms:Decrypt'], local.viaS3(bucket, 'images/1.jpg'))).toEqual([]);
  });

  test('as the library wrote it before (kms:Decrypt only), kms:GenerateDataKey was denied', async () => {
    const copy = JSON.parse(JSON.stringify(stack.template)) as TemplateJson;
    for (const resource of Object.values(copy.Resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const document = resource.Properties!.PolicyDocument as { Statement: Array<{ Action: unknown }> };
      for (const statement of document.Statement) {
        if (JSON.stringify(statement.Action) === JSON.stringify(['kms:Decrypt', 'kms:GenerateDataKey'])) statement.Action = 'kms:Decrypt';
      }
    }
    const before = await LocalKms.forTemplate(copy);
    expect(denials(before, handler, key, ['kms:GenerateDataKey'], before.viaS3(bucket, 'train.manifest'))[0])
      .toMatch(/because no identity-based policy allows the kms:GenerateDataKey action$/);
  });
});

describe('an imported key: the statement the synth warning names is the one KMS needs', () => {
  /** The JSON statement of the importedKeyPolicy warning on `constructPath`, with the stack's values for the placeholders. */
  function warnedStatement(s: Stack, constructPath: string): KeyPolicyStatement {
    const [warning] = Annotations.fromStack(s).findWarning(constructPath, Match.stringLikeRegexp('imported key'));
    const text = String(warning.entry.data).replace(/<partition>/g, 'aws').replace(/<region>/g, region).replace(/<account>/g, account);
    return JSON.parse(/(\{"Effect".*\})[.:]/.exec(text)![1]);
  }

  test.each([
    ['a dataset group', 'Group', (s: Stack, key: kms.IKey) => group(s, { kmsKey: key }), personalizeArn('dataset-group/retail')],
    ['an import source', 'Import', (s: Stack, key: kms.IKey) => new DatasetImportJob(s, 'Import', {
      dataset: group(s).interactions,
      source: ImportSource.fromBucket(s3.Bucket.fromBucketAttributes(s, 'Data', { bucketName: 'their-data', encryptionKey: key }), 'events/'),
    }), personalizeArn('dataset-import-job/events')],
  ])('%s: without the statement Personalize is denied; with it, allowed for this account only', async (_, constructPath, build, sourceArn) => {
    let warned: KeyPolicyStatement | undefined;
    const synthesized = synthesize((s) => {
      build(s, kms.Key.fromKeyArn(s, 'TheirKey', IMPORTED_KEY));
      warned = warnedStatement(s, `/${s.stackName}/${constructPath}`);
    });
    const policy = (extra: KeyPolicyStatement[]): KeyPolicy => {
      const byDefault = defaultKeyPolicy(DEFAULT_IDENTITY);
      return { ...byDefault, Statement: [...byDefault.Statement, ...extra] };
    };
    const without = await LocalKms.forTemplate(synthesized.template, { importedKeys: { [IMPORTED_KEY]: policy([]) } });
    expect(denials(without, PERSONALIZE, IMPORTED_KEY, ['kms:Decrypt'], without.personalizeSource(sourceArn))).toHaveLength(1);
    const withIt = await LocalKms.forTemplate(synthesized.template, { importedKeys: { [IMPORTED_KEY]: policy([warned!]) } });
    expect(denials(withIt, PERSONALIZE, IMPORTED_KEY, PERSONALIZE_KEY_ACTIONS, withIt.personalizeSource(sourceArn))).toEqual([]);
    expect(denials(withIt, PERSONALIZE, IMPORTED_KEY, ['kms:Decrypt'], withIt.personalizeSource(sourceArn.replace(account, OTHER_ACCOUNT), OTHER_ACCOUNT)))
      .toHaveLength(1);
  });

  test('a Custom Labels manifest: the statement names the handler\'s role, which may then read with the key', async () => {
    let warning = '';
    const synthesized = synthesize((s) => {
      const labels = s3.Bucket.fromBucketAttributes(s, 'Labels', { bucketName: 'labels', encryptionKey: kms.Key.fromKeyArn(s, 'TheirKey', IMPORTED_KEY) });
      new rekognition.Dataset(s, 'Train', {
        project: new rekognition.Project(s, 'Project', { projectName: 'shoes' }),
        datasetType: rekognition.DatasetType.TRAIN,
        source: rekognition.DatasetSource.fromManifestObject(labels, 'train.manifest', { imagePrefix: 'images/' }),
      });
      warning = String(Annotations.fromStack(s).findWarning(`/${s.stackName}/Train`, Match.stringLikeRegexp('imported key'))[0].entry.data);
    });
    const handler = logicalId(synthesized.template, 'CdkPersonalizeProviderHandlerRole', 'AWS::IAM::Role');
    const handlerArn = `arn:aws:iam::${account}:role/${handler}`;
    const statement = JSON.parse(/(\{"Effect".*\})\./.exec(warning)![1].replace(/<ARN of role '[^']*'>/, handlerArn)) as KeyPolicyStatement;
    // A key policy that leaves nothing to IAM: only the named statement lets the handler in.
    const locked = await LocalKms.forTemplate(synthesized.template, { importedKeys: { [IMPORTED_KEY]: { Statement: [] } } });
    expect(denials(locked, handler, IMPORTED_KEY, ['kms:Decrypt'], locked.viaS3('labels', 'train.manifest'))).toHaveLength(1);
    const named = await LocalKms.forTemplate(synthesized.template, { importedKeys: { [IMPORTED_KEY]: { Statement: [statement] } } });
    expect(denials(named, handler, IMPORTED_KEY, ['kms:Decrypt', 'kms:GenerateDataKey'], named.viaS3('labels', 'train.manifest'))).toEqual([]);
    // The default key policy leaves it to IAM, where the library granted the handler.
    const byDefault = await LocalKms.forTemplate(synthesized.template, { importedKeys: { [IMPORTED_KEY]: defaultKeyPolicy(DEFAULT_IDENTITY) } });
    expect(denials(byDefault, handler, IMPORTED_KEY, ['kms:Decrypt', 'kms:GenerateDataKey'], byDefault.viaS3('labels', 'train.manifest'))).toEqual([]);
  });
});

test('a stack with every construct: every key policy statement for a service principal carries aws:SourceAccount and aws:SourceArn', async () => {
  const local = await LocalKms.forTemplate(everyConstructStack().template);
  const statements = local.keys().flatMap((key) => key.policy.Statement)
    .filter((statement) => typeof statement.Principal === 'object' && 'Service' in statement.Principal);
  expect(statements.length).toBeGreaterThan(0);
  for (const statement of statements) {
    expect(statement.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:aws:personalize:${region}:${account}:*` },
    });
  }
});

