import { ResourceKind } from '../resource-kind';
import { datasetGroupKind } from './dataset-group';

/** Every resource kind the handler manages; the engine dispatches on their resource types. */
export const ALL_KINDS: ReadonlyArray<ResourceKind<any>> = [datasetGroupKind];
