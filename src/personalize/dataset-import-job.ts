import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, CfnResource, CustomResource, Duration, IResource, ITaggable, Lazy, RemovalPolicy, Resource, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { Dataset, IDataset } from './dataset';
import { DatasetGroup } from './dataset-group';
import { MetricAttribution } from './metric-attribution';
import { problemsUnlessSkipped } from '../private/checks';
import { Attributes, DatasetImportJobProperties, ResourceTypes, TagProperty } from '../private/contract';
import { csvProblems } from './private/csv-check';
import { recordOf } from './private/definition-checks';
import { recordImport, whenAppDeclared } from './private/group-members';
import { RecurringRuns } from './recurring-runs';
import { declaredResource } from '../private/declared-resource';
import { importedPersonalizeResource } from '../private/imported';
import { grantPersonalizeKeyUse } from '../private/key-access';
import { addNagSuppressions, flattenForNag } from '../private/nag';
import { physicalName, replacementKeyOf } from '../private/names';
import { requireConstruct, requireInstance, requireOptionalConstruct, requireOptionalInstance } from '../private/runtime-types';
import { allowPersonalizeOnBucket, personalizeServiceRole } from '../private/service-role';
import { tagProblems } from '../private/validation';
import { DATASET_IMPORT_JOB } from './private/declarations';
import { ownArnPattern } from './private/grant-patterns';
import { datasetImportJobRequest } from './private/job-requests';
import { waitBoundSeconds, waitChoice, waitedJob } from './private/job-wait';
import { ScheduledRuns, scheduleRuns } from './private/recurring-runs';
import { checkDataVersion, checkKeyBytes, S3_PATH_MAX_LENGTH } from './private/s3-locations';

/** A wait condition's longest Timeout: the long wait (ADR 0014) holds a deploy at most this long. */
const MAX_WAIT = Duration.hours(12);

/**
 * How an import job adds its records to the dataset.
 */
export enum ImportMode {
  /** Replaces all bulk data of the dataset (data recorded with PutEvents and the like stays). */
  FULL = 'FULL',
  /**
   * Adds the records to the dataset's bulk data; a record with the same ID replaces the old one.
   * Personalize accepts it only for a dataset that already has bulk data.
   */
  INCREMENTAL = 'INCREMENTAL',
}

/**
 * Options of a CSV file of the app imported as an asset.
 */
export interface AssetSourceOptions {
  /**
   * Import the file even if the synth check of its content refuses it.
   *
   * **Warning:** the check follows AWS's documentation (the Personalize developer guide's
   * bulk data format guidelines, schema data types and service quotas): header names
   * that match the schema, values of each field's type, lower-case booleans, timestamps
   * in epoch seconds, ID and categorical lengths, UTF-8, and at least 1,000 records in an
   * Interactions import. Skip it only when you know Personalize accepts the file; a file
   * it refuses fails the import job minutes into the deploy. What the check found is
   * still printed at synth, as a warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;
}

/**
 * Where the import job reads its data: a CSV file of the app, or objects in S3.
 */
export abstract class ImportSource {
  /**
   * One object, or every object under a prefix (a key ending in `/`), in a bucket.
   *
   * For a bucket this app owns, the construct adds the bucket policy statement that
   * lets Personalize read the key; an imported bucket's policy must allow it already.
   * The bucket's KMS key (`bucket.encryptionKey`: for an imported SSE-KMS bucket, give it
   * with `s3.Bucket.fromBucketAttributes`) gets the key policy statement that lets
   * Personalize use it, and the created role may decrypt with it; the policy of a key the
   * app imports must allow it already, and a synth warning names the statement.
   */
  public static fromBucket(bucket: s3.IBucket, keyOrPrefix: string): ImportSource {
    return new BucketSource(bucket, keyOrPrefix);
  }

