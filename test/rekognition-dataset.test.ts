import * as fs from 'fs';
import * as path from 'path';
import { App, Aspects, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { rekognition } from '../src';
import { grantedOn, handlerGrants, statementFor } from './support/handler-grants';

const { Dataset, DatasetSource, DatasetType, Project } = rekognition;
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const PROJECT_ARN = `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/shoes/1700000000000`;
const MANIFEST = path.join(__dirname, 'fixtures', 'rekognition', 'train.manifest');
const rekognitionArn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rekognition:${REGION}:${ACCOUNT}:${resource}`]] });
const s3Arn = (resource: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${resource}`]] });

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

/** A manifest file with these lines, in a temporary folder. */
function manifestFile(...lines: unknown[]): string {
  const file = path.join(fs.mkdtempSync(path.join(process.env.CDK_OUTDIR!, 'manifest-')), 'data.manifest');
  fs.writeFileSync(file, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n'));
  return file;
}

const CLASSIFIED = {
  'source-ref': 's3://images/shoes/1.jpg',
  'shoe': 0,
  'shoe-metadata': { 'class-name': 'boot', 'confidence': 1, 'type': 'groundtruth/image-classification', 'human-annotated': 'yes', 'creation-date': '2026-01-01T00:00:00' },
};
const BOXED = {
  'source-ref': 's3://images/shoes/2.jpg',
  'bounding-box': { image_size: [{ width: 640, height: 480, depth: 3 }], annotations: [{ class_id: 0, top: 1, left: 2, width: 3, height: 4 }] },
  'bounding-box-metadata': {
    'objects': [{ confidence: 1 }], 'class-map': { 0: 'boot' }, 'type': 'groundtruth/object-detection', 'human-annotated': 'yes', 'creation-date': '2026-01-01T00:00:00',
  },
};

describe('Project', () => {
  test('is an AWS::Rekognition::Project with the given name', () => {
    const stack = newStack();
    new Project(stack, 'Project', { projectName: 'shoes' });
    Template.fromStack(stack).hasResource('AWS::Rekognition::Project', { Properties: { ProjectName: 'shoes' }, DeletionPolicy: 'Delete' });
  });

  test('generates a valid name from the construct path when none is given', () => {
    const stack = newStack();
    const project = new Project(stack, 'Project');
    expect(project.projectName).toMatch(/^[a-zA-Z0-9_.\-]{1,255}$/);
    Template.fromStack(stack).hasResourceProperties('AWS::Rekognition::Project', { ProjectName: project.projectName });
  });

  test('refuses a name with characters Rekognition does not allow, showing the name', () => {
    expect(() => new Project(newStack(), 'Project', { projectName: 'my project' }))
      .toThrow("Invalid projectName: 'my project' (10 characters). A Rekognition project name must be 1-255 characters");
  });

  test('imports a project by ARN, reading its name from the ARN', () => {
    const project = Project.fromProjectArn(newStack(), 'Imported', PROJECT_ARN);
    expect(project.projectName).toBe('shoes');
    expect(project.projectArn).toBe(PROJECT_ARN);
  });

  test('refuses an imported ARN without the creation time that ends every project ARN', () => {
    expect(() => Project.fromProjectArn(newStack(), 'Imported', `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/shoes`))
      .toThrow("Invalid projectArn: 'arn:aws:rekognition:us-east-1:123456789012:project/shoes'. Expected a Rekognition project ARN");
  });

  test('imports a project by name, whose ARN cannot be known before deploy', () => {
    const project = Project.fromProjectName(newStack(), 'Imported', 'shoes');
    expect(project.projectName).toBe('shoes');
    expect(() => project.projectArn).toThrow("The ARN of imported project 'TestStack/Imported' is unknown");
  });

  test('refuses an imported name with characters Rekognition does not allow', () => {
    expect(() => Project.fromProjectName(newStack(), 'Imported', 'shoes/2')).toThrow("Invalid projectName: 'shoes/2'");
  });

  test('grantDescribe grants DescribeProjects, which takes no resource-level permission', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    Project.fromProjectName(stack, 'Imported', 'shoes').grantDescribe(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'rekognition:DescribeProjects', Effect: 'Allow', Resource: '*' }] },
    });
  });
});

