import * as fs from 'fs';
import { Aws, IResource, ITaggable, Lazy, RemovalPolicy, Stack, TagManager, TagType, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { IProject, Project } from './project';
import { warnSkipped } from '../private/checks';
import {
  Attributes, MAX_REKOGNITION_USER_TAGS, OWNER_TAG_KEY, RekognitionDatasetProperties, ResourceTypes, SOURCE_TAG_KEY, TagProperty,
} from '../private/contract';
import { declaredResource } from '../private/declared-resource';
import { GrantableDataset } from '../private/grantable-dataset';
import { ScopeResources } from '../private/handler-access';
import { importedResource } from '../private/imported';
import { REKOGNITION_DATASET } from './private/declarations';
import { grantRoleKeyUse, REKOGNITION_READER_KEY_ACTIONS } from '../private/key-access';
import { firstManifestProblem, imageLocations, MAX_MANIFEST_BYTES } from './private/manifest';
import { describeValue } from '../private/messages';
import { PersonalizeProvider } from '../private/provider';
import { parseDatasetArn, validateProjectName } from './private/validation';
import { requireConstruct, requireOptionalConstruct, requireOptionalInstance } from '../private/runtime-types';
import { claimSlot } from '../private/slots';
import { tagProblems } from '../private/validation';

/**
 * The type of a Custom Labels dataset. A project holds at most one of each.
 */
export enum DatasetType {
  /** The images a model is trained with. */
  TRAIN = 'TRAIN',
  /** The images a trained model is evaluated with. */
  TEST = 'TEST',
}

/**
 * An Amazon Rekognition Custom Labels dataset, owned by this app or imported.
 */
export interface IDataset extends IResource {
  /**
   * The ARN of the dataset, `…:project/PROJECT_NAME/dataset/(train|test)/CREATION_TIME`.
   * @attribute
   */
  readonly datasetArn: string;

  /**
   * The type of the dataset.
   */
  readonly datasetType: DatasetType;

  /**
   * The name of the project the dataset belongs to.
   */
  readonly projectName: string;

  /**
   * Grants the given Rekognition actions on this dataset.
   */
  grant(grantee: iam.IGrantable, ...actions: string[]): iam.Grant;

  /**
   * Grants permission to describe this dataset and read its entries and labels
   * (`rekognition:DescribeDataset`, `rekognition:ListDatasetEntries`, `rekognition:ListDatasetLabels`),
   * which is also what copying it into another dataset needs.
   */
  grantRead(grantee: iam.IGrantable): iam.Grant;
}

/**
 * Options of a manifest that is already in S3.
 */
export interface ManifestObjectOptions {
  /**
   * The version of the manifest object, in a versioned bucket.
   *
   * @default - the latest version
   */
  readonly version?: string;

  /**
   * The bucket that holds the images the manifest names in its `source-ref`s.
   * Rekognition reads them with the permissions of the caller of CreateDataset (the
   * custom resource handler), which is granted `s3:GetObject` on `imagePrefix*` in it.
   *
   * @default - the manifest's bucket
   */
  readonly imageBucket?: s3.IBucket;

  /**
   * The key prefix the images share in `imageBucket`, such as `images/`. The handler may
   * read the objects under it and no other object of the bucket. Required unless
   * `allowWholeBucketRead` is set.
   *
   * @default - none: refused unless `allowWholeBucketRead` is true
   */
  readonly imagePrefix?: string;

  /**
   * Grant the handler `s3:GetObject` on every object of the image bucket when no
   * `imagePrefix` is given.
   *
   * **Warning:** the handler's role then reads every object of that bucket, not only the
   * images, for as long as the dataset is in the stack. Prefer an `imagePrefix`, or images
   * in a bucket (or folder) of their own.
   *
   * @default false
   */
  readonly allowWholeBucketRead?: boolean;
}

/**
 * Options of a manifest file in the app.
 */
export interface ManifestFileOptions {
  /**
   * Use the manifest even if the synth check of its lines refuses it.
   *
   * **Warning:** the check follows the Custom Labels developer guide (the manifest formats,
   * its validation rules, quotas and training errors): valid JSON lines, no blank line,
   * labels and confidences as documented, bounding boxes inside the image and larger than
   * 1 x 1 pixels, at most 50 per image, label names of at most 256 characters, every image
   * in one bucket, and at least 2 labels in a classification dataset. Skip it only when you
   * know Rekognition accepts the manifest (its 20% tolerance of invalid lines, for example);
   * a manifest it refuses fails CreateDataset at deploy. What the check found is still
   * printed at synth, as a warning with the id `cdk-personalize:checkSkipped`.
   *
   * @default false
   */
  readonly skipChecks?: boolean;

  /**
   * Grant the handler `s3:GetObject` on every object of the image bucket when the images
   * share no folder (key prefix ending in `/`).
   *
   * **Warning:** the handler's role then reads every object of that bucket, not only the
   * images, for as long as the dataset is in the stack. Prefer keeping the images under
   * one folder, which the handler is then granted alone.
   *
   * @default false
   */
  readonly allowWholeBucketRead?: boolean;
}

type SourceReads = Record<'manifest' | 'manifestVersion' | 'images' | 'sourceDataset', string[] | ScopeResources | undefined>;
const NO_READS: SourceReads = { manifest: undefined, manifestVersion: undefined, images: undefined, sourceDataset: undefined };

/** What a source gives the dataset's custom resource and its handler. */
interface SourceBinding {
  readonly properties: Pick<RekognitionDatasetProperties, 'ManifestBucket' | 'ManifestKey' | 'ManifestVersion' | 'SourceDatasetArn'>;
  /** What CreateDataset reads with the handler's permissions, by the scopes of the kind's declaration. */
  readonly reads: SourceReads;
  readonly keys: kms.IKey[];
}

/**
 * Where a dataset's images and labels come from: a SageMaker Ground Truth manifest
 * (in S3, or a file in the app uploaded as an asset), a copy of another Custom Labels
 * dataset, or nothing (an empty dataset).
 *
 * The manifest format (JSON Lines; each line an image's `source-ref` and its labels
 * in image-level classification or bounding-box form) is described in the Custom Labels
 * developer guide:
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/md-create-manifest-file-classification.html and
 * https://docs.aws.amazon.com/rekognition/latest/customlabels-dg/cd-manifest-files-object-detection.html
 */
export abstract class DatasetSource {
  /**
   * A manifest already in S3. Changing the bucket, key or version replaces the dataset.
   *
   * The handler that calls CreateDataset reads the manifest and the images, so it is granted
   * `kms:Decrypt` and `kms:GenerateDataKey` on the KMS key of each bucket (`bucket.encryptionKey`:
   * for an imported SSE-KMS bucket, give it with `s3.Bucket.fromBucketAttributes`). The policy of
   * a key the app imports must let the handler's role use it; a synth warning says how.
   */
  public static fromManifestObject(bucket: s3.IBucket, key: string, options: ManifestObjectOptions = {}): DatasetSource {
    requireConstruct('DatasetSource.fromManifestObject bucket', bucket, 'an S3 bucket (s3.IBucket: s3.Bucket or s3.Bucket.fromBucketName)', 'bucketName');
    requireOptionalConstruct('imageBucket', options.imageBucket, 'an S3 bucket (s3.IBucket: s3.Bucket or s3.Bucket.fromBucketName)', 'bucketName');
    if (!Token.isUnresolved(key) && (key.length < 1 || key.length > 1024)) {
      throw new Error(`Invalid key: '${key}' (${key.length} characters). An S3 object key for a manifest must be 1-1024 characters.`);
    }
    if (options.version !== undefined && !Token.isUnresolved(options.version) && (options.version.length < 1 || options.version.length > 1024)) {
      throw new Error(`Invalid version: '${options.version}'. An S3 object version must be 1-1024 characters.`);
    }
    const imageBucket = options.imageBucket ?? bucket;
    const prefix = options.imagePrefix ?? '';
    const wholeBucket = !Token.isUnresolved(prefix) && prefix === '';
    if (wholeBucket && !options.allowWholeBucketRead) {
      throw new Error(`Invalid imagePrefix: ${options.imagePrefix === undefined ? 'none given' : "''"}. Rekognition reads the manifest's `
        + 'images with the handler\'s permissions, and without a key prefix the handler would be granted s3:GetObject on every object '
        + `of bucket ${describeValue(imageBucket.bucketName, imageBucket)}. Give the prefix the images share (for example 'images/'), `
        + 'or set allowWholeBucketRead: true to grant the whole bucket.');
    }
    return new ManifestSource(() => ({
      bucket,
      key,
      version: options.version,
      images: [{ arn: imageBucket.arnForObjects(`${prefix}*`), wholeBucket }],
      imageKeys: [imageBucket.encryptionKey].filter((k): k is kms.IKey => k !== undefined),
    }));
  }

  /**
   * A manifest file in the app, uploaded as an asset. Its content is checked at synth
   * time: JSON Lines, each an object with a `source-ref` that is an `s3://` URI and at
   * least one label attribute with its `-metadata` object, in image-level
   * classification or bounding-box form. The first bad line is reported by number, with
   * the rule it breaks (the rules of the Custom Labels developer guide, see
   * `ManifestFileOptions.skipChecks`).
   * The handler may read the images under the longest folder (key prefix ending in `/`)
   * they share in their bucket; images that share none are refused unless
   * `allowWholeBucketRead` is set. A changed file is a new asset, so it replaces the dataset.
   *
   * @param path the manifest file
   * @param options `skipChecks: true` uses the manifest even if the synth check refuses it (with a warning);
   * `allowWholeBucketRead: true` grants the whole image bucket when the images share no folder
   */
  public static fromManifestFile(path: string, options: ManifestFileOptions = {}): DatasetSource {
    let text: string;
    try {
      const size = fs.statSync(path).size;
      if (size > MAX_MANIFEST_BYTES) {
        throw new Error(`Invalid manifest file '${path}': it is ${size} bytes; Custom Labels takes a manifest of at most 1 GB. Split the images over fewer lines.`);
      }
      text = fs.readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as Error).message.startsWith('Invalid manifest file')) throw error;
      throw new Error(`Invalid manifest file '${path}': it cannot be read (${(error as Error).message}).`);
    }
    const problem = firstManifestProblem(text);
    const message = problem ? `Invalid manifest file '${path}': line ${problem.line}: ${problem.message}.` : undefined;
    if (message && !options.skipChecks) throw new Error(message);
    const locations = imageLocations(text);
    const unfoldered = locations.find(({ prefix }) => prefix === '');
    if (unfoldered && !options.allowWholeBucketRead) {
      throw new Error(`Invalid manifest file '${path}': its images in bucket '${unfoldered.bucket}' share no folder (key prefix ending `
        + "in '/'), so the handler would be granted s3:GetObject on every object of the bucket. Put the images under one folder, or set "
        + 'allowWholeBucketRead: true to grant the whole bucket.');
    }
    return new ManifestSource((scope) => {
      if (message) warnSkipped(scope, [message]);
      const asset = new s3assets.Asset(scope, 'Manifest', { path });
      return {
        bucket: asset.bucket,
        key: asset.s3ObjectKey,
        images: locations.map(({ bucket, prefix }) => ({ arn: `arn:${Aws.PARTITION}:s3:::${bucket}/${prefix}*`, wholeBucket: prefix === '' })),
        imageKeys: [],
      };
    });
  }

  /**
   * A copy of another Custom Labels dataset (which must be complete when the copy is
   * created). Changing the dataset copied replaces this one.
   */
  public static fromDataset(dataset: IDataset): DatasetSource {
    requireConstruct('DatasetSource.fromDataset dataset', dataset, 'a Custom Labels IDataset (a rekognition.Dataset, or Dataset.fromDatasetArn)', 'datasetArn');
    return new CopySource(dataset);
  }

  /**
   * No source: an empty dataset, to fill with UpdateDatasetEntries or the console.
   */
  public static empty(): DatasetSource {
    return new EmptySource();
  }

  /** @internal */
  public abstract _bind(scope: Construct): SourceBinding;
}

