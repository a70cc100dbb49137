/**
 * Dataset import jobs (ADR 0008). A job runs once: the API can neither update nor
 * delete it. The construct puts a hash of the source in the generated job name, so a
 * changed source is a replacement (a new job); tags change in place.
 *
 * Create: for a CDK asset, copy the object into the construct's own bucket first
 * (CopyObject of the same object is idempotent), then CreateDatasetImportJob with the
 * owner tag. Waiting: 'active' hands the job to the long wait (ADR 0014), which signals the
 * job's wait condition when it ends, and reports it ready; 'started' reports the job ready
 * while it is still pending or in progress. Properties of library versions before ADR 0014
 * ('active' without a state machine) wait here, up to the bound, from the job's creation time.
 *
 * Delete: the job stays, and so does its data in the dataset. A copied object is
 * removed once the job no longer reads it; then the job counts as gone.
 */
import {
  CreateDatasetImportJobCommand, CreateDatasetImportJobRequest, DescribeDatasetCommand, DescribeDatasetImportJobCommand,
} from '@aws-sdk/client-personalize';
import { apiTags, changedFields, conditionOf, describeOrUndefined, hasOwnerTag, personalize, syncTags } from './common';
import { JobView, JobWait, jobOutcome, leaveJob, named, observeJob, parseJobWait } from './job-runs';
import { DATASET_IMPORT_JOB } from '../../../src/personalize/private/declarations';
import { datasetImportJobRequest } from '../../../src/personalize/private/job-requests';
import { DatasetImportJobProperties, ResourceTypes } from '../../../src/private/contract';
import { optionalBoolean, optionalString, parseTags, requiredString } from '../../properties';
import { KindContext, ResourceKind } from '../../resource-kind';
import { isErrorNamed } from '../../retry';
import { arnByName, declaredFields } from '../declared';
import { copyObject, deleteObject } from '../s3-objects';

export interface DatasetImportJobSpec extends JobWait {
  readonly name: string;
  readonly datasetArn: string;
  readonly dataLocation: string;
  readonly roleArn: string;
  readonly importMode: string;
  readonly publishAttributionMetricsToS3: boolean;
  /** The asset object copied to dataLocation before the job starts. */
  readonly copySource?: { readonly bucket: string; readonly key: string };
  readonly tags: Record<string, string>;
}


