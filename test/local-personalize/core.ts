/**
 * What every kind of the local Personalize service stands on: the resource store and
 * its lookups, the lifecycle of a resource with a status, the behaviours a test sets by
 * name, the delete rules and pagination. It names no kind: each kind module (kinds/)
 * brings its operations and hooks, and kinds/index.ts registers them.
 *
 * Lifecycles are computed on read from timestamps (see lifecycle.ts), so what
 * a request sees depends only on the clock and on holds, never on timers firing.
 */
import { inUse, InvalidNextToken, notFound, ServiceError } from './errors';
import type { ResourceKind } from './kinds';
import { CREATE_NAMES, deletion, Hold, HoldState, Holds, Outcome, Phase, progress, STATUS, StatusNames } from './lifecycle';
import type { OperationName } from './model';

export type Input = Record<string, any>;
export type Output = Record<string, unknown>;
export type Handler = (input: Input, now: number) => Output;
export type Operations = Partial<Record<OperationName, Handler>>;

export interface ServiceConfig {
  readonly activeAfterMs: number;
  readonly deleteAfterMs: number;
  readonly updateAfterMs: number;
  /** Time a solution version takes from CREATE PENDING to ACTIVE. */
  readonly trainAfterMs: number;
  /** Time a dataset import job takes from CREATE PENDING to ACTIVE. */
  readonly importAfterMs: number;
  /** Time a batch inference or batch segment job takes from PENDING to ACTIVE. */
  readonly batchAfterMs: number;
  readonly region: string;
  readonly accountId: string;
  readonly maxDatasetGroups: number;
  readonly maxSchemas: number;
  readonly strictSchemas: boolean;
  readonly now: () => number;
  /** Whether an import job's data location holds data (a local S3); without it, every location does. */
  readonly dataExists?: (location: string) => boolean;
  /** Why the role a job passes cannot read its data location (IAM, KMS), in AWS's words; undefined when it can. */
  readonly readDenied?: (roleArn: string | undefined, location: string) => string | undefined;
  /** Why the role a batch job passes cannot write to its output location, in AWS's words; undefined when it can. */
  readonly writeDenied?: (roleArn: string | undefined, location: string) => string | undefined;
  /** Receives the output object an ACTIVE batch job writes (`location` is its s3:// URL); without it, nothing is written. */
  readonly writeOutput?: (location: string, body: string) => void;
  /** Why a dataset group's key cannot be used by the role it passes or by Personalize for the group, in KMS's words. */
  readonly keyDenied?: (roleArn: string, kmsKeyArn: string, datasetGroupArn: string) => string | undefined;
  /** The random part of a solution version's or event tracker's ARN. */
  readonly randomArnId: () => string;
}

/** What currently exists, for assertions in tests. */
export interface ResourceSnapshot {
  readonly kind: ResourceKind;
  readonly arn: string;
  /** '' for a solution version created without a name. */
  readonly name: string;
  /** Absent for schemas, which have no status. */
  readonly status?: string;
  /** Also for datasets, whose Describe output has no failureReason member. */
  readonly failureReason?: string;
  readonly tags: Record<string, string>;
  readonly domain?: string;
  readonly datasetGroupArn?: string;
  readonly datasetType?: string;
  readonly schemaArn?: string;
  /** Status of the dataset's latest UpdateDataset, if any. */
  readonly updateStatus?: string;
  /** Solution versions, campaigns and batch jobs. */
  readonly solutionArn?: string;
  /** Campaigns and batch jobs. */
  readonly solutionVersionArn?: string;
}

export interface ResourceRecord {
  readonly kind: ResourceKind;
  readonly arn: string;
  readonly tags: Map<string, string>;
}

/** A resource with a status, which phase() computes from these. */
export interface LifecycleRecord extends ResourceRecord {
  readonly createdAt: number;
  readonly outcome: Outcome;
  /** Set when the resource was created under holdCreation(). */
  readonly hold?: HoldState;
  deleteRequestedAt?: number;
}