/** Objects the handler reads the images from: under a key prefix, or (opted in) the whole bucket. */
interface ImageObjects {
  readonly arn: string;
  readonly wholeBucket: boolean;
}

interface ManifestLocation {
  readonly bucket: s3.IBucket;
  readonly key: string;
  readonly version?: string;
  readonly images: ImageObjects[];
  readonly imageKeys: kms.IKey[];
}

/** Why the handler reads images by pattern, for cdk-nag's IAM5: each grant is acknowledged by its exact finding. */
const IMAGE_PREFIX_REASON = 'Rekognition reads a manifest\'s images with the permissions of the caller of CreateDataset, so the '
  + 'handler may read the objects under the key prefix the images share (BUCKET/PREFIX*), and no other object of the bucket.';
const WHOLE_BUCKET_REASON = 'The app set allowWholeBucketRead on the dataset source: its images share no folder (or no prefix was '
  + 'given), and Rekognition reads them with the permissions of the caller of CreateDataset, so the handler may read every object '
  + 'of this bucket.';

class ManifestSource extends DatasetSource {
  constructor(private readonly locate: (scope: Construct) => ManifestLocation) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct): SourceBinding {
    const { bucket, key, version, images, imageKeys } = this.locate(scope);
    return {
      properties: { ManifestBucket: bucket.bucketName, ManifestKey: key, ManifestVersion: version },
      reads: {
        ...NO_READS,
        manifest: [bucket.arnForObjects(key)],
        manifestVersion: version === undefined ? undefined : [bucket.arnForObjects(key)],
        images: images.length === 0 ? undefined : {
          arns: images.map(({ arn }) => arn),
          wildcardReason: images.some(({ wholeBucket }) => wholeBucket) ? WHOLE_BUCKET_REASON : IMAGE_PREFIX_REASON,
        },
      },
      keys: [...(bucket.encryptionKey ? [bucket.encryptionKey] : []), ...imageKeys],
    };
  }
}

