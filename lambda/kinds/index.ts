import { ResourceKind } from '../resource-kind';
import { datasetKind } from './dataset';
import { datasetGroupKind } from './dataset-group';
import { schemaKind } from './schema';

/** Every resource kind the handler manages; the engine dispatches on their resource types. */
export const ALL_KINDS: ReadonlyArray<ResourceKind<any>> = [datasetGroupKind, schemaKind, datasetKind];
