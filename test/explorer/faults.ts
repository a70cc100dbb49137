/**
 * The faults the explorer draws for a step, from the local service's catalogue and
 * CloudFormation's delivery plan. Two families:
 *
 * - transient: throttles, HTTP 5xx, connection resets, lost responses (reset after
 *   processing), slow answers, ResourceInUse refusals of a delete, duplicate
 *   deliveries. A correct handler absorbs every one: the step ends as if they never
 *   happened. Each is bounded (one per operation and step, at most 3 failures in a
 *   row) far inside the retry policy (15 attempts; their backoff, at most 35 ms
 *   with the explorer's timings, is a twentieth of the retry budget), so the outcome
 *   does not depend on timing.
 * - failing: CREATE FAILED or UPDATE FAILED of a resource the step creates or
 *   updates, a Create refused with InvalidInputException, a resource that never
 *   settles (held CREATE / UPDATE IN_PROGRESS past the engine's total timeout, or for
 *   what the long wait follows, a training or a job, past its bound), and a new batch
 *   job whose input the explorer does not stage (the service fails it for its data).
 *   The step must fail and roll back. A hold is released once CloudFormation cancels
 *   what is in flight, so the rollback meets a resource that does settle. A batch job
 *   the deploy only starts (BatchJobWait.startOnly) fails no step by its own end: only
 *   the refusal of its Create is drawn for it.
 */
import { Random } from './random';
import { ResourceTypes } from '../../src/private/contract';
import type { LifecycleEnvironment } from '../harness/environment';
import type { CfnRequest } from '../harness/provider-framework';
import { SynthesizedStack } from '../harness/stacks';
import type { Hold, OperationName, ResourceKind } from '../local-personalize/server';

/** A resource of the step's template, by what the service knows it as. */
export interface Target {
  readonly logicalId: string;
  readonly kind: Extract<ResourceKind, 'datasetGroup' | 'schema' | 'dataset' | 'eventTracker' | 'filter' | 'metricAttribution' | 'datasetImportJob'
  | 'recommender' | 'solution' | 'solutionVersion' | 'batchInferenceJob' | 'batchSegmentJob'>;
  readonly name: string;
  /** A batch job the deploy only starts (BatchJobWait.startOnly): how it ends does not decide the step. */
  readonly startOnly?: boolean;
}

/** What a step changes in the service, read from the templates before and after it. */
export interface StepTargets {
  /** Resources the step creates: new logical IDs and replacements (a new Name). */
  readonly created: Target[];
  /** Items and Users datasets whose schema the step changes in place: an update that cannot be undone. */
  readonly updatedInPlace: Target[];
  /**
   * Recommenders whose config, and metric attributions whose metrics, the step changes in
   * place: updates the rollback undoes with another update.
   */
  readonly reversiblyUpdated: Target[];
  /**
   * Batch jobs the step creates under a new logical ID (a new member, with a bucket of its own) and waits for: no step
   * before staged their input, so leaving it out of this one fails them.
   */
  readonly freshInputs: Target[];
  /** Changes refused by design (a replacement keeping its name; a new dataset in a taken slot, ADR 0003): the step must roll back. */
  readonly refused: string[];
  /** Resources of the template before the step that the step keeps (and may update) and that it removes. */
  readonly kept: string[];
  readonly removed: string[];
  /** Every resource kind the step touches, for choosing operations to fault. */
  readonly kinds: ReadonlySet<Target['kind']>;
}

/** The faults armed for one step. */
export interface ArmedFaults {
  readonly descriptions: string[];
  /** A failing fault was armed: the step must roll back. */
  readonly failing: boolean;
  /** Releases every hold (also done when CloudFormation cancels what is in flight). */
  release(): void;
}

/** What a failing fault chooses before the environment exists, so the plan is fixed by the seed alone. */
export type FaultSpec =
  | { readonly type: 'service'; readonly operation: OperationName; readonly fault: ServiceFault; readonly label: string }
  | { readonly type: 'duplicate'; readonly logicalId: string; readonly requestType: CfnRequest['RequestType']; readonly concurrent: boolean }
  | { readonly type: 'failCreation'; readonly target: Target }
  | { readonly type: 'missingInput'; readonly target: Target }
  | { readonly type: 'refuseCreate'; readonly target: Target }
  | { readonly type: 'neverSettles'; readonly target: Target }
  | { readonly type: 'failUpdate'; readonly target: Target }
  | { readonly type: 'failReversibleUpdate'; readonly target: Target }
  | { readonly type: 'reversibleUpdateNeverSettles'; readonly target: Target }
  | { readonly type: 'updateNeverSettles'; readonly target: Target };

