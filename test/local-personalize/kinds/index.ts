/**
 * The kinds of the local Personalize service. Adding a kind: its module, and one entry here.
 * The order is the order in which a Delete refusal checks what blocks it (see ServiceCore.blockersOf).
 */
import { batchInferenceJobKind, batchSegmentJobKind } from './batch-jobs';
import { campaignKind } from './campaign';
import { datasetKind } from './dataset';
import { datasetGroupKind } from './dataset-group';
import { datasetImportJobKind } from './dataset-import-job';
import { eventTrackerKind } from './event-tracker';
import { filterKind } from './filter';
import { metricAttributionKind } from './metric-attribution';
import { recommenderKind } from './recommender';
import { schemaKind } from './schema';
import { solutionKind } from './solution';
import { solutionVersionKind } from './solution-version';

export const KINDS = {
  datasetGroup: datasetGroupKind,
  schema: schemaKind,
  dataset: datasetKind,
  solution: solutionKind,
  datasetImportJob: datasetImportJobKind,
  filter: filterKind,
  eventTracker: eventTrackerKind,
  metricAttribution: metricAttributionKind,
  recommender: recommenderKind,
  solutionVersion: solutionVersionKind,
  campaign: campaignKind,
  batchInferenceJob: batchInferenceJobKind,
  batchSegmentJob: batchSegmentJobKind,
};

export type ResourceKind = keyof typeof KINDS;
