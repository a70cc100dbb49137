/**
 * Every construct-valued prop is checked at runtime, as plain JavaScript and Python
 * without a type checker pass anything: each case gives one prop a value of the wrong
 * type (through `any`, as JavaScript would) and expects the message to name the prop
 * and the type it expects.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AutoTraining, Campaign, Dataset, DatasetGroup, DatasetImportJob, DatasetType, EventTracker, Filter, FilterExpression, ImportSource,
  MetricAttribution, MetricExpression, ProviderLogging, Recipe, Recommender, Schema, SchemaDefinition, SchemaField, Solution, SolutionVersion,
  UseCase, rekognition,
} from '../src';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function newStack(): Stack {
  return new Stack(new App(), 'TestStack', { env: { account: ACCOUNT, region: REGION } });
}

const definition = () => SchemaDefinition.fromFields([SchemaField.stringField('USER_ID'), SchemaField.stringField('ITEM_ID'),
  SchemaField.longField('TIMESTAMP')]);

/** A stack with a group, its Interactions dataset and a solution, for the props that need them. */
function world() {
  const stack = newStack();
  const group = new DatasetGroup(stack, 'Group');
  const schema = new Schema(stack, 'Schema', { definition: definition() });
  const dataset = group.addDataset('Interactions', { datasetType: DatasetType.INTERACTIONS, schema });
  const solution = new Solution(stack, 'Solution', { datasetGroup: group, recipe: Recipe.USER_PERSONALIZATION_V2, autoTraining: AutoTraining.off() });
  return { stack, group, schema, dataset, solution };
}