/** An update followed apart from the resource's own status (UpdateDataset, UpdateSolution, ...). */
export interface UpdateLifecycle {
  readonly startedAt: number;
  readonly outcome: Outcome;
  readonly hold?: HoldState;
}

/** Why a Delete is refused, and the resources that make it so (none: not refused). */
export type Blockers = Array<[reason: string, found: ResourceRecord[]]>;

/** A rule by which resources of one kind keep a resource of another from being deleted. */
export interface Blocker {
  /** Follows the label and ARN of the resource in the refusal: "is used by campaigns". */
  readonly reason: string;
  /** This fake's own rule, not AWS's: checked after the documented ones. */
  readonly undocumented?: boolean;
  blocking(target: ResourceRecord, now: number): ResourceRecord[];
}

/** A kind of resource: its operations, and what the core needs to run its lifecycle. */
export interface Kind<R extends ResourceRecord = ResourceRecord> {
  /** Its name in messages: 'Dataset group'. */
  readonly label: string;
  readonly operations: Operations;
  /** False for schemas: no status, so nothing to sweep. */
  readonly hasStatus?: boolean;
  /** Time from creation to ACTIVE or CREATE FAILED; activeAfterMs if absent. */
  readonly creationMs?: number;
  /** The statuses its creation goes through; CREATE PENDING, CREATE IN_PROGRESS, ACTIVE, CREATE FAILED if absent. */
  readonly createNames?: StatusNames;
  /** False for dataset groups, which stay DELETE PENDING until gone. */
  readonly deleteInProgress?: boolean;
  /** The deletes its resources refuse, by the kind deleted. */
  readonly blocks?: Partial<Record<ResourceKind, Blocker>>;
  /** The status when something besides the creation decides it (a stop, an update); undefined otherwise. */
  phase?(record: R, now: number): Phase | undefined;
  /** Makes what has finished by now take effect (an update's result). */
  settle?(record: R, phase: Phase, now: number): void;
  /** The resource this one goes with, for a kind with no Delete of its own. */
  parentArn?(record: R): string;
  snapshot(record: R, now: number): ResourceSnapshot;
}

export type KindFactory = (core: ServiceCore) => Kind<any>;

export class ServiceCore {
  public readonly kinds: Readonly<Record<ResourceKind, Kind>>;
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly creationOutcomes = new Map<string, { outcome: Outcome; kind?: ResourceKind }>();
  private readonly updateOutcomes = new Map<string, Outcome>();
  private readonly creationHolds: Holds;
  private readonly updateHolds: Holds;

  constructor(public readonly config: ServiceConfig, factories: Readonly<Record<ResourceKind, KindFactory>>) {
    this.creationHolds = new Holds(config.now);
    this.updateHolds = new Holds(config.now);
    this.kinds = Object.fromEntries(Object.entries(factories).map(([kind, make]) => [kind, make(this)])) as Record<ResourceKind, Kind>;
  }

  // ---- behaviour injection ------------------------------------------------

  public failCreation(name: string, reason: string, kind?: ResourceKind): void {
    this.creationOutcomes.set(name, { outcome: { kind: 'fail', reason }, kind });
  }

  public neverActivate(name: string, kind?: ResourceKind): void {
    this.creationOutcomes.set(name, { outcome: { kind: 'hang' }, kind });
  }

  public failUpdate(name: string, reason: string): void {
    this.updateOutcomes.set(name, { kind: 'fail', reason });
  }

  public holdCreation(name: string, kind?: ResourceKind): Hold {
    return this.creationHolds.arm(name, kind);
  }

  public holdUpdate(name: string): Hold {
    return this.updateHolds.arm(name);
  }

  public clearBehaviours(): void {
    this.creationOutcomes.clear();
    this.updateOutcomes.clear();
    this.creationHolds.clear();
    this.updateHolds.clear();
  }