export const datasetImportJobKind: ResourceKind<DatasetImportJobSpec, DatasetImportJobProperties> = {
  ...declaredFields(DATASET_IMPORT_JOB),

  parse: (properties) => {
    const importMode = requiredString(properties, 'ImportMode');
    if (importMode !== 'FULL' && importMode !== 'INCREMENTAL') throw new Error(`Property 'ImportMode' must be FULL or INCREMENTAL, got '${importMode}'`);
    const copyBucket = optionalString(properties, 'CopySourceBucket');
    const copyKey = optionalString(properties, 'CopySourceKey');
    if ((copyBucket === undefined) !== (copyKey === undefined)) throw new Error('Properties \'CopySourceBucket\' and \'CopySourceKey\' go together');
    const dataLocation = requiredString(properties, 'DataLocation');
    if (copyBucket !== undefined && !s3Object(dataLocation)) {
      throw new Error(`Property 'DataLocation' must name an object (s3://BUCKET/KEY) to copy to, got '${dataLocation}'`);
    }
    return {
      name: requiredString(properties, 'Name'),
      datasetArn: requiredString(properties, 'DatasetArn'),
      dataLocation,
      roleArn: requiredString(properties, 'RoleArn'),
      importMode,
      publishAttributionMetricsToS3: optionalBoolean(properties, 'PublishAttributionMetricsToS3', false),
      ...parseJobWait(properties),
      copySource: copyBucket !== undefined ? { bucket: copyBucket, key: copyKey! } : undefined,
      tags: parseTags(properties),
    };
  },

  nameOf: (spec) => spec.name,


  replacementCauses: (oldSpec, newSpec) => [
    ...changedFields(oldSpec, newSpec, [
      ['name', 'jobName'], ['datasetArn', 'dataset'], ['dataLocation', 'source'], ['roleArn', 'role'], ['importMode', 'importMode'],
      ['publishAttributionMetricsToS3', 'publishAttributionMetricsToS3'],
    ]),
    ...(JSON.stringify(oldSpec.copySource) !== JSON.stringify(newSpec.copySource) ? ['source'] : []),
  ],

  create: async (context, spec) => {
    const target = spec.copySource ? s3Object(spec.dataLocation)! : undefined;
    if (spec.copySource && target) {
      const { bucket, key } = spec.copySource;
      await context.call('CopyObject', () => copyObject(bucket, key, target.bucket, target.key));
    }
    try {
      const request = datasetImportJobRequest({
        Name: spec.name, DatasetArn: spec.datasetArn, DataLocation: spec.dataLocation, RoleArn: spec.roleArn, ImportMode: spec.importMode,
      }, spec.publishAttributionMetricsToS3);
      const response = await context.call('CreateDatasetImportJob', () => personalize().send(new CreateDatasetImportJobCommand({
        ...request as CreateDatasetImportJobRequest, tags: apiTags(spec.tags, context.owner),
      })));
      return response.datasetImportJobArn!;
    } catch (error) {
      // No job reads the copy then, and the rollback's Delete finds no job to remove it with: remove it now,
      // so that the construct's bucket can be deleted. A job of this name that exists already keeps it.
      if (target && !isErrorNamed(error, 'ResourceAlreadyExistsException')) {
        await context.call('DeleteObject', () => deleteObject(target.bucket, target.key)).catch(() => undefined);
      }
      throw error;
    }
  },

  arnOf: arnByName(DATASET_IMPORT_JOB),

  isOwned: async (context, arn, spec, question) => {
    if (!await hasOwnerTag(context, arn)) return false;
    if (question.purpose === 'delete' || spec === undefined) return true;
    const job = await describeJob(context, arn);
    if (job === undefined || job.datasetArn !== spec.datasetArn || job.dataSource?.dataLocation !== spec.dataLocation) return false;
    // A job older than its dataset imported into an earlier dataset of the same ARN (one removed and added
    // back): its data is not in this one.
    const dataset = await describeOrUndefined(context, 'DescribeDataset',
      () => personalize().send(new DescribeDatasetCommand({ datasetArn: spec.datasetArn })));
    const datasetCreated = dataset?.dataset?.creationDateTime?.getTime();
    const jobCreated = job.creationDateTime?.getTime();
    return datasetCreated === undefined || jobCreated === undefined || jobCreated >= datasetCreated;
  },

  update: (context, arn, oldSpec, newSpec) => syncTags(context, arn, newSpec.tags, oldSpec.tags),

  observe: async (context, arn, operation, spec) => observeJob(context, ResourceTypes.DATASET_IMPORT_JOB,
    await viewJob(context, arn), operation, spec, (seconds) => `the import is still running after ${seconds} s, the bound of `
      + 'ImportWait.untilActive. The job goes on and its data still lands in the dataset. Raise the bound, or deploy with '
      + 'ImportWait.startOnly() to let the deploy finish while the job runs.'),

  delete: async (context, arn, spec) => {
    if (spec?.copySource) {
      const job = await describeJob(context, arn);
      // The job reads its copy until it ends; the engine waits on ResourceInUse and asks again.
      if (job && conditionOf(job.status ?? '') === 'busy') {
        throw named('ResourceInUseException', `Dataset import job ${arn} is ${job.status}; its source copy is removed once it ends.`);
      }
      const target = s3Object(spec.dataLocation)!;
      await context.call('DeleteObject', () => deleteObject(target.bucket, target.key));
    }
    leaveJob(DATASET_IMPORT_JOB.noun, arn, 'it is left as it is, and its data stays in the dataset.');
  },

  longWorkAdvice: 'Raise the bound of ImportWait.untilActive (at most 12 hours), or deploy with ImportWait.startOnly() to let the '
    + 'deploy finish while the job runs.',

  outcome: async (context, arn) => jobOutcome(DATASET_IMPORT_JOB.noun, arn, await viewJob(context, arn),
    'its dataset was probably deleted', 'imported its data'),
};

async function describeJob(context: KindContext, arn: string) {
  const response = await describeOrUndefined(context, 'DescribeDatasetImportJob',
    () => personalize().send(new DescribeDatasetImportJobCommand({ datasetImportJobArn: arn })));
  return response?.datasetImportJob;
}

async function viewJob(context: KindContext, arn: string): Promise<JobView | undefined> {
  const job = await describeJob(context, arn);
  return job && {
    arn: job.datasetImportJobArn ?? arn,
    name: job.jobName ?? '',
    status: job.status ?? 'UNKNOWN',
    failureReason: job.failureReason,
    createdAt: job.creationDateTime?.getTime(),
  };
}

/** BUCKET and KEY of s3://BUCKET/KEY; undefined for a prefix (ending in '/') or anything else. */
function s3Object(location: string): { bucket: string; key: string } | undefined {
  const match = /^s3:\/\/([^/]+)\/(.*[^/])$/.exec(location);
  return match ? { bucket: match[1], key: match[2] } : undefined;
}

