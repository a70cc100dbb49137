/**
 * Rekognition Custom Labels datasets (ADR 0006).
 *
 * A project holds at most one TRAIN and one TEST dataset, and a dataset's ARN ends in
 * its creation time, so it cannot be known before CreateDataset answers. The kind
 * therefore names a dataset by its place in the project: the physical ID is the
 * slot `…:project/NAME/dataset/train` (or `test`), the same before and after a
 * create, and every call first resolves the slot to the dataset in it through
 * DescribeProjects, whose answer lists the project's datasets by type. A lost or
 * cancelled Create is found again in its slot, like a Personalize resource by its name.
 *
 * The source (a manifest in S3, another dataset, or none) cannot change in place, and
 * a replacement cannot be created beside the old dataset. A changed source is applied
 * inside the Update instead: the old dataset is deleted, and once the slot is empty
 * the new one is created. DescribeDataset does not return the source, so the handler
 * records a digest of it in the tag `cdk-personalize:source`; an update, a rollback
 * and an adoption compare the source the stack asks for with that tag.
 */
import { createHash } from 'crypto';
import {
  CreateDatasetCommand, DatasetDescription, DatasetSource, DeleteDatasetCommand, DescribeDatasetCommand, DescribeProjectsCommand,
} from '@aws-sdk/client-rekognition';
import { call, conditionOf, currentTags, describeOrUndefined, failureReasonOf, rekognition, syncTags } from './common';
import { Attributes, OWNER_TAG_KEY, RekognitionDatasetProperties, SOURCE_TAG_KEY } from '../../../src/private/contract';
import { PROJECT_NAME as PROJECT_NAME_RULE, REKOGNITION_DATASET } from '../../../src/rekognition/private/declarations';
import { log } from '../../log';
import { Delivered, optionalString, parseTags, requiredString } from '../../properties';
import { KindContext, Observation, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { declaredFields } from '../declared';

export type RekognitionDatasetSource =
  | { readonly kind: 'manifest'; readonly bucket: string; readonly key: string; readonly version?: string }
  | { readonly kind: 'dataset'; readonly datasetArn: string }
  | { readonly kind: 'empty' };

export interface RekognitionDatasetSpec {
  readonly projectName: string;
  /** Absent for a project imported by name: CreateDataset then looks it up. */
  readonly projectArn?: string;
  /** TRAIN or TEST. */
  readonly datasetType: string;
  readonly source: RekognitionDatasetSource;
  readonly tags: Record<string, string>;
}

const PROJECT_NAME = new RegExp(`^${PROJECT_NAME_RULE}$`);
const PROJECT_ARN = new RegExp(`^arn:([a-z\\d-]+):rekognition:([a-z\\d-]+):(\\d{12}):project\\/(${PROJECT_NAME_RULE})\\/[0-9]+$`);
/** The slot key (no timestamp), or a dataset ARN. */
const SLOT_OR_DATASET_ARN = new RegExp(`^arn:[a-z\\d-]+:rekognition:[a-z\\d-]+:\\d{12}:project\\/(${PROJECT_NAME_RULE})\\/dataset\\/(train|test)(\\/[0-9]+)?$`);
const DATASET_TYPES = new Set(['TRAIN', 'TEST']);
/** What a slot with no dataset in it is called in messages. */
const EMPTY_SLOT = 'EMPTY';

export const rekognitionDatasetKind: ResourceKind<RekognitionDatasetSpec, RekognitionDatasetProperties> = {
  ...declaredFields(REKOGNITION_DATASET),

  parse: (properties) => {
    const projectName = requiredString(properties, 'ProjectName');
    if (!PROJECT_NAME.test(projectName)) throw new Error(`Property 'ProjectName' must be a Rekognition project name, got '${projectName}'`);
    const projectArn = optionalString(properties, 'ProjectArn');
    if (projectArn !== undefined && PROJECT_ARN.exec(projectArn)?.[4] !== projectName) {
      throw new Error(`Property 'ProjectArn' must be the ARN of project '${projectName}', got '${projectArn}'`);
    }
    const datasetType = requiredString(properties, 'DatasetType');
    if (!DATASET_TYPES.has(datasetType)) throw new Error(`Property 'DatasetType' must be TRAIN or TEST, got '${datasetType}'`);
    const tags = parseTags(properties);
    if (SOURCE_TAG_KEY in tags) {
      throw new Error(`Property 'Tags' sets the tag '${SOURCE_TAG_KEY}', which is reserved: the handler records the dataset's source in it`);
    }
    return { projectName, projectArn, datasetType, source: parseSource(properties), tags };
  },

  nameOf: (spec) => `${spec.projectName}/${spec.datasetType}`,

  // Also the slot key a Create that was cut short left as the physical ID.
  isOwnPhysicalId: (physicalId) => SLOT_OR_DATASET_ARN.test(physicalId),

  // A changed source is applied in place (delete, then create in the same slot): see update.
  replacementCauses: (oldSpec, newSpec) => [
    ...(oldSpec.projectName !== newSpec.projectName || (oldSpec.projectArn ?? newSpec.projectArn) !== (newSpec.projectArn ?? oldSpec.projectArn)
      ? ['project'] : []),
    ...(oldSpec.datasetType !== newSpec.datasetType ? ['datasetType'] : []),
  ],

  create: async (context, spec) => {
    try {
      await createDataset(context, spec);
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
      throw await explainTakenSlot(context, spec, error);
    }
    return slotOf(context, spec);
  },

  arnOf: (context, spec) => slotOf(context, spec),

  isOwned: async (context, slot, spec, question) => {
    const arn = await resolve(context, slot);
    if (!arn) return false;
    const tags = await currentTags(context, arn);
    if (tags[OWNER_TAG_KEY] !== context.owner) return false;
    return question.purpose === 'delete' || spec === undefined || tags[SOURCE_TAG_KEY] === sourceDigest(spec.source);
  },

  /**
   * Makes the slot hold a dataset from the requested source: tags in place when the
   * source is the same and the dataset is usable; otherwise the dataset is deleted
   * (observe creates the new one once the slot is empty), or created if the slot is empty.
   */
  update: async (context, slot, _oldSpec, newSpec) => {
    const arn = await resolve(context, slot);
    if (!arn) {
      await createIgnoringRace(context, newSpec);
      return;
    }
    const dataset = await describeDataset(context, arn);
    const tags = dataset ? await currentTags(context, arn) : {};
    const sameSource = tags[SOURCE_TAG_KEY] === sourceDigest(newSpec.source);
    if (dataset && sameSource && conditionOf(dataset.Status ?? '') === 'ready') {
      await syncTags(context, arn, newSpec.tags);
      return;
    }
    if (dataset && tags[OWNER_TAG_KEY] !== context.owner) {
      throw new Error(`Project ${newSpec.projectName} holds ${newSpec.datasetType} dataset ${arn}, which this stack resource did not `
        + 'create; it is left alone. Delete it, then deploy again.');
    }
    log('info', 'replacing a dataset in its slot: deleting the old one first', { arn, status: dataset?.Status });
    try {
      await call(context, 'DeleteDataset', () => rekognition().send(new DeleteDatasetCommand({ DatasetArn: arn })));
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceNotFoundException')) throw error;
    }
  },

  observe: async (context, slot, operation, spec) => {
    const arn = await resolve(context, slot);
    const dataset = arn ? await describeDataset(context, arn) : undefined;
    if (!arn || !dataset) {
      if (operation !== 'update' || spec === undefined) return undefined;
      // An update empties the slot to change the source; the new dataset is created once it is empty.
      await createIgnoringRace(context, spec);
      return { status: EMPTY_SLOT, condition: 'busy', attributes: {} };
    }
    const status = dataset.Status ?? 'UNKNOWN';
    const condition = conditionOf(status);
    const attributes = { [Attributes.ARN]: arn };
    const failureReason = failureReasonOf(dataset.StatusMessage, dataset.StatusMessageCode);
    if (operation === 'delete' || spec === undefined) return { status, condition, failureReason, attributes };
    if (operation === 'update' && condition === 'deleting') return { status, condition: 'busy', attributes };
    if (condition !== 'ready') return { status, condition, failureReason, attributes };
    const tags = await currentTags(context, arn);
    if (tags[SOURCE_TAG_KEY] === sourceDigest(spec.source)) return { status, condition, attributes };
    return {
      status,
      condition: 'failed',
      failureReason: `the dataset was made from another source (${tags[SOURCE_TAG_KEY] ?? 'unknown'}) than the stack asks for `
        + `(${describeSource(spec.source)}, ${sourceDigest(spec.source)})`,
      attributes,
    } satisfies Observation;
  },

  delete: async (context, slot) => {
    const arn = await resolve(context, slot);
    if (!arn) throw notFound(slot);
    await call(context, 'DeleteDataset', () => rekognition().send(new DeleteDatasetCommand({ DatasetArn: arn })));
  },
};

function parseSource(properties: Delivered<RekognitionDatasetProperties>): RekognitionDatasetSource {
  const bucket = optionalString(properties, 'ManifestBucket');
  const key = optionalString(properties, 'ManifestKey');
  const version = optionalString(properties, 'ManifestVersion');
  const datasetArn = optionalString(properties, 'SourceDatasetArn');
  if ((bucket === undefined) !== (key === undefined)) throw new Error("Properties 'ManifestBucket' and 'ManifestKey' go together");
  if (bucket !== undefined && datasetArn !== undefined) {
    throw new Error("Properties 'ManifestBucket' and 'SourceDatasetArn' are exclusive: a dataset has one source");
  }
  if (version !== undefined && bucket === undefined) throw new Error("Property 'ManifestVersion' needs 'ManifestBucket' and 'ManifestKey'");
  if (bucket !== undefined) return { kind: 'manifest', bucket, key: key!, version };
  if (datasetArn !== undefined) return { kind: 'dataset', datasetArn };
  return { kind: 'empty' };
}

function projectNameOf(projectArn: string): string {
  return PROJECT_ARN.exec(projectArn)?.[4] ?? projectArn;
}

/** `…:project/NAME/dataset/train`: in the project ARN's account and region, or the stack's for a project known by name. */
function slotOf(context: KindContext, spec: RekognitionDatasetSpec): string {
  const [, partition, region, account] = PROJECT_ARN.exec(spec.projectArn ?? '') ?? [undefined, context.partition, context.region, context.account];
  return `arn:${partition}:rekognition:${region}:${account}:project/${spec.projectName}/dataset/${spec.datasetType.toLowerCase()}`;
}

/** The project's ARN: given, or looked up by name. */
async function projectArnOf(context: KindContext, spec: RekognitionDatasetSpec): Promise<string> {
  if (spec.projectArn !== undefined) return spec.projectArn;
  const response = await call(context, 'DescribeProjects',
    () => rekognition().send(new DescribeProjectsCommand({ ProjectNames: [spec.projectName] })));
  const project = (response.ProjectDescriptions ?? []).find((p) => p.ProjectArn !== undefined && projectNameOf(p.ProjectArn) === spec.projectName);
  if (!project) throw new Error(`Rekognition project '${spec.projectName}' does not exist in this account and region.`);
  return project.ProjectArn!;
}

function describeSource(source: RekognitionDatasetSource): string {
  switch (source.kind) {
    case 'manifest':
      return `s3://${source.bucket}/${source.key}${source.version ? `?versionId=${source.version}` : ''}`;
    case 'dataset':
      return `a copy of ${source.datasetArn}`;
    default:
      return 'empty';
  }
}

/** A digest of the source in characters every tag value allows. */
export function sourceDigest(source: RekognitionDatasetSource): string {
  return `sha256:${createHash('sha256').update(describeSource(source)).digest('hex').slice(0, 40)}`;
}

function apiSource(source: RekognitionDatasetSource): DatasetSource | undefined {
  switch (source.kind) {
    case 'manifest':
      return { GroundTruthManifest: { S3Object: { Bucket: source.bucket, Name: source.key, Version: source.version } } };
    case 'dataset':
      return { DatasetArn: source.datasetArn };
    default:
      return undefined;
  }
}

async function createDataset(context: KindContext, spec: RekognitionDatasetSpec): Promise<void> {
  const projectArn = await projectArnOf(context, spec);
  await call(context, 'CreateDataset', () => rekognition().send(new CreateDatasetCommand({
    ProjectArn: projectArn,
    DatasetType: spec.datasetType as 'TRAIN' | 'TEST',
    DatasetSource: apiSource(spec.source),
    Tags: { ...spec.tags, [OWNER_TAG_KEY]: context.owner, [SOURCE_TAG_KEY]: sourceDigest(spec.source) },
  })));
}

/** Creates the dataset unless another delivery of the same request just did. */
async function createIgnoringRace(context: KindContext, spec: RekognitionDatasetSpec): Promise<void> {
  try {
    await createDataset(context, spec);
  } catch (error) {
    if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
  }
}

/** The ARN of the dataset in a slot (or the dataset ARN itself), or undefined when the slot is empty. */
async function resolve(context: KindContext, slotOrArn: string): Promise<string | undefined> {
  const match = SLOT_OR_DATASET_ARN.exec(slotOrArn);
  if (!match) return undefined;
  if (match[3] !== undefined) return slotOrArn;
  const [, name, type] = match;
  const response = await call(context, 'DescribeProjects',
    () => rekognition().send(new DescribeProjectsCommand({ ProjectNames: [name] })));
  const project = (response.ProjectDescriptions ?? []).find((p) => p.ProjectArn !== undefined && projectNameOf(p.ProjectArn) === name);
  return project?.Datasets?.find((d) => d.DatasetType === type.toUpperCase())?.DatasetArn;
}

async function describeDataset(context: KindContext, arn: string): Promise<DatasetDescription | undefined> {
  const response = await describeOrUndefined(context, 'DescribeDataset',
    () => rekognition().send(new DescribeDatasetCommand({ DatasetArn: arn })));
  return response?.DatasetDescription;
}

function notFound(slot: string): Error {
  const error = new Error(`No dataset in ${slot}`);
  error.name = 'ResourceNotFoundException';
  return error;
}

/**
 * CreateDataset found the slot taken. Returns the original error when the dataset
 * there is this stack resource's own, from the same source (the engine then adopts
 * it), and an error that says what to do otherwise.
 */
async function explainTakenSlot(context: KindContext, spec: RekognitionDatasetSpec, original: unknown): Promise<unknown> {
  const arn = await resolve(context, slotOf(context, spec));
  if (!arn) return original;
  const tags = await currentTags(context, arn);
  const ours = tags[OWNER_TAG_KEY] === context.owner;
  if (ours && tags[SOURCE_TAG_KEY] === sourceDigest(spec.source)) return original;
  if (ours) {
    return new Error(`Project ${spec.projectName} still holds this stack resource's ${spec.datasetType} dataset ${arn}, made from `
      + 'another source, and a project holds one dataset of each type. Delete it, then deploy again.');
  }
  return new Error(`Project ${spec.projectName} already has a ${spec.datasetType} dataset, ${arn}, which this stack resource did `
    + 'not create, and a project holds one dataset of each type. Delete that dataset, or use another project.');
}