type ServiceFault =
  | { readonly kind: 'throttle'; readonly times: number }
  | { readonly kind: 'http'; readonly status: 500 | 502 | 503 | 504; readonly times: number }
  | { readonly kind: 'reset'; readonly afterProcessing: boolean; readonly times: number }
  | { readonly kind: 'delay'; readonly ms: number; readonly times: number }
  | { readonly kind: 'error'; readonly name: 'ResourceInUseException'; readonly message: string; readonly times: number };

const KIND_OF_TYPE: Record<string, Target['kind']> = {
  [ResourceTypes.DATASET_GROUP]: 'datasetGroup',
  [ResourceTypes.SCHEMA]: 'schema',
  [ResourceTypes.DATASET]: 'dataset',
  [ResourceTypes.EVENT_TRACKER]: 'eventTracker',
  [ResourceTypes.FILTER]: 'filter',
  [ResourceTypes.METRIC_ATTRIBUTION]: 'metricAttribution',
  [ResourceTypes.DATASET_IMPORT_JOB]: 'datasetImportJob',
  [ResourceTypes.RECOMMENDER]: 'recommender',
  [ResourceTypes.SOLUTION]: 'solution',
  [ResourceTypes.SOLUTION_VERSION]: 'solutionVersion',
  [ResourceTypes.BATCH_INFERENCE_JOB]: 'batchInferenceJob',
  [ResourceTypes.BATCH_SEGMENT_JOB]: 'batchSegmentJob',
};

/** The kinds that are neither groups, schemas nor datasets: their names are generated, and a new name is a replacement. */
const MEMBER_KINDS: ReadonlySet<Target['kind']> = new Set([
  'eventTracker', 'filter', 'metricAttribution', 'datasetImportJob', 'recommender', 'solution', 'solutionVersion', 'batchInferenceJob', 'batchSegmentJob',
]);
/** The kinds whose input the explorer stages before a deploy, and may leave out. */
const BATCH_KINDS: ReadonlySet<Target['kind']> = new Set(['batchInferenceJob', 'batchSegmentJob']);
/** A recommender's properties that UpdateRecommender changes. */
const RECOMMENDER_CONFIG = ['MinRecommendationRequestsPerSecond', 'EnableMetadataWithRecommendations', 'ExcludedColumns', 'ExplorationWeight',
  'ExplorationItemAgeCutOff'];