class CopySource extends DatasetSource {
  constructor(private readonly dataset: IDataset) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct): SourceBinding {
    const copied = this.dataset;
    // An owned dataset's ARN comes from its custom resource, which depends on the grants policy: grant its slot instead.
    const resource = copied instanceof Dataset
      ? Stack.of(scope).formatArn({ service: 'rekognition', resource: 'project', resourceName: `${copied.projectName}/dataset/${copied.datasetType.toLowerCase()}/*` })
      : copied.datasetArn;
    return {
      properties: { SourceDatasetArn: copied.datasetArn },
      reads: { ...NO_READS, sourceDataset: [resource] },
      keys: [],
    };
  }
}

class EmptySource extends DatasetSource {
  /** @internal */
  public _bind(): SourceBinding {
    return { properties: {}, reads: NO_READS, keys: [] };
  }
}

/**
 * Properties of a Custom Labels dataset.
 */
export interface DatasetProps {
  /**
   * The project the dataset belongs to. A project holds one TRAIN and one TEST dataset.
   */
  readonly project: IProject;

  /**
   * The type of the dataset.
   */
  readonly datasetType: DatasetType;

  /**
   * Where the images and labels come from. A changed source replaces the dataset: the
   * old one is deleted first, since the project holds one dataset of each type (ADR 0006).
   *
   * @default DatasetSource.empty()
   */
  readonly source?: DatasetSource;

