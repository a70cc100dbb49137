/**
 * The state and the rules of the local Amazon Rekognition Custom Labels service:
 * projects, their datasets (one TRAIN and one TEST each) and tags. It knows nothing
 * about HTTP; server.ts puts it on the wire.
 *
 * A dataset is CREATE_IN_PROGRESS for `activeAfterMs`, then CREATE_COMPLETE (or
 * CREATE_FAILED with a StatusMessage and StatusMessageCode); a deleted dataset is
 * DELETE_IN_PROGRESS for `deleteAfterMs`, then gone. DeleteDataset is refused while the
 * dataset is CREATE_IN_PROGRESS or UPDATE_IN_PROGRESS, as the API reference says.
 * Statuses are computed on read from timestamps (local-service/lifecycle.ts).
 */
import { INPUT_SHAPES, OperationName, VALIDATION_ERROR } from './model';
import { ServiceError } from '../local-service/errors';
import { epoch, Hold, HoldState, Holds, Outcome, progress, StatusNames } from '../local-service/lifecycle';
import { validateInput } from '../local-service/shapes';

export const STATUS = {
  createInProgress: 'CREATE_IN_PROGRESS',
  createComplete: 'CREATE_COMPLETE',
  createFailed: 'CREATE_FAILED',
  deleteInProgress: 'DELETE_IN_PROGRESS',
} as const;

const CREATE_NAMES: StatusNames = {
  pending: STATUS.createInProgress, inProgress: STATUS.createInProgress, failed: STATUS.createFailed, done: STATUS.createComplete,
};

export interface ServiceConfig {
  readonly activeAfterMs: number;
  readonly deleteAfterMs: number;
  readonly region: string;
  readonly accountId: string;
  readonly now: () => number;
}

/** A failure as Rekognition reports it. */
export interface DatasetFailure {
  readonly message: string;
  /** @default 'CLIENT_ERROR' */
  readonly code?: 'SERVICE_ERROR' | 'CLIENT_ERROR';
}

export interface ResourceSnapshot {
  readonly kind: 'project' | 'dataset';
  readonly arn: string;
  readonly status: string;
  readonly tags: Record<string, string>;
  readonly projectArn?: string;
  readonly datasetType?: string;
  /** What CreateDataset was given as DatasetSource. */
  readonly source?: unknown;
  readonly statusMessage?: string;
}

interface ProjectRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly tags: Map<string, string>;
}

interface DatasetRecord {
  readonly arn: string;
  readonly projectArn: string;
  readonly type: string;
  readonly source?: unknown;
  readonly createdAt: number;
  readonly outcome: Outcome;
  readonly failureCode?: string;
  readonly hold?: HoldState;
  readonly tags: Map<string, string>;
  deleteRequestedAt?: number;
}

type Input = Record<string, any>;

export class RekognitionService {
  private readonly projects = new Map<string, ProjectRecord>();
  private readonly datasets = new Map<string, DatasetRecord>();
  private readonly failures = new Map<string, DatasetFailure>();
  private readonly hangs = new Set<string>();
  private readonly holds: Holds;
  private lastTimestamp = 0;

  constructor(private readonly config: ServiceConfig) {
    this.holds = new Holds(config.now);
  }

  public handle(operation: OperationName, input: unknown): unknown {
    validateInput(INPUT_SHAPES[operation], input, VALIDATION_ERROR);
    const now = this.config.now();
    this.sweep(now);
    const request = input as Input;
    switch (operation) {
      case 'CreateProject': return this.createProject(request, now);
      case 'DescribeProjects': return this.describeProjects(request, now);
      case 'DeleteProject': return this.deleteProject(request);
      case 'CreateDataset': return this.createDataset(request, now);
      case 'DescribeDataset': return this.describeDataset(request, now);
      case 'DeleteDataset': return this.deleteDataset(request, now);
      case 'TagResource': return this.tagResource(request);
      case 'UntagResource': return this.untagResource(request);
      case 'ListTagsForResource': return { Tags: Object.fromEntries(this.taggable(request.ResourceArn).tags) };
    }
  }

  // ---- behaviours, keyed by `PROJECT_NAME/TYPE` (e.g. 'shoes/TRAIN') ---------------

  public failCreation(slot: string, failure: DatasetFailure): void {
    this.failures.set(slot, failure);
  }

  public neverComplete(slot: string): void {
    this.hangs.add(slot);
  }