describe('Dataset', () => {
  test('from a manifest in S3: a Custom::RekognitionDataset with the project, the type and the manifest object', () => {
    const stack = newStack();
    const project = new Project(stack, 'Project', { projectName: 'shoes' });
    const bucket = s3.Bucket.fromBucketName(stack, 'Labels', 'labels');
    new Dataset(stack, 'Train', { project, datasetType: DatasetType.TRAIN, source: DatasetSource.fromManifestObject(bucket, 'train.manifest', { version: 'v1', imagePrefix: 'images/' }) });
    const template = Template.fromStack(stack);
    template.hasResource('Custom::RekognitionDataset', {
      Properties: {
        ProjectName: 'shoes',
        ProjectArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Project'), 'Arn'] },
        DatasetType: 'TRAIN',
        ManifestBucket: 'labels',
        ManifestKey: 'train.manifest',
        ManifestVersion: 'v1',
        SourceDatasetArn: Match.absent(),
      },
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^Project')]),
      DeletionPolicy: 'Delete',
    });
  });

  test('the handler may read exactly the manifest object (and its version), and the images under the prefix given', () => {
    const stack = newStack();
    const project = new Project(stack, 'Project', { projectName: 'shoes' });
    const bucket = s3.Bucket.fromBucketName(stack, 'Labels', 'labels');
    const images = s3.Bucket.fromBucketName(stack, 'Images', 'images');
    new Dataset(stack, 'Train', {
      project,
      datasetType: DatasetType.TRAIN,
      source: DatasetSource.fromManifestObject(bucket, 'train.manifest', { version: 'v1', imageBucket: images, imagePrefix: 'shoes/' }),
    });
    const template = Template.fromStack(stack);
    expect(statementFor(template, ['s3:GetObject', 's3:GetObjectVersion']).Resource).toEqual(s3Arn('labels/train.manifest'));
    expect(grantedOn(template, 's3:GetObject')).toEqual([s3Arn('labels/train.manifest'), s3Arn('images/shoes/*')]);
  });

  test('the handler gets the dataset actions on the project\'s datasets of its type, CreateDataset on the project, DescribeProjects on "*"', () => {
    const stack = newStack();
    new Dataset(stack, 'Test', { project: new Project(stack, 'Project', { projectName: 'shoes' }), datasetType: DatasetType.TEST });
    const template = Template.fromStack(stack);
    expect(statementFor(template, ['rekognition:CreateDataset']).Resource).toEqual(rekognitionArn('project/shoes/*'));
    expect(statementFor(template, [
      'rekognition:DescribeDataset', 'rekognition:DeleteDataset', 'rekognition:ListTagsForResource', 'rekognition:TagResource', 'rekognition:UntagResource',
    ]).Resource).toEqual(rekognitionArn('project/shoes/dataset/test/*'));
    expect(statementFor(template, ['rekognition:DescribeProjects']).Resource).toBe('*');
    // An empty dataset reads nothing from S3.
    expect(handlerGrants(template).statements.some((s) => JSON.stringify(s.Action).includes('s3:'))).toBe(false);
  });

  test('a manifest bucket with a KMS key: the handler may decrypt and generate data keys with it, as Custom Labels documents', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const bucket = new s3.Bucket(stack, 'Labels', { encryptionKey: key });
    new Dataset(stack, 'Train', { project: new Project(stack, 'Project'), datasetType: DatasetType.TRAIN, source: DatasetSource.fromManifestObject(bucket, 'm.manifest', { imagePrefix: 'images/' }) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
        })]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^CdkPersonalizeProviderHandlerRole') }],
    });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Train', Match.anyValue());
  });

  test('an image bucket with another key: the handler may use both keys', () => {
    const stack = newStack();
    const manifests = new s3.Bucket(stack, 'Manifests', { encryptionKey: new kms.Key(stack, 'ManifestKey') });
    const images = new s3.Bucket(stack, 'Images', { encryptionKey: new kms.Key(stack, 'ImageKey') });
    new Dataset(stack, 'Train', {
      project: new Project(stack, 'Project'),
      datasetType: DatasetType.TRAIN,
      source: DatasetSource.fromManifestObject(manifests, 'm.manifest', { imageBucket: images, imagePrefix: 'images/' }),
    });
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^CdkPersonalizeProviderHandlerRole') }] } });
    const statements = Object.values(policy).flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action) === JSON.stringify(['kms:Decrypt', 'kms:GenerateDataKey']));
    expect(statements.map((s: any) => s.Resource['Fn::GetAtt'][0]).sort()).toEqual([expect.stringMatching(/^ImageKey/), expect.stringMatching(/^ManifestKey/)]);
  });

  test('a manifest key the app imports gets a warning naming the key policy statement for the handler\'s role', () => {
    const stack = newStack();
    const keyArn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const bucket = s3.Bucket.fromBucketAttributes(stack, 'Labels', { bucketName: 'labels', encryptionKey: kms.Key.fromKeyArn(stack, 'Key', keyArn) });
    new Dataset(stack, 'Train', { project: new Project(stack, 'Project'), datasetType: DatasetType.TRAIN, source: DatasetSource.fromManifestObject(bucket, 'm.manifest', { imagePrefix: 'images/' }) });
    Annotations.fromStack(stack).hasWarning('/TestStack/Train', `The policy of the imported key '${keyArn}' cannot be changed by this app. `
      + 'It must let the role \'TestStack/CdkPersonalizeProvider/HandlerRole\' (known only at deploy time) use the key, by letting this '
      + 'account\'s IAM policies allow it (as the default key policy does) or with this statement, or CreateDataset cannot read the manifest '
      + 'or its images: {"Effect":"Allow","Principal":{"AWS":"<ARN of role \'TestStack/CdkPersonalizeProvider/HandlerRole\'>"},'
      + '"Action":["kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}. [ack: cdk-personalize:importedKeyPolicy]');
  });

  test('from a manifest file: uploaded as an asset, and the handler may read the asset and the images\' shared prefix', () => {
    const stack = newStack();
    new Dataset(stack, 'Train', { project: new Project(stack, 'Project', { projectName: 'shoes' }), datasetType: DatasetType.TRAIN, source: DatasetSource.fromManifestFile(MANIFEST) });
    const template = Template.fromStack(stack);
    const properties = template.findResources('Custom::RekognitionDataset');
    const { ManifestBucket, ManifestKey } = Object.values(properties)[0].Properties;
    expect(ManifestBucket).toBe(`cdk-hnb659fds-assets-${ACCOUNT}-${REGION}`);
    expect(ManifestKey).toMatch(/^[0-9a-f]{64}\.manifest$/);
    expect(statementFor(template, ['s3:GetObject']).Resource).toEqual(expect.arrayContaining([s3Arn('my-images/shoes/train/*')]));
  });

  test('as a copy: SourceDatasetArn, and ListDatasetEntries on the copied dataset\'s slot (not its ARN, which would be a cycle)', () => {
    const stack = newStack();
    const shoes = new Project(stack, 'Shoes', { projectName: 'shoes' });
    const train = new Dataset(stack, 'Train', { project: shoes, datasetType: DatasetType.TRAIN });
    const copy = new Dataset(stack, 'Copy', { project: new Project(stack, 'Boots', { projectName: 'boots' }), datasetType: DatasetType.TRAIN, source: DatasetSource.fromDataset(train) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('Custom::RekognitionDataset', { ProjectName: 'boots', SourceDatasetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Train'), 'Arn'] } });
    expect(statementFor(template, ['rekognition:ListDatasetEntries', 'rekognition:DescribeDataset']).Resource).toEqual(rekognitionArn('project/shoes/dataset/train/*'));
    expect(copy.datasetArn).toBeDefined();
  });

  test('in a project imported by name: ProjectName only, and the handler looks the project up', () => {
    const stack = newStack();
    new Dataset(stack, 'Train', { project: Project.fromProjectName(stack, 'Shoes', 'shoes'), datasetType: DatasetType.TRAIN });
    Template.fromStack(stack).hasResourceProperties('Custom::RekognitionDataset', { ProjectName: 'shoes', ProjectArn: Match.absent() });
  });

  test('a project holds one TRAIN dataset: a second one fails at synth, naming the first', () => {
    const stack = newStack();
    const project = new Project(stack, 'Project');
    new Dataset(stack, 'Train', { project, datasetType: DatasetType.TRAIN });
    expect(() => new Dataset(stack, 'Again', { project, datasetType: DatasetType.TRAIN }))
      .toThrow("Invalid datasetType: 'TRAIN'. Project 'TestStack/Project' already has a TRAIN dataset ('TestStack/Train')");
  });

  test('the same project imported twice by name still holds one TEST dataset', () => {
    const stack = newStack();
    new Dataset(stack, 'A', { project: Project.fromProjectName(stack, 'P1', 'shoes'), datasetType: DatasetType.TEST });
    expect(() => new Dataset(stack, 'B', { project: Project.fromProjectArn(stack, 'P2', PROJECT_ARN), datasetType: DatasetType.TEST }))
      .toThrow("Invalid datasetType: 'TEST'. Project 'TestStack/P2' already has a TEST dataset ('TestStack/A')");
  });

  test('a TRAIN and a TEST dataset in one project are allowed', () => {
    const stack = newStack();
    const project = new Project(stack, 'Project');
    new Dataset(stack, 'Train', { project, datasetType: DatasetType.TRAIN });
    new Dataset(stack, 'Test', { project, datasetType: DatasetType.TEST });
    Template.fromStack(stack).resourceCountIs('Custom::RekognitionDataset', 2);
  });

  test('Tags.of reaches the dataset, and a removal policy of RETAIN is kept', () => {
    const stack = newStack();
    const dataset = new Dataset(stack, 'Train', { project: new Project(stack, 'Project'), datasetType: DatasetType.TRAIN, removalPolicy: RemovalPolicy.RETAIN });
    Tags.of(dataset).add('team', 'vision');
    Template.fromStack(stack).hasResource('Custom::RekognitionDataset', {
      Properties: { Tags: [{ Key: 'team', Value: 'vision' }] }, DeletionPolicy: 'Retain',
    });
  });

  test.each([
    ['the source tag, which the handler keeps', 'cdk-personalize:source', 'x', "Invalid tag key 'cdk-personalize:source': this key is reserved by cdk-personalize"],
    ['the owner tag', 'cdk-personalize:owner', 'x', "Invalid tag key 'cdk-personalize:owner': this key is reserved by cdk-personalize"],
    ['a key starting with aws:', 'aws:team', 'x', "Invalid tag key 'aws:team': keys starting with 'aws:' are reserved by AWS."],
    ['a value with characters tags do not allow', 'team', 'a#b', "Invalid value 'a#b' for tag 'team': only letters, digits, spaces"],
  ])('tags: %s fails synth', (_what, key, value, message) => {
    const stack = newStack();
    const dataset = new Dataset(stack, 'Train', { project: new Project(stack, 'Project'), datasetType: DatasetType.TRAIN });
    Tags.of(dataset).add(key, value);
    expect(() => Template.fromStack(stack)).toThrow(message);
  });

  test('tags: more than the 198 Rekognition leaves to users fails synth', () => {
    const stack = newStack();
    const dataset = new Dataset(stack, 'Train', { project: new Project(stack, 'Project'), datasetType: DatasetType.TRAIN });
    for (let i = 0; i < 199; i++) Tags.of(dataset).add(`k${i}`, 'v');
    expect(() => Template.fromStack(stack)).toThrow('Too many tags: 199. Rekognition allows 200 tags per resource and this library reserves 2');
  });

  test('fromDatasetArn reads the project and the type from the ARN', () => {
    const dataset = Dataset.fromDatasetArn(newStack(), 'Imported', `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/shoes/dataset/test/1700000000001`);
    expect([dataset.projectName, dataset.datasetType]).toEqual(['shoes', DatasetType.TEST]);
  });

  test('fromDatasetArn refuses a project ARN', () => {
    expect(() => Dataset.fromDatasetArn(newStack(), 'Imported', PROJECT_ARN)).toThrow(`Invalid datasetArn: '${PROJECT_ARN}'. Expected a Rekognition Custom Labels dataset ARN`);
  });

  test('fromDatasetArn refuses a token, from which neither project nor type can be read', () => {
    const stack = newStack();
    expect(() => Dataset.fromDatasetArn(stack, 'Imported', stack.resolve('x') && new s3.Bucket(stack, 'B').bucketArn))
      .toThrow('Dataset.fromDatasetArn needs a literal ARN');
  });

  test('grantRead grants DescribeDataset, ListDatasetEntries and ListDatasetLabels on the dataset', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountRootPrincipal() });
    const arn = `arn:aws:rekognition:${REGION}:${ACCOUNT}:project/shoes/dataset/train/1700000000001`;
    Dataset.fromDatasetArn(stack, 'Imported', arn).grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: ['rekognition:DescribeDataset', 'rekognition:ListDatasetEntries', 'rekognition:ListDatasetLabels'], Resource: arn }] },
    });
  });

  test('fromManifestObject refuses a key longer than S3 allows', () => {
    const stack = newStack();
    expect(() => DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(stack, 'B', 'labels'), 'k'.repeat(1025)))
      .toThrow('(1025 characters). An S3 object key for a manifest must be 1-1024 characters.');
  });

  test('fromManifestObject refuses an empty version', () => {
    const stack = newStack();
    expect(() => DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(stack, 'B', 'labels'), 'k', { version: '' }))
      .toThrow("Invalid version: ''. An S3 object version must be 1-1024 characters.");
  });
});

