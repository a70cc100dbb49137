import { longWorkResultKind } from './long-work-result';
import { ResourceKind } from '../resource-kind';
import { batchInferenceJobKind } from './personalize/batch-inference-job';
import { batchSegmentJobKind } from './personalize/batch-segment-job';
import { campaignKind } from './personalize/campaign';
import { datasetKind } from './personalize/dataset';
import { datasetGroupKind } from './personalize/dataset-group';
import { datasetImportJobKind } from './personalize/dataset-import-job';
import { eventTrackerKind } from './personalize/event-tracker';
import { filterKind } from './personalize/filter';
import { metricAttributionKind } from './personalize/metric-attribution';
import { recommenderKind } from './personalize/recommender';
import { schemaKind } from './personalize/schema';
import { solutionKind } from './personalize/solution';
import { solutionVersionKind } from './personalize/solution-version';
import { rekognitionDatasetKind } from './rekognition/dataset';

/** Every resource kind the handler manages; the engine dispatches on their resource types. */
export const ALL_KINDS: ReadonlyArray<ResourceKind<any>> = [
  datasetGroupKind, schemaKind, datasetKind, eventTrackerKind, filterKind, metricAttributionKind, datasetImportJobKind,
  solutionKind, solutionVersionKind, campaignKind, recommenderKind, batchInferenceJobKind, batchSegmentJobKind, rekognitionDatasetKind,
  longWorkResultKind(() => ALL_KINDS),
];