  public holdCreation(slot: string): Hold {
    return this.holds.arm(slot);
  }

  public clearBehaviours(): void {
    this.failures.clear();
    this.hangs.clear();
    this.holds.clear();
  }

  public snapshot(): ResourceSnapshot[] {
    const now = this.config.now();
    this.sweep(now);
    return [
      ...[...this.projects.values()].map((p): ResourceSnapshot => ({ kind: 'project', arn: p.arn, status: 'CREATED', tags: Object.fromEntries(p.tags) })),
      ...[...this.datasets.values()].map((d): ResourceSnapshot => {
        const phase = this.phase(d, now);
        return {
          kind: 'dataset',
          arn: d.arn,
          status: phase.status,
          tags: Object.fromEntries(d.tags),
          projectArn: d.projectArn,
          datasetType: d.type,
          source: d.source,
          statusMessage: phase.failureReason,
        };
      }),
    ];
  }

  // ---- operations ------------------------------------------------------------------

  private createProject(input: Input, now: number) {
    const name: string = input.ProjectName;
    if ([...this.projects.values()].some((p) => p.name === name)) throw new ServiceError('ResourceInUseException', `Project ${name} already exists`);
    const arn = `arn:aws:rekognition:${this.config.region}:${this.config.accountId}:project/${name}/${this.timestamp(now)}`;
    this.projects.set(arn, { name, arn, createdAt: now, tags: new Map(Object.entries(input.Tags ?? {})) });
    return { ProjectArn: arn };
  }

  private describeProjects(input: Input, now: number) {
    const names: string[] | undefined = input.ProjectNames;
    if (input.NextToken !== undefined) throw new ServiceError('InvalidPaginationTokenException', 'The local service answers in one page');
    const projects = [...this.projects.values()].filter((p) => !names || names.includes(p.name));
    return {
      ProjectDescriptions: projects.map((p) => ({
        ProjectArn: p.arn,
        CreationTimestamp: epoch(p.createdAt),
        Status: 'CREATED',
        Feature: 'CUSTOM_LABELS',
        Datasets: [...this.datasets.values()].filter((d) => d.projectArn === p.arn).map((d) => {
          const phase = this.phase(d, now);
          return {
            CreationTimestamp: epoch(d.createdAt),
            DatasetType: d.type,
            DatasetArn: d.arn,
            Status: phase.status,
            StatusMessage: phase.failureReason ?? 'ok',
            StatusMessageCode: phase.failureReason ? d.failureCode : 'SUCCESS',
          };
        }),
      })),
    };
  }

  private deleteProject(input: Input) {
    const project = this.project(input.ProjectArn);
    if ([...this.datasets.values()].some((d) => d.projectArn === project.arn)) {
      throw new ServiceError('ResourceInUseException', `Project ${project.arn} still has datasets`);
    }
    this.projects.delete(project.arn);
    return { Status: 'DELETING' };
  }

  private createDataset(input: Input, now: number) {
    const project = this.project(input.ProjectArn);
    const type: string = input.DatasetType;
    const source = input.DatasetSource as Input | undefined;
    if (source && source.GroundTruthManifest !== undefined && source.DatasetArn !== undefined) {
      throw new ServiceError('InvalidParameterException', 'DatasetSource takes a GroundTruthManifest or a DatasetArn, not both');
    }
    if (source?.GroundTruthManifest && (!source.GroundTruthManifest.S3Object?.Bucket || !source.GroundTruthManifest.S3Object?.Name)) {
      throw new ServiceError('InvalidParameterException', 'GroundTruthManifest needs an S3Object with a Bucket and a Name');
    }
    if (source?.DatasetArn !== undefined) {
      const copied = this.datasets.get(source.DatasetArn);
      if (!copied || copied.deleteRequestedAt !== undefined) throw new ServiceError('ResourceNotFoundException', `Dataset ${source.DatasetArn} not found`);
      if (this.phase(copied, now).status !== STATUS.createComplete) {
        throw new ServiceError('InvalidParameterException', `Dataset ${source.DatasetArn} is not ready to be copied`);
      }
    }
    if ([...this.datasets.values()].some((d) => d.projectArn === project.arn && d.type === type)) {
      throw new ServiceError('ResourceAlreadyExistsException', `Project ${project.arn} already has a ${type} dataset`);
    }
    const slot = `${project.name}/${type}`;
    const failure = this.failures.get(slot);
    const outcome: Outcome = this.hangs.has(slot) ? { kind: 'hang' } : failure ? { kind: 'fail', reason: failure.message } : { kind: 'succeed' };
    const hold = this.holds.take(slot, 'dataset');
    const arn = `${project.arn.replace(/\/[0-9]+$/, '')}/dataset/${type.toLowerCase()}/${this.timestamp(now)}`;
    this.datasets.set(arn, {
      arn,
      projectArn: project.arn,
      type,
      source,
      createdAt: now,
      outcome,
      failureCode: failure?.code ?? 'CLIENT_ERROR',
      hold,
      tags: new Map(Object.entries(input.Tags ?? {})),
    });
    return { DatasetArn: arn };
  }