describe('a wrong runtime type is refused with the prop and the expected type', () => {
  test('a SchemaDefinition where a Schema belongs (the issue\'s case) names schema, ISchema and the fix', () => {
    const { stack, group } = world();
    const wrong: any = definition();
    expect(() => new Dataset(stack, 'Users', { datasetGroup: group, datasetType: DatasetType.USERS, schema: wrong })).toThrow(
      'Invalid schema: received a SchemaDefinition object. Expected ISchema (a Schema construct, or Schema.fromSchemaArn); a SchemaDefinition goes '
      + 'into new Schema(this, id, { definition }). Pass the construct itself (its \'schemaArn\' identifies it), not its props, definition or ARN.');
  });

  const any = (value: unknown): any => value;
  test.each<[string, (w: ReturnType<typeof world>) => unknown, RegExp]>([
    ['Dataset datasetGroup as an ARN string', (w) => new Dataset(w.stack, 'D', {
      datasetGroup: any('arn:aws:personalize:us-east-1:123456789012:dataset-group/x'), datasetType: DatasetType.USERS, schema: w.schema,
    }), /^Invalid datasetGroup: received the string 'arn:aws:personalize:us-east-1:123456789012:dataset-group\/x'. Expected IDatasetGroup/],
    ['DatasetGroup kmsKey as a plain object', (w) => new DatasetGroup(w.stack, 'G2', { kmsKey: any({ keyArn: 'arn:aws:kms:us-east-1:123456789012:key/1' }) }),
      /^Invalid kmsKey: received a plain object with keys keyArn. Expected a KMS key \(kms.IKey/],
    ['DatasetGroup role as a bucket', (w) => new DatasetGroup(w.stack, 'G3', {
      kmsKey: new kms.Key(w.stack, 'K'), role: any(new s3.Bucket(w.stack, 'B')),
    }), /^Invalid role: received the Bucket construct 'TestStack\/B'. Expected an IAM role \(iam.IRole/],
    ['Schema definition as JSON text', (w) => new Schema(w.stack, 'S2', { definition: any('{"type": "record"}') }),
      /^Invalid definition: received the string '\{"type": "record"\}'. Expected a SchemaDefinition/],
    ['EventTracker datasetGroup missing', (w) => new EventTracker(w.stack, 'T', { datasetGroup: any(undefined) }),
      /^Invalid datasetGroup: received nothing. Expected IDatasetGroup/],
    ['Filter datasetGroup as a dataset', (w) => new Filter(w.stack, 'F', { datasetGroup: any(w.dataset), expression: FilterExpression.fromText('x') }),
      /^Invalid datasetGroup: received the Dataset construct 'TestStack\/Group\/Interactions'. Expected IDatasetGroup/],
    ['Filter expression as text', (w) => new Filter(w.stack, 'F', { datasetGroup: w.group, expression: any('INCLUDE ItemID WHERE Items.A IN ("a")') }),
      /^Invalid expression: received the string 'INCLUDE ItemID WHERE Items.A IN \("a"\)'. Expected FilterExpression/],
    ['MetricAttribution outputBucket as a name', (w) => new MetricAttribution(w.stack, 'M', {
      datasetGroup: w.group, metrics: [{ metricName: 'clicks', eventType: 'click', expression: MetricExpression.sampleCount() }], outputBucket: any('my-bucket'),
    }), /^Invalid outputBucket: received the string 'my-bucket'. Expected an S3 bucket \(s3.IBucket/],
    ['DatasetImportJob dataset as the group', (w) => new DatasetImportJob(w.stack, 'J', {
      dataset: any(w.group), source: ImportSource.fromBucket(new s3.Bucket(w.stack, 'B'), 'a.csv'),
    }), /^Invalid dataset: received the DatasetGroup construct 'TestStack\/Group'. Expected a Personalize IDataset/],
    ['DatasetImportJob source as a path', (w) => new DatasetImportJob(w.stack, 'J', { dataset: w.dataset, source: any('data/interactions.csv') }),
      /^Invalid source: received the string 'data\/interactions.csv'. Expected an ImportSource/],
    ['DatasetImportJob role as an ARN', (w) => new DatasetImportJob(w.stack, 'J', {
      dataset: w.dataset, source: ImportSource.fromBucket(new s3.Bucket(w.stack, 'B'), 'a.csv'), role: any('arn:aws:iam::123456789012:role/r'),
    }), /^Invalid role: received the string 'arn:aws:iam::123456789012:role\/r'. Expected an IAM role/],
    ['ImportSource.fromBucket bucket as a name', () => ImportSource.fromBucket(any('my-bucket'), 'a.csv'),
      /^Invalid ImportSource.fromBucket bucket: received the string 'my-bucket'. Expected an S3 bucket/],
    ['Solution datasetGroup as props', (w) => new Solution(w.stack, 'S', {
      datasetGroup: any({ datasetGroupName: 'retail' }), recipe: Recipe.SIMS, autoTraining: AutoTraining.off(),
    }), /^Invalid datasetGroup: received a plain object with keys datasetGroupName. Expected IDatasetGroup/],
    ['Solution recipe as an ARN', (w) => new Solution(w.stack, 'S', {
      datasetGroup: w.group, recipe: any('arn:aws:personalize:::recipe/aws-sims'), autoTraining: AutoTraining.off(),
    }), /^Invalid recipe: received the string 'arn:aws:personalize:::recipe\/aws-sims'. Expected a Recipe/],
    ['SolutionVersion solution as the group', (w) => new SolutionVersion(w.stack, 'V', { solution: any(w.group) }),
      /^Invalid solution: received the DatasetGroup construct 'TestStack\/Group'. Expected an ISolution/],
    ['Campaign solutionVersion as the solution', (w) => new Campaign(w.stack, 'C', { solutionVersion: any(w.solution) }),
      /^Invalid solutionVersion: received the Solution construct 'TestStack\/Solution'. Expected an ISolutionVersion/],
    ['Campaign solution as an ARN', (w) => new Campaign(w.stack, 'C', { solution: any('arn:aws:personalize:us-east-1:123456789012:solution/s') }),
      /^Invalid solution: received the string 'arn:aws:personalize:us-east-1:123456789012:solution\/s'. Expected an ISolution/],
    ['Recommender useCase as a recipe ARN', (w) => new Recommender(w.stack, 'R', { datasetGroup: w.group, useCase: any('aws-ecomm-recommended-for-you') }),
      /^Invalid useCase: received the string 'aws-ecomm-recommended-for-you'. Expected a UseCase/],
    ['Recommender datasetGroup as a number', (w) => new Recommender(w.stack, 'R', { datasetGroup: any(42), useCase: UseCase.ECOMMERCE_BEST_SELLERS }),
      /^Invalid datasetGroup: received the number 42. Expected IDatasetGroup/],
    ['ProviderLogging encryptionKey as an alias name', (w) => ProviderLogging.configure(w.stack, { encryptionKey: any('alias/logs') }),
      /^Invalid encryptionKey: received the string 'alias\/logs'. Expected a KMS key/],
    ['rekognition Dataset project as a name', (w) => new rekognition.Dataset(w.stack, 'RD', { project: any('shoes'), datasetType: rekognition.DatasetType.TRAIN }),
      /^Invalid project: received the string 'shoes'. Expected a Custom Labels IProject/],
    ['rekognition Dataset source as a path', (w) => new rekognition.Dataset(w.stack, 'RD', {
      project: new rekognition.Project(w.stack, 'P'), datasetType: rekognition.DatasetType.TRAIN, source: any(path.join(__dirname, 'x.manifest')),
    }), /^Invalid source: received the string '.*x.manifest'. Expected a DatasetSource/],
    ['DatasetSource.fromManifestObject bucket as a name', () => rekognition.DatasetSource.fromManifestObject(any('labels'), 'train.manifest'),
      /^Invalid DatasetSource.fromManifestObject bucket: received the string 'labels'. Expected an S3 bucket/],
    ['DatasetSource.fromDataset dataset as an ARN', () => rekognition.DatasetSource.fromDataset(any('arn:aws:rekognition:us-east-1:1:project/p/dataset/train/1')),
      /^Invalid DatasetSource.fromDataset dataset: received the string .*. Expected a Custom Labels IDataset/],
  ])('%s', (_name, build, message) => {
    const w = world();
    expect(() => build(w)).toThrow(message);
  });

  test('a token given where a construct belongs is described without its token text', () => {
    const { stack } = world();
    const arn: any = new s3.Bucket(stack, 'Data').bucketArn;
    expect(() => new EventTracker(stack, 'T', { datasetGroup: arn })).toThrow(/^Invalid datasetGroup: received a value known only at deploy time. Expected IDatasetGroup/);
    expect(() => new EventTracker(stack, 'T2', { datasetGroup: arn })).not.toThrow(/\$\{Token/);
  });

  test('the right constructs, including imported ones, pass', () => {
    const { stack, group, dataset } = world();
    const role = iam.Role.fromRoleArn(stack, 'Role', `arn:aws:iam::${ACCOUNT}:role/import`);
    expect(() => new DatasetImportJob(stack, 'Job', {
      dataset, source: ImportSource.fromBucket(s3.Bucket.fromBucketName(stack, 'Data', 'data'), 'a.csv'), role,
    })).not.toThrow();
    expect(() => new EventTracker(stack, 'Tracker', { datasetGroup: DatasetGroup.fromDatasetGroupName(stack, 'Other', 'other') })).not.toThrow();
    expect(() => new Filter(stack, 'Filter', { datasetGroup: group, expression: FilterExpression.fromText('EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN ("x")') }))
      .not.toThrow();
  });
});