  /**
   * A CSV file in the app, uploaded as a CDK asset and copied into a bucket the
   * construct owns (Personalize reads with its service principal, which the asset
   * bucket's policy does not allow). Checked at synth against the dataset's schema;
   * `{ skipChecks: true }` turns the check's refusals into warnings.
   *
   * @param filePath the CSV file
   * @param options `skipChecks: true` imports the file even if the synth check refuses it (with a warning)
   */
  public static fromAsset(filePath: string, options: AssetSourceOptions = {}): ImportSource {
    return new AssetSource(filePath, options.skipChecks ?? false);
  }

  /** @internal */
  public abstract _bind(scope: Construct): BoundSource;
}

/** @internal */
export interface BoundSource {
  readonly bucket: s3.IBucket;
  /** The key or prefix read; undefined when it is known only once the job name is (a copied asset). */
  readonly keyOrPrefix?: string;
  readonly asset?: s3assets.Asset;
  readonly file?: string;
  /** The file's check only warns. */
  readonly skipChecks?: boolean;
}

class BucketSource extends ImportSource {
  constructor(private readonly bucket: s3.IBucket, private readonly keyOrPrefix: string) {
    super();
    requireConstruct('ImportSource.fromBucket bucket', bucket, 'an S3 bucket (s3.IBucket: s3.Bucket or s3.Bucket.fromBucketName)', 'bucketName');
    if (Token.isUnresolved(keyOrPrefix)) return;
    if (keyOrPrefix.length === 0 || keyOrPrefix.startsWith('/')) {
      throw new Error(`Invalid keyOrPrefix: '${keyOrPrefix}'. Give an object key such as 'data/items.csv', or a prefix ending in '/' `
        + 'such as \'data/items/\', without a leading \'/\'.');
    }
    checkKeyBytes('keyOrPrefix', keyOrPrefix);
  }

  public _bind(): BoundSource {
    return { bucket: this.bucket, keyOrPrefix: this.keyOrPrefix };
  }
}

class AssetSource extends ImportSource {
  constructor(private readonly file: string, private readonly skipChecks: boolean) {
    super();
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      throw new Error(`Invalid ImportSource.fromAsset path: '${file}' is not a file. Give the path of a CSV file.`);
    }
  }

  public _bind(scope: Construct): BoundSource {
    const asset = new s3assets.Asset(scope, 'SourceAsset', { path: this.file });
    const bucket = new s3.Bucket(scope, 'SourceBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // Each job's copy is removed when the job leaves the stack, so the bucket is empty by then.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    addNagSuppressions(bucket.node.defaultChild as CfnResource, [{
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds only copies of the app\'s own CSV assets, written and read by the library\'s handler and by '
        + 'Personalize; CloudTrail records who made them. Access logs would need a second bucket for each import.',
    }]);
    return { bucket, asset, file: this.file, skipChecks: this.skipChecks };
  }
}

/**
 * When the deployment is done with an import job.
 */
export abstract class ImportWait {
  /**
   * Wait until the job is ACTIVE, and fail the deployment with the service's reason if
   * the job fails, or, shortly before `bound`, if it is still running (the job itself goes
   * on then). What uses the data (training, recommenders) starts after the import.
   *
   * The deploy is held by a CloudFormation wait condition that the stack's long wait
   * signals (a Step Functions state machine, ADR 0014), so `bound` may be up to 12 hours.
   */
  public static untilActive(bound: Duration): ImportWait {
    return waitChoice(ImportWait, 'active', waitBoundSeconds(bound, 'ImportWait', 'imports'));
  }

  /**
   * Start the job and finish the deployment at once: the data lands in the dataset
   * later, whether the job succeeds or fails. Check the job's status yourself before
   * training on the data.
   */
  public static startOnly(): ImportWait {
    return waitChoice(ImportWait, 'started');
  }

  /** @internal */
  public abstract readonly _mode: string;
  /** @internal */
  public abstract readonly _seconds?: number;
}

/**
 * Properties of a dataset import job.
 */
export interface DatasetImportJobProps {
  /** The dataset the data goes into. The job runs after the dataset is created. */
  readonly dataset: IDataset;

  /** Where the data is read. */
  readonly source: ImportSource;

  /**
   * How the records are added.
   * @default ImportMode.FULL
   */
  readonly importMode?: ImportMode;