  private describeDataset(input: Input, now: number) {
    const dataset = this.dataset(input.DatasetArn);
    const phase = this.phase(dataset, now);
    const complete = phase.status === STATUS.createComplete;
    return {
      DatasetDescription: {
        CreationTimestamp: epoch(dataset.createdAt),
        LastUpdatedTimestamp: epoch(phase.since),
        Status: phase.status,
        StatusMessage: phase.failureReason ?? (complete ? 'The dataset was successfully created.' : 'The dataset is being created.'),
        StatusMessageCode: phase.failureReason ? dataset.failureCode : 'SUCCESS',
        DatasetStats: { LabeledEntries: 0, TotalEntries: 0, TotalLabels: 0, ErrorEntries: 0 },
      },
    };
  }

  private deleteDataset(input: Input, now: number) {
    const dataset = this.dataset(input.DatasetArn);
    const status = this.phase(dataset, now).status;
    if (status === STATUS.createInProgress) {
      throw new ServiceError('ResourceInUseException', `Dataset ${dataset.arn} is ${status} and cannot be deleted yet`);
    }
    dataset.deleteRequestedAt ??= now;
    return {};
  }

  private tagResource(input: Input) {
    const resource = this.taggable(input.ResourceArn);
    for (const [key, value] of Object.entries(input.Tags as Record<string, string>)) resource.tags.set(key, value);
    if (resource.tags.size > 200) throw new ServiceError('ServiceQuotaExceededException', 'A resource has at most 200 tags');
    return {};
  }

  private untagResource(input: Input) {
    const resource = this.taggable(input.ResourceArn);
    for (const key of input.TagKeys as string[]) resource.tags.delete(key);
    return {};
  }

  // ---- helpers -------------------------------------------------------------------------

  private phase(dataset: DatasetRecord, now: number): { status: string; since: number; failureReason?: string } {
    if (dataset.deleteRequestedAt !== undefined) return { status: STATUS.deleteInProgress, since: dataset.deleteRequestedAt };
    return progress(dataset.createdAt, { pendingMs: 0, doneMs: this.config.activeAfterMs }, dataset.hold, dataset.outcome, now, CREATE_NAMES);
  }

  /** Datasets whose delete has finished are gone. */
  private sweep(now: number): void {
    for (const [arn, dataset] of this.datasets) {
      if (dataset.deleteRequestedAt !== undefined && now - dataset.deleteRequestedAt >= this.config.deleteAfterMs) this.datasets.delete(arn);
    }
  }

  private project(arn: string): ProjectRecord {
    const project = this.projects.get(arn);
    if (!project) throw new ServiceError('ResourceNotFoundException', `Project ${arn} not found`);
    return project;
  }

  private dataset(arn: string): DatasetRecord {
    const dataset = this.datasets.get(arn);
    if (!dataset) throw new ServiceError('ResourceNotFoundException', `Dataset ${arn} not found`);
    return dataset;
  }

  /** The tags a project or dataset holds, for IAM's aws:ResourceTag keys; undefined when there is no such resource. */
  public tagsOf(arn: string): Record<string, string> | undefined {
    const found = this.projects.get(arn) ?? this.datasets.get(arn);
    return found ? Object.fromEntries(found.tags) : undefined;
  }

  private taggable(arn: string): { tags: Map<string, string> } {
    const found = this.projects.get(arn) ?? this.datasets.get(arn);
    if (!found) throw new ServiceError('ResourceNotFoundException', `Resource ${arn} not found`);
    return found;
  }

  /** Creation times in ARNs, unique even for two creates in the same millisecond. */
  private timestamp(now: number): number {
    this.lastTimestamp = Math.max(now, this.lastTimestamp + 1);
    return this.lastTimestamp;
  }
}