const OPERATIONS: Record<Target['kind'], { mutating: OperationName[]; reading: OperationName[]; deleting?: OperationName }> = {
  datasetGroup: { mutating: ['CreateDatasetGroup', 'DeleteDatasetGroup', 'TagResource', 'UntagResource'], reading: ['DescribeDatasetGroup', 'ListTagsForResource'], deleting: 'DeleteDatasetGroup' },
  schema: { mutating: ['CreateSchema', 'DeleteSchema'], reading: ['DescribeSchema'], deleting: 'DeleteSchema' },
  dataset: { mutating: ['CreateDataset', 'DeleteDataset', 'UpdateDataset', 'TagResource', 'UntagResource'], reading: ['DescribeDataset', 'ListTagsForResource'], deleting: 'DeleteDataset' },
  eventTracker: {
    mutating: ['CreateEventTracker', 'DeleteEventTracker', 'TagResource', 'UntagResource'],
    reading: ['DescribeEventTracker', 'ListEventTrackers', 'ListTagsForResource'],
    deleting: 'DeleteEventTracker',
  },
  filter: { mutating: ['CreateFilter', 'DeleteFilter', 'TagResource', 'UntagResource'], reading: ['DescribeFilter', 'ListTagsForResource'], deleting: 'DeleteFilter' },
  metricAttribution: {
    mutating: ['CreateMetricAttribution', 'DeleteMetricAttribution', 'UpdateMetricAttribution'],
    reading: ['DescribeMetricAttribution', 'ListMetricAttributionMetrics', 'ListMetricAttributions'],
    deleting: 'DeleteMetricAttribution',
  },
  // The API cannot delete an import job: no Delete to refuse.
  datasetImportJob: { mutating: ['CreateDatasetImportJob', 'TagResource', 'UntagResource'], reading: ['DescribeDatasetImportJob', 'ListTagsForResource'] },
  recommender: {
    mutating: ['CreateRecommender', 'DeleteRecommender', 'UpdateRecommender', 'StartRecommender', 'StopRecommender', 'TagResource', 'UntagResource'],
    reading: ['DescribeRecommender', 'ListTagsForResource'],
    deleting: 'DeleteRecommender',
  },
  // Its delete stops the trainings under way first (ListSolutionVersions, StopSolutionVersionCreation).
  solution: {
    mutating: ['CreateSolution', 'DeleteSolution', 'UpdateSolution', 'StopSolutionVersionCreation', 'TagResource', 'UntagResource'],
    reading: ['DescribeSolution', 'ListSolutionVersions', 'ListTagsForResource'],
    deleting: 'DeleteSolution',
  },
  // The API cannot delete a version (it goes with its solution): a Delete stops its training, if it still trains.
  solutionVersion: {
    mutating: ['CreateSolutionVersion', 'StopSolutionVersionCreation', 'TagResource', 'UntagResource'],
    reading: ['DescribeSolutionVersion', 'ListSolutionVersions', 'ListTagsForResource'],
  },
  // The API can neither stop nor delete a batch job: no Delete to refuse. A DeleteDataset lists the jobs that block it; a job
  // given a solution lists its versions for the latest ACTIVE one.
  batchInferenceJob: {
    mutating: ['CreateBatchInferenceJob', 'TagResource', 'UntagResource'],
    reading: ['DescribeBatchInferenceJob', 'ListBatchInferenceJobs', 'ListSolutionVersions', 'ListTagsForResource'],
  },
  batchSegmentJob: {
    mutating: ['CreateBatchSegmentJob', 'TagResource', 'UntagResource'],
    reading: ['DescribeBatchSegmentJob', 'ListBatchSegmentJobs', 'ListSolutionVersions', 'ListTagsForResource'],
  },
};

/** The reason text every injected failure carries, so a failure reason can be traced to its cause. */
export const INJECTED = 'explorer-injected';

