/** Batch inference jobs: recommendations for many users or items at once, written to S3 (see batch-job.ts). */
import { CreateBatchInferenceJobCommand, CreateBatchInferenceJobRequest, DescribeBatchInferenceJobCommand } from '@aws-sdk/client-personalize';
import { batchJobKind, viewBatchJob } from './batch-job';
import { personalize } from './common';
import { BATCH_INFERENCE_JOB } from '../../../src/personalize/private/declarations';

export const batchInferenceJobKind = batchJobKind(BATCH_INFERENCE_JOB, {
  variant: 'inference',
  create: async (request, tags) => (await personalize().send(new CreateBatchInferenceJobCommand({
    ...request as CreateBatchInferenceJobRequest, tags,
  }))).batchInferenceJobArn,
  describe: async (arn) => {
    const job = (await personalize().send(new DescribeBatchInferenceJobCommand({ batchInferenceJobArn: arn }))).batchInferenceJob;
    return job && viewBatchJob(arn, job.batchInferenceJobArn, job);
  },
});