/** The cdk-nag 2 IAM5 suppressions on the handler's policies: reason and findings, each finding a string or a `/regex/`. */
function iam5Suppressions(stack: Stack): Array<{ reason: string; appliesTo: string[] }> {
  return Object.entries(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter(([logicalId]) => logicalId.startsWith('CdkPersonalizeProvider'))
    .flatMap(([, policy]) => policy.Metadata?.cdk_nag?.rules_to_suppress ?? [])
    .filter((rule: any) => rule.id === 'AwsSolutions-IAM5')
    .map((rule: any) => ({ reason: rule.reason, appliesTo: rule.applies_to.map((f: any) => (typeof f === 'string' ? f : f.regex)) }));
}

/** Whether a suppression's finding (a string, or a `/regex/`) covers `finding`. */
function covers(entry: string, finding: string): boolean {
  const regex = entry.match(/^\/(.*)\/(\w*)$/);
  return regex ? new RegExp(regex[1], regex[2]).test(finding) : entry === finding;
}

describe('image reads: the key prefix the images share, or the whole bucket only when asked', () => {
  const WHOLE_BUCKET = 'Resource::arn:<AWS::Partition>:s3:::images/*';
  const withSource = (source: (stack: Stack) => rekognition.DatasetSource) => {
    const stack = newStack();
    new Dataset(stack, 'Train', { project: new Project(stack, 'Project', { projectName: 'shoes' }), datasetType: DatasetType.TRAIN, source: source(stack) });
    return stack;
  };

  test('fromManifestObject without imagePrefix is refused: the handler would read every object of the bucket', () => {
    const stack = newStack();
    expect(() => DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(stack, 'Labels', 'labels'), 'train.manifest'))
      .toThrow("Invalid imagePrefix: none given. Rekognition reads the manifest's images with the handler's permissions, and without "
        + "a key prefix the handler would be granted s3:GetObject on every object of bucket 'labels'. Give the prefix the images "
        + "share (for example 'images/'), or set allowWholeBucketRead: true to grant the whole bucket.");
  });

  test('fromManifestObject with an empty imagePrefix is refused, naming the image bucket', () => {
    const stack = newStack();
    const images = s3.Bucket.fromBucketName(stack, 'Images', 'images');
    expect(() => DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(stack, 'Labels', 'labels'), 'train.manifest', { imageBucket: images, imagePrefix: '' }))
      .toThrow("Invalid imagePrefix: ''. Rekognition reads the manifest's images with the handler's permissions, and without a key "
        + "prefix the handler would be granted s3:GetObject on every object of bucket 'images'.");
  });

  test('a manifest file whose images share no folder is refused, naming the bucket', () => {
    const file = manifestFile({ ...CLASSIFIED, 'source-ref': 's3://images/boots/1.jpg' }, { ...BOXED, 'source-ref': 's3://images/sandals/2.jpg' });
    expect(() => DatasetSource.fromManifestFile(file))
      .toThrow(`Invalid manifest file '${file}': its images in bucket 'images' share no folder (key prefix ending in '/'), so the `
        + 'handler would be granted s3:GetObject on every object of the bucket. Put the images under one folder, or set allowWholeBucketRead: true to grant the whole bucket.');
  });

  test('allowWholeBucketRead grants the whole image bucket, acknowledged for cdk-nag with a reason of its own', () => {
    const stack = withSource((scope) => DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(scope, 'Labels', 'images'), 'train.manifest', {
      allowWholeBucketRead: true,
    }));
    const reads = grantedOn(Template.fromStack(stack), 's3:GetObject');
    expect(reads).toEqual(expect.arrayContaining([s3Arn('images/train.manifest'), s3Arn('images/*')]));
    expect(reads).toHaveLength(2);
    const covering = iam5Suppressions(stack).filter((s) => s.appliesTo.some((entry) => covers(entry, WHOLE_BUCKET)));
    expect(covering).toEqual([{ reason: expect.stringContaining('allowWholeBucketRead'), appliesTo: [WHOLE_BUCKET] }]);
    expect(covering[0].reason).not.toContain('key prefix');
  });

  test('allowWholeBucketRead lets a manifest file whose images share no folder read the whole bucket', () => {
    const file = manifestFile({ ...CLASSIFIED, 'source-ref': 's3://images/1.jpg' }, { ...BOXED, 'source-ref': 's3://images/2.jpg' });
    const stack = withSource(() => DatasetSource.fromManifestFile(file, { allowWholeBucketRead: true }));
    expect(grantedOn(Template.fromStack(stack), 's3:GetObject')).toContainEqual(s3Arn('images/*'));
    expect(iam5Suppressions(stack).filter((s) => s.appliesTo.some((entry) => covers(entry, WHOLE_BUCKET))))
      .toEqual([{ reason: expect.stringContaining('allowWholeBucketRead'), appliesTo: [WHOLE_BUCKET] }]);
  });

  test('the key-prefix suppression names the prefix\'s finding only, and nothing acknowledges a whole-bucket read the app did not ask for', () => {
    const stack = withSource((scope) => DatasetSource.fromManifestObject(s3.Bucket.fromBucketName(scope, 'Labels', 'images'), 'train.manifest', {
      imagePrefix: 'shoes/',
    }));
    const suppressions = iam5Suppressions(stack);
    const prefixReasons = suppressions.filter((s) => s.reason.includes('key prefix'));
    expect(prefixReasons.flatMap((s) => s.appliesTo)).toEqual(['Resource::arn:<AWS::Partition>:s3:::images/shoes/*']);
    expect(suppressions.filter((s) => s.appliesTo.some((entry) => covers(entry, WHOLE_BUCKET)))).toEqual([]);
  });

  test('an owned image bucket\'s prefix is acknowledged by its finding, so cdk-nag reports nothing', () => {
    const stack = newStack();
    const images = new s3.Bucket(stack, 'Images', { enforceSSL: true, serverAccessLogsPrefix: 'logs/' });
    new Dataset(stack, 'Train', {
      project: new Project(stack, 'Project', { projectName: 'shoes' }),
      datasetType: DatasetType.TRAIN,
      source: DatasetSource.fromManifestObject(images, 'train.manifest', { imagePrefix: 'shoes/' }),
    });
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const found = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-IAM5'));
    expect(found.map((finding) => String(finding.entry.data).split('\n')[0])).toEqual([]);
  });
});