/** Reads what a step creates, updates in place and is refused, from the templates before (if any) and after it. */
export function stepTargets(before: SynthesizedStack | undefined, after: SynthesizedStack | undefined): StepTargets {
  const resourcesOf = (stack: SynthesizedStack | undefined) => Object.entries(stack?.template.Resources ?? {})
    .filter(([, resource]) => KIND_OF_TYPE[resource.Type] !== undefined);
  const propertiesOf = (stack: SynthesizedStack | undefined, logicalId: string) => stack?.template.Resources[logicalId]?.Properties;
  const reference = (value: unknown) => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
  const kinds = new Set<Target['kind']>([...resourcesOf(before), ...resourcesOf(after)].map(([, resource]) => KIND_OF_TYPE[resource.Type]));
  const created: Target[] = [];
  const freshInputs: Target[] = [];
  const updatedInPlace: Target[] = [];
  const reversiblyUpdated: Target[] = [];
  const refused: string[] = [];
  /** Logical IDs whose resource this step replaces (or creates). */
  const replaced = new Set<string>();
  // Groups and schemas first: whether a dataset is replaced depends on them.
  const ordered = resourcesOf(after).sort(([, a], [, b]) => Number(KIND_OF_TYPE[a.Type] === 'dataset') - Number(KIND_OF_TYPE[b.Type] === 'dataset'));
  for (const [logicalId, resource] of ordered) {
    const kind = KIND_OF_TYPE[resource.Type];
    const now = resource.Properties ?? {};
    const old = propertiesOf(before, logicalId);
    const name = String(now.Name);
    const target: Target = now.Wait === 'started' ? { logicalId, kind, name, startOnly: true } : { logicalId, kind, name };
    if (!old) {
      replaced.add(logicalId);
      created.push(target);
      if (BATCH_KINDS.has(kind) && !target.startOnly) freshInputs.push(target);
      continue;
    }
    if (MEMBER_KINDS.has(kind)) {
      // A generated name hashes whatever forces a replacement (the group's or dataset's name among them): a new name is a
      // new resource, and the same name never needs one. Should a replacement keep its name, the run shows it as a violation.
      if (old.Name !== now.Name) {
        replaced.add(logicalId);
        created.push(target);
      } else if (kind === 'recommender') {
        const configChanged = RECOMMENDER_CONFIG.some((key) => JSON.stringify(old[key]) !== JSON.stringify(now[key]));
        // Personalize changes a config only while the recommender runs, and stops it only once its update is done.
        if (configChanged && (old.Running === 'false' || now.Running === 'false')) {
          refused.push(`${logicalId} would need a new config and a ${now.Running === 'false' ? 'stop' : 'start'} (or a stopped recommender's update)`);
        } else if (configChanged) {
          reversiblyUpdated.push({ logicalId, kind, name });
        }
      } else if (kind === 'metricAttribution' && JSON.stringify(old.Metrics) !== JSON.stringify(now.Metrics)) {
        reversiblyUpdated.push({ logicalId, kind, name });
      }
      continue;
    }
    const schemaChanged = kind === 'dataset'
      && (reference(old.SchemaArn) !== reference(now.SchemaArn) || replaced.has(reference(now.SchemaArn) ?? ''));
    const groupReplaced = kind === 'dataset' && replaced.has(reference(now.DatasetGroupArn) ?? '');
    const inPlaceSchema = now.DatasetType === 'Items' || now.DatasetType === 'Users';
    const needsReplacement = old.Name !== now.Name || old.Domain !== now.Domain || old.Definition !== now.Definition
      || groupReplaced || (schemaChanged && !inPlaceSchema);
    if (!needsReplacement) {
      if (schemaChanged) updatedInPlace.push({ logicalId, kind, name });
      continue;
    }
    replaced.add(logicalId);
    if (old.Name === now.Name) refused.push(`${logicalId} would be replaced under the same name '${name}'`);
    else if (kind === 'dataset' && !groupReplaced) refused.push(`${logicalId} would need a new dataset in the slot its old one holds`);
    else created.push({ logicalId, kind, name });
  }
  const afterIds = new Set(resourcesOf(after).map(([logicalId]) => logicalId));
  const beforeIds = resourcesOf(before).map(([logicalId]) => logicalId);
  return {
    created,
    freshInputs,
    updatedInPlace,
    reversiblyUpdated,
    refused,
    kinds,
    kept: beforeIds.filter((id) => afterIds.has(id)),
    removed: beforeIds.filter((id) => !afterIds.has(id)),
  };
}

/**
 * Draws the faults of one step. `mayFail` is false for a destroy and for a step
 * whose failure would be irreversible by design (see the explorer's header).
 */
export function drawFaults(random: Random, targets: StepTargets, mayFail: boolean): FaultSpec[] {
  const faults: FaultSpec[] = [];
  const kinds = [...targets.kinds];
  const transient = kinds.length === 0 ? 0 : random.weighted([[3, 0], [4, 1], [3, 2], [2, 3]] as const);
  const faulted = new Set<string>();
  for (let i = 0; i < transient; i++) {
    const fault = drawTransient(random, kinds, targets);
    // One transient fault per operation: at most 3 failures in a row, so retries need a fraction of their budget.
    if (fault.type === 'service' && faulted.has(fault.operation)) continue;
    if (fault.type === 'service') faulted.add(fault.operation);
    faults.push(fault);
  }
  const failures: Array<[number, () => FaultSpec]> = [];
  // Schemas have no status: they cannot fail or linger after CreateSchema answered. A job the deploy only starts may do
  // either without failing the step.
  const settling = targets.created.filter((target) => target.kind !== 'schema' && !target.startOnly);
  if (targets.updatedInPlace.length === 1) {
    // Its own failure leaves nothing to undo; a held update lands after the cancellation and cannot be undone
    // (the step ends UPDATE_ROLLBACK_FAILED, by design). Any other failure would race the update: none.
    failures.push(
      [2, () => ({ type: 'failUpdate', target: targets.updatedInPlace[0] })],
      [1, () => ({ type: 'updateNeverSettles', target: targets.updatedInPlace[0] })],
    );
  } else if (targets.updatedInPlace.length === 0) {
    // A recommender's config or an attribution's metrics: the rollback's own update undoes whatever landed.
    if (targets.reversiblyUpdated.length > 0) {
      failures.push(
        [2, () => ({ type: 'failReversibleUpdate', target: random.pick(targets.reversiblyUpdated) })],
        [1, () => ({ type: 'reversibleUpdateNeverSettles', target: random.pick(targets.reversiblyUpdated) })],
      );
    }
    if (targets.created.length > 0) failures.push([2, () => ({ type: 'refuseCreate', target: random.pick(targets.created) })]);
    if (settling.length > 0) {
      failures.push(
        [3, () => ({ type: 'failCreation', target: random.pick(settling) })],
        [2, () => ({ type: 'neverSettles', target: random.pick(settling) })],
      );
    }
    if (targets.freshInputs.length > 0) failures.push([2, () => ({ type: 'missingInput', target: random.pick(targets.freshInputs) })]);
  }
  if (mayFail && failures.length > 0 && random.chance(0.3)) faults.push(random.weighted(failures)());
  return faults;
}