  /**
   * What happens to the dataset when it leaves the stack.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;
}

const READ_ACTIONS = ['rekognition:DescribeDataset', 'rekognition:ListDatasetEntries', 'rekognition:ListDatasetLabels'];
const REKOGNITION_TAG_LIMITS = { service: 'Rekognition', maxTags: MAX_REKOGNITION_USER_TAGS + 2, reserved: [OWNER_TAG_KEY, SOURCE_TAG_KEY] };

abstract class DatasetBase extends GrantableDataset implements IDataset {
  public abstract readonly datasetType: DatasetType;
  public abstract readonly projectName: string;
  /** @internal */
  protected readonly _readActions = READ_ACTIONS;
}

/**
 * An Amazon Rekognition Custom Labels dataset, created from a SageMaker Ground Truth
 * manifest, as a copy of another dataset, or empty.
 *
 * CloudFormation's `AWS::Rekognition::Dataset` can create only empty datasets; this
 * construct is backed by a custom resource that calls CreateDataset with a source, waits
 * for CREATE_COMPLETE (failing with Rekognition's StatusMessage and StatusMessageCode),
 * and on deletion waits until the dataset is gone.
 *
 * @resource Custom::RekognitionDataset
 */
export class Dataset extends DatasetBase implements ITaggable {
  /**
   * Imports a dataset by its ARN, `…:project/PROJECT_NAME/dataset/(train|test)/CREATION_TIME`.
   */
  public static fromDatasetArn(scope: Construct, id: string, datasetArn: string): IDataset {
    if (Token.isUnresolved(datasetArn)) {
      throw new Error('Dataset.fromDatasetArn needs a literal ARN: the project name and the type are read from it.');
    }
    const { projectName, datasetType } = parseDatasetArn('datasetArn', datasetArn);
    return importedResource<IDataset>(DatasetBase, scope, id, datasetArn, { datasetArn, datasetType: datasetType as DatasetType, projectName });
  }