  /**
   * Whether Personalize publishes the metrics of the group's metric attribution for
   * this data to S3 (the attribution must have an output bucket).
   * @default false
   */
  readonly publishAttributionMetricsToS3?: boolean;

  /**
   * The role Personalize reads the data with. A given role is not changed: it must
   * allow reading the source (and its KMS key) itself.
   * @default - a role is created, trusted by Personalize for this account and region only,
   *   that may read exactly the source key or prefix
   */
  readonly role?: iam.IRole;

  /**
   * A token of your own (for example a date or a release number) that runs the import
   * again when it changes, although the source did not (new data under the same key).
   * @default - the import runs again only when the source, mode or role changes
   */
  readonly dataVersion?: string;

  /**
   * When the deployment is done with the job.
   * @default ImportWait.untilActive(Duration.hours(12))
   */
  readonly wait?: ImportWait;

  /**
   * Import again on a schedule, with no function in between: each run is a new job of the same
   * source, mode and role, named `<prefix>-<execution ID>` (ADR 0018). For a bucket source whose
   * key or prefix receives new data, typically with `ImportMode.INCREMENTAL`; a CSV asset is copied
   * once, so it cannot have runs. Runs are not waited for, and a run Personalize refuses goes to
   * the dead-letter queue.
   * @default - the import runs on deploy only
   */
  readonly recurringRuns?: RecurringRuns;

  /**
   * What happens to the job when it leaves the stack. Either way the job stays in
   * Personalize (the API cannot delete import jobs) and its data stays in the dataset;
   * DESTROY also removes the construct's copy of an asset.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An Amazon Personalize dataset import job, owned by this app or imported.
 */
export interface IDatasetImportJob extends IResource {
  /**
   * The ARN of the import job.
   * @attribute
   */
  readonly datasetImportJobArn: string;
}

/**
 * Imports data from S3, or from a CSV file of the app, into a Personalize dataset.
 *
 * The job runs when the construct is created, and again whenever the source (the
 * file's content, the bucket or key), the mode, the role or `dataVersion` changes:
 * a hash of them is part of the job's name, so a change creates a new job. Import
 * jobs cannot be deleted in the API: removing the construct leaves the job and the
 * imported data in the dataset.
 *
 * @resource Custom::PersonalizeDatasetImportJob
 */
export class DatasetImportJob extends Resource implements IDatasetImportJob, ITaggable {
  /**
   * Imports an import job by its ARN, `…:dataset-import-job/NAME`.
   */
  public static fromDatasetImportJobArn(scope: Construct, id: string, datasetImportJobArn: string): IDatasetImportJob {
    return importedPersonalizeResource<IDatasetImportJob>(Resource, scope, id, DATASET_IMPORT_JOB, 'datasetImportJobArn', datasetImportJobArn);
  }

  public readonly datasetImportJobArn: string;

  /**
   * The name of the import job, generated.
   * @attribute
   */
  public readonly datasetImportJobName: string;

  /** The role Personalize reads the data with. */
  public readonly role: iam.IRole;

  /** The dataset the data goes into. */
  public readonly dataset: IDataset;

  /** How the records are added. */
  public readonly importMode: ImportMode;

  /** Tags of the import job. */
  public readonly tags: TagManager;

  /** With `recurringRuns`: where refused runs go. */
  public readonly deadLetterQueue?: sqs.IQueue;

  /** With `recurringRuns`: the schedule group of the runs, whose metrics count this import's runs only. */
  public readonly runsScheduleGroup?: scheduler.IScheduleGroup;