function drawTransient(random: Random, kinds: Array<Target['kind']>, targets: StepTargets): FaultSpec {
  const kind = random.pick(kinds);
  const operations = OPERATIONS[kind];
  const any = () => random.pick([...operations.mutating, ...operations.reading]);
  const choices: Array<[number, () => FaultSpec]> = [
    [3, () => service(any(), { kind: 'throttle', times: random.int(1, 3) })],
    [2, () => service(any(), { kind: 'http', status: random.pick([500, 502, 503, 504] as const), times: random.int(1, 2) })],
    [2, () => service(any(), { kind: 'reset', afterProcessing: false, times: random.int(1, 2) })],
    [3, () => service(random.pick(operations.mutating), { kind: 'reset', afterProcessing: true, times: 1 })],
    [2, () => service(any(), { kind: 'delay', ms: random.int(5, 40), times: random.int(1, 3) })],
  ];
  const deleting = operations.deleting;
  if (deleting) choices.push([2, () => service(deleting, { kind: 'error', name: 'ResourceInUseException', message: `${INJECTED}: busy`, times: random.int(1, 2) })]);
  // A request the step sends (or its rollback or cleanup does): a Create of what it creates, an Update of what it keeps,
  // a Delete of what it removes or creates.
  const requests: Array<[CfnRequest['RequestType'], string]> = [
    ...targets.created.map((t) => ['Create', t.logicalId] as [CfnRequest['RequestType'], string]),
    ...targets.kept.map((id) => ['Update', id] as [CfnRequest['RequestType'], string]),
    ...[...targets.removed, ...targets.created.map((t) => t.logicalId)].map((id) => ['Delete', id] as [CfnRequest['RequestType'], string]),
  ];
  if (requests.length > 0) {
    choices.push([3, () => {
      const [requestType, logicalId] = random.pick(requests);
      return { type: 'duplicate', logicalId, requestType, concurrent: random.chance(0.5) };
    }]);
  }
  return random.weighted(choices)();
}

function service(operation: OperationName, fault: ServiceFault): FaultSpec {
  const label = fault.kind === 'http' ? `HTTP ${fault.status}` : fault.kind === 'reset' && fault.afterProcessing ? 'lost response'
    : fault.kind === 'error' ? fault.name : fault.kind;
  return { type: 'service', operation, fault, label: `${label} ×${fault.times} on ${operation}` };
}

/** Whether a fault makes its step fail. */
export function isFailing(fault: FaultSpec): boolean {
  return fault.type !== 'service' && fault.type !== 'duplicate';
}