  /** How a resource created now with this name ends, and the hold it starts under. */
  public startCreation(name: string, kind: ResourceKind): { outcome: Outcome; hold?: HoldState } {
    const configured = this.creationOutcomes.get(name);
    const outcome: Outcome = configured && (configured.kind === undefined || configured.kind === kind) ? configured.outcome : { kind: 'succeed' };
    return { outcome, hold: this.creationHolds.take(name, kind) };
  }

  /** How an update of the resource with this name started now ends, and the hold it starts under. */
  public startUpdate(name: string): { outcome: Outcome; hold?: HoldState } {
    const hold = this.updateHolds.take(name, 'update');
    return { outcome: this.updateOutcomes.get(name) ?? { kind: 'succeed' }, hold };
  }

  // ---- lifecycles -------------------------------------------------------------

  /**
   * CREATE PENDING for the first third of activeAfterMs, then CREATE IN_PROGRESS,
   * then ACTIVE or CREATE FAILED at the kind's creationMs (a full duration after
   * the release for held resources), or the same steps by the kind's createNames,
   * unless the kind's phase() says otherwise. A
   * delete shows DELETE PENDING, then DELETE IN_PROGRESS from a third of
   * deleteAfterMs (not for groups), until it is gone.
   */
  /** What the tests see of a resource with a status: its identity, tags and phase, and what its kind adds. */
  public snapshotOf(r: LifecycleRecord & { readonly name?: string }, now: number, added: Partial<ResourceSnapshot> = {}): ResourceSnapshot {
    const phase = this.phase(r, now);
    return {
      kind: r.kind,
      arn: r.arn,
      name: r.name ?? '',
      tags: Object.fromEntries(r.tags),
      status: phase.status,
      failureReason: phase.failureReason,
      ...added,
    };
  }

  public phase(r: LifecycleRecord, now: number): Phase {
    const kind = this.kinds[r.kind];
    const { activeAfterMs, deleteAfterMs } = this.config;
    if (r.deleteRequestedAt !== undefined) return deletion(r.deleteRequestedAt, deleteAfterMs, kind.deleteInProgress !== false, now);
    const current = kind.phase?.(r, now);
    if (current) return current;
    const timing = { pendingMs: activeAfterMs / 3, doneMs: kind.creationMs ?? activeAfterMs };
    return progress(r.createdAt, timing, r.hold, r.outcome, now, kind.createNames ?? CREATE_NAMES);
  }

  /** Pending for a third of updateAfterMs, in progress, then done or failed at updateAfterMs. */
  public updatePhase(u: UpdateLifecycle, now: number, names: StatusNames): Phase {
    const { updateAfterMs } = this.config;
    return progress(u.startedAt, { pendingMs: updateAfterMs / 3, doneMs: updateAfterMs }, u.hold, u.outcome, now, names);
  }

  /** Removes what has finished deleting, and what goes with it; applies what has finished updating. */
  public sweep(now: number): void {
    for (const r of [...this.resources.values()]) {
      const kind = this.kinds[r.kind];
      if (kind.hasStatus === false) continue;
      const phase = this.phase(r as LifecycleRecord, now);
      if (phase.gone) {
        this.resources.delete(r.arn);
        continue;
      }
      kind.settle?.(r, phase, now);
    }
    for (const r of [...this.resources.values()]) {
      const parentArn = this.kinds[r.kind].parentArn?.(r);
      if (parentArn !== undefined && !this.resources.has(parentArn)) this.resources.delete(r.arn);
    }
  }

  /** ResourceInUseException unless the resource is ACTIVE. */
  public requireActive(r: LifecycleRecord, now: number, purpose: string): void {
    const { status } = this.phase(r, now);
    if (status !== STATUS.active) throw inUse(`${this.kinds[r.kind].label} ${r.arn} is in ${status} state. It must be ACTIVE ${purpose}.`);
  }

  // ---- deletes ------------------------------------------------------------------

  /** What the other kinds' rules say keeps `target` from being deleted: AWS's documented rules first, in the order of kinds/index.ts. */
  public blockersOf(target: ResourceRecord, now: number): Blockers {
    const rules = Object.values(this.kinds).flatMap((kind) => kind.blocks?.[target.kind] ?? []);
    return [...rules.filter((b) => !b.undocumented), ...rules.filter((b) => b.undocumented)].map((b) => [b.reason, b.blocking(target, now)]);
  }