  /**
   * The ARN of the dataset, `…:project/PROJECT_NAME/dataset/(train|test)/CREATION_TIME`.
   * @attribute
   */
  public readonly datasetArn: string;
  public readonly datasetType: DatasetType;
  public readonly projectName: string;

  /**
   * The project the dataset belongs to.
   */
  public readonly project: IProject;

  /**
   * Tags for the dataset. Tags set with `Tags.of(scope)` land here too.
   */
  public readonly tags: TagManager;

  constructor(scope: Construct, id: string, props: DatasetProps) {
    super(scope, id);
    const { project, datasetType } = props;
    requireConstruct('project', project, 'a Custom Labels IProject (a rekognition.Project, or Project.fromProjectName / fromProjectArn)', 'projectName');
    requireOptionalInstance('source', props.source, DatasetSource, 'a DatasetSource (DatasetSource.fromManifestFile, fromManifestObject, fromDataset or empty)');
    validateProjectName('project', project.projectName);
    claimType(project, datasetType, this);
    this.project = project;
    this.datasetType = datasetType;
    this.projectName = project.projectName;

    const source = (props.source ?? DatasetSource.empty())._bind(this);
    this.tags = new TagManager(TagType.KEY_VALUE, ResourceTypes.REKOGNITION_DATASET);
    this.node.addValidation({ validate: () => tagProblems(this.renderTags(), REKOGNITION_TAG_LIMITS) });

    // The dataset ARN ends in its creation time: the handler is granted the project's datasets of this type.
    const projectResources = (resourceName: string) => Stack.of(this).formatArn({
      service: REKOGNITION_DATASET.service, resource: REKOGNITION_DATASET.arn!.resource, resourceName,
    });
    const provider = PersonalizeProvider.getOrCreate(this);
    const resource = declaredResource<RekognitionDatasetProperties>(this, REKOGNITION_DATASET, {
      properties: {
        ProjectName: project.projectName,
        ProjectArn: knownProjectArn(project),
        DatasetType: datasetType,
        ...source.properties,
        Tags: Lazy.any({ produce: () => this.renderTags() }) as unknown as TagProperty[],
      },
      removalPolicy: props.removalPolicy,
      resources: {
        self: [projectResources(`${project.projectName}/dataset/${datasetType.toLowerCase()}/*`)],
        project: [projectResources(`${project.projectName}/*`)],
        ...source.reads,
      },
    });
    // Datasets are deleted before their project, and created after it, even when only its name is used.
    if (project instanceof Project) resource.node.addDependency(project);
    // Custom Labels reads the manifest and the images with the permissions of the caller of CreateDataset: the handler.
    for (const key of new Set(source.keys)) {
      grantRoleKeyUse(this, key, provider.handlerRole, REKOGNITION_READER_KEY_ACTIONS, 'CreateDataset cannot read the manifest or its images');
    }

    this.datasetArn = resource.getAttString(Attributes.ARN);
  }

  private renderTags(): TagProperty[] {
    return (this.tags.renderTags() as TagProperty[] | undefined) ?? [];
  }
}

/** The project's ARN when it is known: owned, or imported by ARN; undefined for a project imported by name. */
function knownProjectArn(project: IProject): string | undefined {
  try {
    return project.projectArn;
  } catch {
    return undefined;
  }
}

/** A project holds one dataset of each type; an imported project is keyed by its name, which both imports give. */
function claimType(project: IProject, type: DatasetType, dataset: Dataset): void {
  const key = project instanceof Project || Token.isUnresolved(project.projectName) ? project : `name ${project.projectName}`;
  const existing = claimSlot(dataset, key, type);
  if (existing) {
    throw new Error(`Invalid datasetType: '${type}'. Project '${project.node.path}' already has a ${type} dataset `
      + `('${existing.node.path}'), and a Rekognition Custom Labels project holds one TRAIN and one TEST dataset.`);
  }
}