describe('manifest file checks, each reporting the first bad line by number', () => {
  test('a manifest with classification and bounding-box lines is accepted', () => {
    expect(() => DatasetSource.fromManifestFile(manifestFile(CLASSIFIED, BOXED, ''))).not.toThrow();
  });

  test('with skipChecks, a refused manifest is used and what the check found is a checkSkipped warning', () => {
    const stack = newStack();
    const file = manifestFile(CLASSIFIED, '', BOXED);
    new Dataset(stack, 'Train', {
      project: new Project(stack, 'Project', { projectName: 'shoes' }),
      datasetType: DatasetType.TRAIN,
      source: DatasetSource.fromManifestFile(file, { skipChecks: true }),
    });

    const warnings = Annotations.fromStack(stack).findWarning('/TestStack/Train', Match.stringLikeRegexp('cdk-personalize:checkSkipped'));
    expect(warnings.map((w) => w.entry.data)).toEqual([expect.stringContaining(`Invalid manifest file '${file}': line 2: a blank line`)]);
  });

  test('a file that cannot be read', () => {
    expect(() => DatasetSource.fromManifestFile('/nonexistent/train.manifest')).toThrow("Invalid manifest file '/nonexistent/train.manifest': it cannot be read");
  });

  const { 'shoe-metadata': meta, ...noMeta } = CLASSIFIED;
  const withMeta = (changes: Record<string, unknown>) => ({ ...CLASSIFIED, 'shoe-metadata': { ...meta, ...changes } });
  const boxMeta = BOXED['bounding-box-metadata'];
  test.each([
    ['an empty file', [''], 1, 'the file holds no JSON line'],
    ['a line that is not JSON', [CLASSIFIED, '{"source-ref": '], 2, 'not valid JSON'],
    ['a line that is not an object', [CLASSIFIED, CLASSIFIED, '[1]'], 3, 'expected a JSON object, got [1]'],
    ['no source-ref', [{ 'shoe': 0, 'shoe-metadata': meta }], 1, "no 'source-ref'"],
    ['a source-ref that is not an s3:// URI', [{ ...CLASSIFIED, 'source-ref': 'https://example.com/1.jpg' }], 1, "'source-ref' is 'https://example.com/1.jpg', expected an s3://BUCKET/KEY URI"],
    ['no label at all', [{ 'source-ref': 's3://images/1.jpg' }], 1, 'no label: a line needs at least one label attribute'],
    ['a label without its metadata', [noMeta], 1, 'no label: a line needs at least one label attribute'],
    ['metadata without its label', [{ 'source-ref': 's3://images/1.jpg', 'shoe-metadata': meta }], 1, "'shoe-metadata' has no label attribute 'shoe'"],
    ['metadata that is not an object', [{ ...CLASSIFIED, 'shoe-metadata': 'boot' }], 1, "'shoe-metadata' must be an object"],
    ['metadata without human-annotated and creation-date', [withMeta({ 'human-annotated': undefined, 'creation-date': undefined })], 1, "'shoe-metadata' lacks 'human-annotated' and 'creation-date'"],
    ['an unknown metadata type', [withMeta({ type: 'groundtruth/semantic-segmentation' })], 1, "'shoe-metadata' has type \"groundtruth/semantic-segmentation\"; expected"],
    ['a classification label that is not a number', [{ ...CLASSIFIED, shoe: 'boot' }], 1, "'shoe' must be an integer (the label attribute identifier)"],
    ['a classification label that is not an integer', [{ ...CLASSIFIED, shoe: 0.5 }], 1, "'shoe' must be an integer (the label attribute identifier)"],
    ['a blank line between images', [CLASSIFIED, '', BOXED], 2, 'a blank line; Custom Labels counts it as an invalid image entry (validation rules), remove it'],
    ['a confidence above 1', [withMeta({ confidence: 95 })], 1, "'shoe-metadata' needs a 'confidence' number from 0 to 1 for groundtruth/image-classification, got 95; Custom Labels does not use it, write 1"],
    ['a class name over 256 characters', [withMeta({ 'class-name': 'b'.repeat(257) })], 1, "'shoe-metadata' 'class-name' 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb…' has 257 characters; a label name is 1-256"],
    ['a classification dataset with one label', [CLASSIFIED, { ...CLASSIFIED, 'source-ref': 's3://images/shoes/3.jpg' }], 2,
      'the manifest classifies images with 1 label (boot); a classification dataset needs at least 2 distinct labels'],
    ['images in two buckets', [BOXED, { ...CLASSIFIED, 'source-ref': 's3://other-images/1.jpg' }], 2,
      "the image is in bucket 'other-images', but earlier images are in 'images'; every image of a dataset must be in the same S3 bucket"],
    ['an image_size that is not a one-element list', [{ ...BOXED, 'bounding-box': { ...BOXED['bounding-box'], image_size: [{ width: 640, height: 480 }] } }], 1,
      "'bounding-box' 'image_size' must be a one-element list [{\"width\": W, \"height\": H, \"depth\": D}] in pixels"],
    ['an image smaller than 64 pixels', [{ ...BOXED, 'bounding-box': { ...BOXED['bounding-box'], image_size: [{ width: 32, height: 480, depth: 3 }] } }], 1,
      "'bounding-box' 'image_size' is 32 x 480 pixels; Custom Labels takes images of 64 to 4096 pixels per side"],
    ['a box beyond the image', [{ ...BOXED, 'bounding-box': { ...BOXED['bounding-box'], annotations: [{ class_id: 0, top: 400, left: 2, width: 30, height: 100 }] } }], 1,
      "'bounding-box' annotation 1 (left 2, top 400, width 30, height 100) is not inside the 640 x 480 image"],
    ['a box with a negative coordinate', [{ ...BOXED, 'bounding-box': { ...BOXED['bounding-box'], annotations: [{ class_id: 0, top: -1, left: 2, width: 30, height: 10 }] } }], 1,
      "'bounding-box' annotation 1 (left 2, top -1, width 30, height 10) is not inside the 640 x 480 image"],
    ['a box of 1 x 1 pixels', [{ ...BOXED, 'bounding-box': { ...BOXED['bounding-box'], annotations: [{ class_id: 0, top: 1, left: 2, width: 1, height: 1 }] } }], 1,
      "'bounding-box' annotation 1 is 1 x 1 pixels; a box must be larger than 1 x 1 pixels"],
    ['a box too small once the image is scaled to 1280 pixels', [{
      ...BOXED, 'bounding-box': { image_size: [{ width: 4000, height: 2000, depth: 3 }], annotations: [{ class_id: 0, top: 1, left: 2, width: 3, height: 40 }] },
    }], 1, "'bounding-box' annotation 1 is 3 x 40 pixels (0.96 x 12.8 once training scales the image to 1280 pixels); a box must be larger than 1 x 1 pixels"],
    ['more than 50 boxes', [{
      ...BOXED,
      'bounding-box': { ...BOXED['bounding-box'], annotations: Array.from({ length: 51 }, () => BOXED['bounding-box'].annotations[0]) },
      'bounding-box-metadata': { ...boxMeta, objects: Array.from({ length: 51 }, () => ({ confidence: 1 })) },
    }], 1, "'bounding-box' has 51 bounding boxes; Custom Labels takes at most 50 per image"],
    ['a box without its confidence', [{ ...BOXED, 'bounding-box-metadata': { ...boxMeta, objects: [{}] } }], 1, "'bounding-box-metadata' 'objects' entry 1 needs a 'confidence' number"],
    ['a classification without class-name', [withMeta({ 'class-name': undefined })], 1, "'shoe-metadata' needs a 'class-name' string"],
    ['a classification without confidence', [withMeta({ confidence: undefined })], 1, "'shoe-metadata' needs a 'confidence' number"],
    ['bounding boxes that are not an object with lists', [{ ...BOXED, 'bounding-box': [] }], 1, "'bounding-box' must be an object with 'image_size' and 'annotations' lists"],
    ['a box without coordinates', [{ ...BOXED, 'bounding-box': { ...BOXED['bounding-box'], annotations: [{ class_id: 0 }] } }], 1, "'bounding-box' annotation 1 needs numbers"],
    ['bounding boxes without a class-map', [{ ...BOXED, 'bounding-box-metadata': { ...boxMeta, 'class-map': undefined } }], 1, "'bounding-box-metadata' needs a 'class-map' object"],
    ['fewer objects than boxes', [{ ...BOXED, 'bounding-box-metadata': { ...boxMeta, objects: [] } }], 1, "'bounding-box-metadata' needs an 'objects' list with one entry per annotation"],
    ['a box whose class the class-map does not name', [{ ...BOXED, 'bounding-box-metadata': { ...boxMeta, 'class-map': { 1: 'boot' } } }], 1, "'bounding-box' has class_id 0, which 'bounding-box-metadata' 'class-map' does not name"],
  ])('%s', (_what, lines, line, message) => {
    const file = manifestFile(...lines);
    expect(() => DatasetSource.fromManifestFile(file)).toThrow(`Invalid manifest file '${file}': line ${line}: ${message}`);
  });
});