  /**
   * ResourceInUseException naming the first rule with something behind it. AWS documents the
   * error type (ResourceInUseException, HTTP 400) but not its wording; this one names the
   * resource, the rule and the ARNs that block it.
   */
  public refuseIfBlocked(r: ResourceRecord, blockers: Blockers): void {
    for (const [reason, found] of blockers) {
      if (found.length > 0) throw inUse(`${this.kinds[r.kind].label} ${r.arn} ${reason}: ${found.map((f) => f.arn).join(', ')}.`);
    }
  }

  /**
   * Starts the delete of a resource, as every Delete operation does: the resource must be
   * settled, and nothing may still depend on it.
   * Source: https://docs.aws.amazon.com/personalize/latest/dg/deleting-resources.html ("You can't delete
   * a resource whose status is changing from one state to another ... The resource status must be ACTIVE
   * or CREATE FAILED"); INACTIVE recommenders and metric attributions after a failed update are settled too.
   */
  public beginDelete(r: LifecycleRecord, now: number, blockers: Blockers): Output {
    const { status } = this.phase(r, now);
    if (status !== STATUS.active && status !== STATUS.createFailed && status !== STATUS.updateFailed && status !== STATUS.inactive) {
      throw inUse(`${this.kinds[r.kind].label} ${r.arn} is in ${status} state and cannot be deleted.`);
    }
    this.refuseIfBlocked(r, blockers);
    r.deleteRequestedAt = now;
    return {};
  }

  // ---- the store -------------------------------------------------------------------

  public arn(resource: string): string {
    return `arn:aws:personalize:${this.config.region}:${this.config.accountId}:${resource}`;
  }

  public get(arn: string): ResourceRecord | undefined {
    return this.resources.get(arn);
  }

  public has(arn: string): boolean {
    return this.resources.has(arn);
  }

  /** Adds the resource, or replaces the one with its ARN. */
  public put<R extends ResourceRecord>(r: R): void {
    this.resources.set(r.arn, r);
  }

  public remove(arn: string): void {
    this.resources.delete(arn);
  }

  /** Every resource, in creation order. */
  public all(): ResourceRecord[] {
    return [...this.resources.values()];
  }

  /** The resource of this kind with this ARN, or ResourceNotFoundException. */
  public find<R extends ResourceRecord>(arn: string, kind: ResourceKind): R {
    const r = this.resources.get(arn);
    if (!r || r.kind !== kind) throw notFound(`Resource Arn ${arn} does not exist.`);
    return r as R;
  }

  /** The resource of any kind with this ARN, or ResourceNotFoundException. */
  public findAny(arn: string): ResourceRecord {
    const r = this.resources.get(arn);
    if (!r) throw notFound(`Resource Arn ${arn} does not exist.`);
    return r;
  }

  public ofKind<R extends ResourceRecord>(kind: ResourceKind): R[] {
    return this.all().filter((r): r is R => r.kind === kind);
  }

  /** Resources of a kind that belong to a dataset group. */
  public inGroup<R extends ResourceRecord>(groupArn: string, kind: ResourceKind): R[] {
    return this.all().filter((r): r is R => r.kind === kind && 'datasetGroupArn' in r && r.datasetGroupArn === groupArn);
  }

  public withStatus<R extends LifecycleRecord>(records: R[], statuses: readonly string[], now: number): R[] {
    return records.filter((r) => statuses.includes(this.phase(r, now).status));
  }
}

/** A page of `items` by the request's maxResults (default 100) and nextToken. */
export function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
  let offset = 0;
  if (input.nextToken !== undefined) {
    const decoded = Number(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new ServiceError(InvalidNextToken, 'The nextToken is not valid.');
    offset = decoded;
  }
  const size = input.maxResults ?? 100;
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(String(offset + size), 'utf8').toString('base64url') : undefined;
  return { page, nextToken: next };
}
