/** Batch segment jobs: the users most likely to interact with items or item attributes, written to S3 (see batch-job.ts). */
import { CreateBatchSegmentJobCommand, CreateBatchSegmentJobRequest, DescribeBatchSegmentJobCommand } from '@aws-sdk/client-personalize';
import { batchJobKind, viewBatchJob } from './batch-job';
import { personalize } from './common';
import { BATCH_SEGMENT_JOB } from '../../../src/personalize/private/declarations';

export const batchSegmentJobKind = batchJobKind(BATCH_SEGMENT_JOB, {
  variant: 'segment',
  create: async (request, tags) => (await personalize().send(new CreateBatchSegmentJobCommand({
    ...request as CreateBatchSegmentJobRequest, tags,
  }))).batchSegmentJobArn,
  describe: async (arn) => {
    const job = (await personalize().send(new DescribeBatchSegmentJobCommand({ batchSegmentJobArn: arn }))).batchSegmentJob;
    return job && viewBatchJob(arn, job.batchSegmentJobArn, job);
  },
});