describe('cdk-nag AwsSolutions', () => {
  test('reports nothing on datasets from a manifest object, a manifest file and a copy: the pattern grants are suppressed with their reasons', () => {
    const stack = newStack();
    const project = new Project(stack, 'Project', { projectName: 'shoes' });
    const labels = s3.Bucket.fromBucketName(stack, 'Labels', 'labels');
    const train = new Dataset(stack, 'Train', {
      project, datasetType: DatasetType.TRAIN, source: DatasetSource.fromManifestObject(labels, 'train.manifest', { imagePrefix: 'images/' }),
    });
    new Dataset(stack, 'Test', { project, datasetType: DatasetType.TEST, source: DatasetSource.fromManifestFile(MANIFEST) });
    new Dataset(stack, 'Copy', { project: Project.fromProjectName(stack, 'Boots', 'boots'), datasetType: DatasetType.TRAIN, source: DatasetSource.fromDataset(train) });
    Aspects.of(stack).add(new AwsSolutionsChecks());
    const annotations = Annotations.fromStack(stack);
    const found = [...annotations.findError('*', Match.stringLikeRegexp('AwsSolutions-.*')), ...annotations.findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'))];
    expect(found.map((finding) => `${finding.id}: ${String(finding.entry.data).split('\n')[0]}`)).toEqual([]);
  });
});