  constructor(scope: Construct, id: string, props: DatasetImportJobProps) {
    super(scope, id);
    const { dataset } = props;
    requireConstruct('dataset', dataset, 'a Personalize IDataset (a Dataset, or Dataset.fromDatasetArn)', 'datasetArn');
    requireInstance('source', props.source, ImportSource, 'an ImportSource (ImportSource.fromAsset or ImportSource.fromBucket)');
    requireOptionalConstruct('role', props.role, 'an IAM role (iam.IRole: iam.Role or iam.Role.fromRoleArn)', 'roleArn');
    requireOptionalInstance('wait', props.wait, ImportWait, 'an ImportWait (ImportWait.untilActive or ImportWait.startOnly)');
    checkDataVersion(props.dataVersion);
    this.dataset = dataset;
    this.importMode = props.importMode ?? ImportMode.FULL;
    const wait = props.wait ?? ImportWait.untilActive(MAX_WAIT);
    const source = props.source._bind(this);
    const stack = Stack.of(this);

    this.role = props.role ?? this.createServiceRole();
    // The name hashes everything that makes this a different import: a change is a new job.
    const name = physicalName(this, undefined, [
      replacementKeyOf(dataset, dataset.datasetArn), source.asset ? source.asset.assetHash : [source.bucket.bucketName, source.keyOrPrefix],
      props.dataVersion ?? null, this.importMode, this.role.roleArn, props.publishAttributionMetricsToS3 ?? false,
    ]);
    const keyOrPrefix = source.keyOrPrefix ?? `imports/${name.name}.csv`;
    const dataLocation = `s3://${source.bucket.bucketName}/${keyOrPrefix}`;
    if (!Token.isUnresolved(dataLocation) && dataLocation.length > S3_PATH_MAX_LENGTH) {
      throw new Error(`Invalid keyOrPrefix: the data location '${dataLocation}' is ${dataLocation.length} characters; Personalize accepts `
        + `at most ${S3_PATH_MAX_LENGTH}.`);
    }

    const readable = keyOrPrefix.endsWith('/') ? `${keyOrPrefix}*` : keyOrPrefix;
    if (!props.role) this.grantRead(source.bucket, readable);
    const policyDependency = this.allowPersonalize(source.bucket, readable);
    // The key policy of an SSE-KMS source must let Personalize in, whichever role reads ("Giving Amazon Personalize
    // permission to use your AWS KMS key": for an import job, "only AWS KMS key policy must grant permissions").
    if (source.bucket.encryptionKey) {
      grantPersonalizeKeyUse(this, source.bucket.encryptionKey, props.role ? undefined : this.role, 'the import fails');
    }

    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.DATASET_IMPORT_JOB);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags()) });
    if (source.file) this.node.addValidation({ validate: () => problemsUnlessSkipped(this, source.skipChecks, fileProblems(dataset, source.file!)) });
    if (this.importMode === ImportMode.INCREMENTAL) this.node.addValidation({ validate: () => incrementalProblems(this) });
    if (props.publishAttributionMetricsToS3) this.node.addValidation({ validate: () => publishingProblems(this) });

    const waited = waitedJob(this, DATASET_IMPORT_JOB, name, wait, 'Imported');

    const removalPolicy = props.removalPolicy ?? RemovalPolicy.DESTROY;
    const resource = declaredResource<DatasetImportJobProperties>(this, DATASET_IMPORT_JOB, {
      properties: {
        Name: name.name,
        DatasetArn: dataset.datasetArn,
        DataLocation: dataLocation,
        RoleArn: this.role.roleArn,
        ImportMode: this.importMode,
        PublishAttributionMetricsToS3: String(props.publishAttributionMetricsToS3 ?? false),
        ...waited.properties,
        CopySourceBucket: source.asset?.s3BucketName,
        CopySourceKey: source.asset?.s3ObjectKey,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy,
      resources: {
        self: [ownArnPattern(this, DATASET_IMPORT_JOB, name)],
        dataset: [datasetGrantArn(this, dataset)],
        role: [this.role.roleArn],
        assetObject: source.asset && [stack.formatArn({
          service: 's3', region: '', account: '', resource: source.asset.s3BucketName, resourceName: source.asset.s3ObjectKey,
        })],
        copy: source.asset && [source.bucket.arnForObjects(keyOrPrefix)],
        // The copies of earlier jobs too: a replaced job's copy is removed after the grants name only the new one.
        copies: source.asset && {
          arns: [source.bucket.arnForObjects('imports/*')],
          wildcardReason: 'The import copies in the construct\'s own bucket: a replaced job\'s copy is removed once the grants name only the new one.',
        },
      },
    });
    // A retained job keeps its copy, so the bucket must stay too.
    if (source.asset) (source.bucket as s3.Bucket).applyRemovalPolicy(removalPolicy);
    // Personalize checks the role and reads the bucket when the job starts.
    resource.node.addDependency(this.role);
    if (policyDependency) resource.node.addDependency(policyDependency);
    if (dataset instanceof Dataset) {
      resource.node.addDependency(dataset);
      recordImport(dataset.datasetGroup, this);
    }

    this.datasetImportJobArn = resource.getAttString(Attributes.ARN);
    this.datasetImportJobName = resource.getAttString(Attributes.NAME);
    const runs = props.recurringRuns && this.scheduleRuns(props.recurringRuns, source, resource, {
      Name: name.name, DatasetArn: dataset.datasetArn, DataLocation: dataLocation, RoleArn: this.role.roleArn, ImportMode: this.importMode,
    }, props.publishAttributionMetricsToS3 ?? false);
    this.deadLetterQueue = runs?.deadLetterQueue;
    this.runsScheduleGroup = runs?.scheduleGroup;

    waited.waitFor(resource, this.datasetImportJobArn);

    // Personalize publishes through the group's attribution, which must exist when the job starts.
    if (props.publishAttributionMetricsToS3) {
      whenAppDeclared(this, () => {
        const attribution = attributionOf(this, dataset);
        if (attribution) resource.node.addDependency(attribution);
      });
    }

    // An incremental import adds to what the app's full imports of the same dataset brought.
    if (this.importMode === ImportMode.INCREMENTAL) {
      for (const full of importJobsOf(this, dataset).filter((job) => job.importMode === ImportMode.FULL)) resource.node.addDependency(full);
    }
  }

  private scheduleRuns(runs: RecurringRuns, source: BoundSource, resource: CustomResource,
    values: Parameters<typeof datasetImportJobRequest>[0], publish: boolean): ScheduledRuns {
    if (source.asset) {
      throw new Error('Invalid recurringRuns: the source is a CSV asset, which is copied once and never changes, so each run would import '
        + 'the same file again. Give runs to an import from ImportSource.fromBucket, whose key or prefix receives new data.');
    }
    return scheduleRuns(this, runs, {
      kind: DATASET_IMPORT_JOB,
      deployedName: values.Name,
      request: (jobName) => ({ ...datasetImportJobRequest({ ...values, Name: jobName }, publish) }),
      resources: { dataset: [values.DatasetArn], role: [values.RoleArn] },
    }, resource);
  }

  private createServiceRole(): iam.Role {
    return personalizeServiceRole(this, 'Lets Amazon Personalize read the data of a dataset import job');
  }

  /** The created role reads exactly the key (or the objects under the prefix), and decrypts with the group's key (the source's: see the constructor). */
  private grantRead(bucket: s3.IBucket, readable: string): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.arnForObjects(readable)] }));
    const group = this.dataset instanceof Dataset ? this.dataset.datasetGroup : undefined;
    if (group instanceof DatasetGroup && group.kmsKey) {
      group.kmsKey.grant(this.role, 'kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey');
    }
    if (readable.endsWith('*')) {
      const policy = (this.role as iam.Role).node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
      if (policy) {
        addNagSuppressions(policy.node.defaultChild as CfnResource, [{
          id: 'AwsSolutions-IAM5',
          reason: 'An import from a prefix reads every object under it: that is what the user asked to import.',
          appliesTo: [`Resource::${flattenForNag(Stack.of(this).resolve(bucket.arnForObjects(readable)))}`],
        }]);
      }
    }
  }

  /**
   * The bucket policy statement AWS documents for imports ("Giving Amazon Personalize
   * access to Amazon S3 resources"); only a bucket the app owns can get it.
   */
  private allowPersonalize(bucket: s3.IBucket, readable: string): IConstruct | undefined {
    return allowPersonalizeOnBucket(this, bucket, {
      actions: ['s3:GetObject', 's3:ListBucket'],
      objects: bucket.arnForObjects(readable),
      warningId: 'cdk-personalize:importedSourceBucket',
      needed: `s3:GetObject on '${readable}' and s3:ListBucket, or the import fails`,
    });
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

/** The dataset ARN the handler may create jobs for: a pattern of the owned group's generated name (ADR 0002), else the ARN. */
function datasetGrantArn(scope: IConstruct, dataset: IDataset): string {
  if (!(dataset instanceof Dataset)) return dataset.datasetArn;
  const group = dataset.datasetGroup;
  return Stack.of(scope).formatArn({
    service: 'personalize',
    resource: 'dataset',
    resourceName: `${group instanceof DatasetGroup ? group._physicalName.grantPattern : group.datasetGroupName}/${dataset.datasetType.toUpperCase()}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
}

/** The metric attribution of the dataset's group declared in the app, if the app owns the dataset. */
function attributionOf(scope: IConstruct, dataset: IDataset): MetricAttribution | undefined {
  if (!(dataset instanceof Dataset)) return undefined;
  return scope.node.root.node.findAll()
    .find((c): c is MetricAttribution => c instanceof MetricAttribution && c.datasetGroup === dataset.datasetGroup);
}

/**
 * Publishing to S3 needs the group's metric attribution with an output bucket. For a group
 * the app creates, that attribution can only come from the app; other groups are the service's to check.
 */
function publishingProblems(job: DatasetImportJob): string[] {
  const dataset = job.dataset;
  if (!(dataset instanceof Dataset) || !(dataset.datasetGroup instanceof DatasetGroup)) return [];
  const attribution = attributionOf(job, dataset);
  const group = dataset.datasetGroup.node.path;
  if (!attribution) {
    return [`Invalid publishAttributionMetricsToS3: dataset group '${group}' has no MetricAttribution in this app, and Personalize `
      + 'publishes an import\'s metrics through the group\'s metric attribution. Add one with an outputBucket, or leave publishAttributionMetricsToS3 unset.'];
  }
  if (!attribution.outputBucket) {
    return [`Invalid publishAttributionMetricsToS3: the metric attribution '${attribution.node.path}' of dataset group '${group}' has no `
      + 'outputBucket, so there is nowhere in S3 to publish to. Give it an outputBucket, or leave publishAttributionMetricsToS3 unset.'];
  }
  return [];
}

/** The import jobs of `dataset` declared anywhere in the app. */
function importJobsOf(scope: IConstruct, dataset: IDataset): DatasetImportJob[] {
  return scope.node.root.node.findAll().filter((c): c is DatasetImportJob => c instanceof DatasetImportJob && c.dataset === dataset);
}

/** A CSV file against the dataset's schema, when the app declares both. */
function fileProblems(dataset: IDataset, file: string): string[] {
  if (!(dataset instanceof Dataset)) return [];
  const record = recordOf(dataset.schema.definition?.json);
  if (!record) return [];
  const problems = csvProblems(path.basename(file), fs.readFileSync(file), record, { datasetType: dataset.datasetType });
  return problems.map((problem) => `Invalid ImportSource.fromAsset file for dataset '${dataset.node.path}' (schema record `
    + `'${record.name}'): ${problem}.`);
}

/** INCREMENTAL appends to bulk data; a dataset this app creates has none unless a FULL import of the app brings it. */
function incrementalProblems(job: DatasetImportJob): string[] {
  const dataset = job.dataset;
  if (!(dataset instanceof Dataset)) return [];
  if (importJobsOf(job, dataset).some((other) => other.importMode === ImportMode.FULL)) return [];
  return [`Invalid importMode: INCREMENTAL adds to the bulk data of dataset '${dataset.node.path}', which this app creates, and no `
    + 'FULL import of it is declared. Personalize accepts INCREMENTAL only for a dataset that already has bulk data: use '
    + 'ImportMode.FULL, or add a FULL DatasetImportJob for the dataset (the incremental one runs after it).'];
}