export function describeFault(fault: FaultSpec): string {
  switch (fault.type) {
    case 'service': return fault.label;
    case 'duplicate': return `${fault.requestType} of ${fault.logicalId} delivered twice${fault.concurrent ? ' at once' : ''}`;
    case 'failCreation': return `CREATE FAILED for ${fault.target.kind} ${fault.target.name}`;
    case 'missingInput': return `no input staged for ${fault.target.kind} ${fault.target.name}`;
    case 'refuseCreate': return `InvalidInputException for the Create of ${fault.target.kind} ${fault.target.name}`;
    case 'neverSettles': return `${fault.target.kind} ${fault.target.name} stays CREATE IN_PROGRESS until CloudFormation cancels`;
    case 'failUpdate': return `UPDATE FAILED for dataset ${fault.target.name}`;
    case 'failReversibleUpdate': return `the update of ${fault.target.kind} ${fault.target.name} fails`;
    case 'reversibleUpdateNeverSettles': return `the update of ${fault.target.kind} ${fault.target.name} stays IN_PROGRESS until CloudFormation cancels`;
    case 'updateNeverSettles': return `UpdateDataset of ${fault.target.name} stays IN_PROGRESS until CloudFormation cancels`;
  }
}

/** Arms the step's faults in the environment. */
export function armFaults(env: LifecycleEnvironment, faults: FaultSpec[]): ArmedFaults {
  const holds: Hold[] = [];
  const duplicates: Array<Extract<FaultSpec, { type: 'duplicate' }>> = [];
  // The service applies the first armed fault that matches a request: a refusal goes first, or a transient fault could take its place.
  const ordered = [...faults].sort((a, b) => Number(b.type === 'refuseCreate') - Number(a.type === 'refuseCreate'));
  for (const fault of ordered) {
    switch (fault.type) {
      case 'service':
        env.service.inject(fault.operation, { ...fault.fault });
        break;
      case 'duplicate':
        duplicates.push(fault);
        break;
      case 'failCreation':
        env.service.failCreation(fault.target.name, `${INJECTED}: the ${fault.target.kind} could not be created`, fault.target.kind);
        break;
      case 'missingInput':
        // Nothing to arm: the explorer stages no input for the target (missingInputs).
        break;
      case 'refuseCreate':
        env.service.inject(createOperation(fault.target.kind), {
          kind: 'error',
          name: 'InvalidInputException',
          message: `${INJECTED}: the request is invalid`,
          always: true,
          when: (input) => (input?.name ?? input?.jobName) === fault.target.name,
        });
        break;
      case 'neverSettles':
        holds.push(env.service.holdCreation(fault.target.name, fault.target.kind));
        break;
      case 'failUpdate':
        env.service.failUpdate(fault.target.name, `${INJECTED}: the schema could not be applied`);
        break;
      case 'updateNeverSettles':
        holds.push(env.service.holdUpdate(fault.target.name));
        break;
      case 'failReversibleUpdate':
        env.service.failUpdate(fault.target.name, `${INJECTED}: the ${fault.target.kind} could not be updated`);
        break;
      case 'reversibleUpdateNeverSettles':
        holds.push(env.service.holdUpdate(fault.target.name));
        break;
    }
  }
  env.cloudformation.deliveryPlan = (request) => {
    const duplicate = duplicates.find((d) => d.logicalId === request.LogicalResourceId && d.requestType === request.RequestType);
    return duplicate ? { times: 2, concurrent: duplicate.concurrent } : { times: 1 };
  };
  const release = () => holds.forEach((hold) => hold.release());
  env.cloudformation.onCancel = release;
  return { descriptions: faults.map(describeFault), failing: faults.some(isFailing), release };
}

/** Disarms whatever a step armed, so the next step starts clean. */
export function disarm(env: LifecycleEnvironment, armed: ArmedFaults): void {
  armed.release();
  env.service.clearFaults();
  env.service.clearBehaviours();
  env.cloudformation.deliveryPlan = () => ({ times: 1 });
  env.cloudformation.onCancel = undefined;
}

/** The kind of a resource type of the stack, if the service keeps it. */
export function targetKindOf(type: string): Target['kind'] | undefined {
  return KIND_OF_TYPE[type];
}

/** The logical IDs of the batch jobs whose input a step's faults leave out. */
export function missingInputs(faults: readonly FaultSpec[]): Set<string> {
  return new Set(faults.flatMap((fault) => (fault.type === 'missingInput' ? [fault.target.logicalId] : [])));
}

function createOperation(kind: Target['kind']): OperationName {
  return `Create${kind[0].toUpperCase()}${kind.slice(1)}` as OperationName;
}
