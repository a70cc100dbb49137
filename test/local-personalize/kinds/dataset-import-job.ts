/**
 * Dataset import jobs: an import into an ACTIVE dataset, CREATE PENDING, CREATE IN_PROGRESS, then
 * ACTIVE or CREATE FAILED importAfterMs later. The data is not read; the config says whether it is there.
 * The API has no delete: a job goes with its dataset.
 */
import { findDataset } from './dataset';
import { Family, FamilyApi, FamilyRecord, TIMES } from './family';
import { Input, KindFactory, Output } from '../core';
import { invalidInput } from '../errors';
import { IN_FLIGHT } from '../lifecycle';
import { requestTags } from '../tags';

const API: FamilyApi = {
  arnMember: 'datasetImportJobArn',
  listMember: 'datasetImportJobs',
  listedBy: 'datasetArn',
  describe: [
    'jobName', 'datasetImportJobArn', 'datasetArn', 'dataSource', 'roleArn', 'status', ...TIMES, 'failureReason', 'importMode',
    'publishAttributionMetricsToS3',
  ],
  summary: ['datasetImportJobArn', 'jobName', 'status', ...TIMES, 'failureReason', 'importMode'],
};

export const datasetImportJobKind: KindFactory = (core) => {
  const jobs = new Family(core, 'datasetImportJob', API);
  const { config } = core;

  function create(input: Input, now: number): Output {
    const tags = requestTags(input);
    const dataset = findDataset(core, input.datasetArn);
    core.requireActive(dataset, now, 'before data can be imported into it');
    const group = core.find(dataset.datasetGroupArn, 'datasetGroup');
    if (input.dataSource?.dataLocation === undefined) throw invalidInput('The dataSource needs a dataLocation.');
    const details: Output = {
      jobName: input.jobName,
      dataSource: input.dataSource,
      roleArn: input.roleArn,
      importMode: input.importMode ?? 'FULL',
      publishAttributionMetricsToS3: input.publishAttributionMetricsToS3 ?? false,
    };
    const arn = core.arn(`dataset-import-job/${input.jobName}`);
    const output = jobs.create(now, { name: input.jobName, arn, datasetGroupArn: group.arn, datasetArn: dataset.arn, details }, tags);
    // The service accepts the job and fails it once it finds no data to read.
    const location = input.dataSource.dataLocation as string;
    const record = jobs.find(arn);
    if (config.dataExists && !config.dataExists(location)) {
      core.put({ ...record, outcome: { kind: 'fail', reason: `Input data not found at ${location}. Check the S3 path and the role's access to it.` } });
    } else {
      // Personalize reads the data as the role the job passes, so the role's S3 and key permissions decide.
      const denied = config.readDenied?.(input.roleArn as string | undefined, location);
      if (denied) core.put({ ...record, outcome: { kind: 'fail', reason: `Insufficient privileges for accessing data in S3: ${denied}` } });
    }
    return output;
  }

  return {
    label: 'Dataset import job',
    creationMs: config.importAfterMs,
    operations: { CreateDatasetImportJob: create, DescribeDatasetImportJob: jobs.describe, ListDatasetImportJobs: jobs.list },
    parentArn: (job: FamilyRecord) => job.datasetArn!,
    snapshot: jobs.snapshot,
    blocks: {
      // https://docs.aws.amazon.com/personalize/latest/dg/API_DeleteDataset.html: no associated DatasetImportJob
      // may be CREATE PENDING or IN PROGRESS.
      dataset: {
        reason: 'has import jobs in progress',
        blocking: (dataset, now) => core.withStatus(jobs.all().filter((j) => j.datasetArn === dataset.arn), IN_FLIGHT, now),
      },
    },
  };
};
