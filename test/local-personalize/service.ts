/**
 * The state and the rules of the local Amazon Personalize service: dataset
 * groups, schemas and datasets, their lifecycles and the errors the real
 * service raises. It knows nothing about HTTP; `server.ts` puts it on the wire.
 *
 * Lifecycles are computed on read from timestamps, so what a request sees
 * depends only on the clock, never on timers firing.
 */
import { randomUUID } from 'crypto';
import {
  alreadyExists, inUse, InvalidNextToken, invalidInput, LimitExceeded, notFound,
  ServiceError, TooManyTagKeys, TooManyTags,
} from './errors';
import { INPUT_SHAPES, OperationName, validateInput } from './model';

export type ResourceKind = 'datasetGroup' | 'schema' | 'dataset';

export interface ServiceConfig {
  readonly activeAfterMs: number;
  readonly deleteAfterMs: number;
  readonly updateAfterMs: number;
  readonly region: string;
  readonly accountId: string;
  readonly maxDatasetGroups: number;
  readonly maxSchemas: number;
  readonly strictSchemas: boolean;
  readonly now: () => number;
}

/** What currently exists, for assertions in tests. */
export interface ResourceSnapshot {
  readonly kind: ResourceKind;
  readonly arn: string;
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
}

/** How a create (or an update) ends. */
type Outcome =
  | { readonly kind: 'succeed' }
  | { readonly kind: 'fail'; readonly reason: string }
  | { readonly kind: 'hang' };

interface Lifecycle {
  readonly createdAt: number;
  readonly outcome: Outcome;
  deleteRequestedAt?: number;
}

interface DatasetGroupRecord extends Lifecycle {
  readonly kind: 'datasetGroup';
  readonly name: string;
  readonly arn: string;
  readonly domain?: string;
  readonly roleArn?: string;
  readonly kmsKeyArn?: string;
  readonly tags: Map<string, string>;
}

interface SchemaRecord {
  readonly kind: 'schema';
  readonly name: string;
  readonly arn: string;
  readonly schema: string;
  readonly domain?: string;
  readonly createdAt: number;
  readonly tags: Map<string, string>;
}

interface DatasetUpdate {
  readonly schemaArn: string;
  readonly startedAt: number;
  readonly outcome: Outcome;
  applied: boolean;
}

interface DatasetRecord extends Lifecycle {
  readonly kind: 'dataset';
  readonly name: string;
  readonly arn: string;
  readonly datasetGroupArn: string;
  readonly datasetType: string;
  schemaArn: string;
  schemaChangedAt?: number;
  readonly trackingId?: string;
  update?: DatasetUpdate;
  readonly tags: Map<string, string>;
}

type ResourceRecord = DatasetGroupRecord | SchemaRecord | DatasetRecord;

interface Phase {
  readonly status: string;
  /** When the resource entered this status (ms). */
  readonly since: number;
  readonly failureReason?: string;
  /** A finished delete: the resource no longer exists. */
  readonly gone: boolean;
}

export const STATUS = {
  createPending: 'CREATE PENDING',
  createInProgress: 'CREATE IN_PROGRESS',
  active: 'ACTIVE',
  createFailed: 'CREATE FAILED',
  deletePending: 'DELETE PENDING',
  deleteInProgress: 'DELETE IN_PROGRESS',
  updatePending: 'UPDATE PENDING',
  updateInProgress: 'UPDATE IN_PROGRESS',
  updateFailed: 'UPDATE FAILED',
} as const;

/** Canonical dataset types; the API accepts them in any case. */
const DATASET_TYPES = ['Interactions', 'Items', 'Users', 'Actions', 'Action_Interactions'];
const DOMAIN_FORBIDDEN_TYPES = ['Actions', 'Action_Interactions'];
const UPDATABLE_TYPES = ['Items', 'Users'];
/** Fields a schema must have to be used for a dataset of each type. */
const REQUIRED_FIELDS: Record<string, string[]> = {
  Interactions: ['USER_ID', 'ITEM_ID', 'TIMESTAMP'],
  Items: ['ITEM_ID'],
  Users: ['USER_ID'],
  Actions: ['ACTION_ID'],
  Action_Interactions: ['USER_ID', 'ACTION_ID', 'TIMESTAMP', 'EVENT_TYPE'],
};
const MAX_TAGS = 50;

type Input = Record<string, any>;
type Output = Record<string, unknown>;

export class PersonalizeService {
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly creationOutcomes = new Map<string, { outcome: Outcome; kind?: ResourceKind }>();
  private readonly updateOutcomes = new Map<string, Outcome>();
  private readonly handlers: Record<OperationName, (input: Input, now: number) => Output>;

  constructor(private readonly config: ServiceConfig) {
    this.handlers = {
      CreateDatasetGroup: (i, n) => this.createDatasetGroup(i, n),
      DescribeDatasetGroup: (i, n) => ({ datasetGroup: this.datasetGroupOutput(this.find(i.datasetGroupArn, 'datasetGroup'), n) }),
      DeleteDatasetGroup: (i, n) => this.deleteDatasetGroup(i, n),
      ListDatasetGroups: (i, n) => this.listDatasetGroups(i, n),
      CreateSchema: (i, n) => this.createSchema(i, n),
      DescribeSchema: (i) => ({ schema: this.schemaOutput(this.find(i.schemaArn, 'schema')) }),
      DeleteSchema: (i) => this.deleteSchema(i),
      ListSchemas: (i) => this.listSchemas(i),
      CreateDataset: (i, n) => this.createDataset(i, n),
      DescribeDataset: (i, n) => ({ dataset: this.datasetOutput(this.find(i.datasetArn, 'dataset'), n) }),
      DeleteDataset: (i, n) => this.deleteDataset(i, n),
      UpdateDataset: (i, n) => this.updateDataset(i, n),
      ListDatasets: (i, n) => this.listDatasets(i, n),
      TagResource: (i) => this.tagResource(i),
      UntagResource: (i) => this.untagResource(i),
      ListTagsForResource: (i) => ({ tags: tagList(this.findAny(i.resourceArn).tags) }),
    };
  }

  /** Validates the input against the model, then runs the operation. Throws ServiceError. */
  public handle(operation: OperationName, input: unknown): Output {
    validateInput(INPUT_SHAPES[operation], input);
    const now = this.config.now();
    this.sweep(now);
    return this.handlers[operation](input as Input, now);
  }

  // ---- behaviour injection ------------------------------------------------

  public failCreation(name: string, reason: string, kind?: ResourceKind): void {
    this.creationOutcomes.set(name, { outcome: { kind: 'fail', reason }, kind });
  }

  public neverActivate(name: string, kind?: ResourceKind): void {
    this.creationOutcomes.set(name, { outcome: { kind: 'hang' }, kind });
  }

  public failUpdate(datasetName: string, reason: string): void {
    this.updateOutcomes.set(datasetName, { kind: 'fail', reason });
  }

  public clearBehaviours(): void {
    this.creationOutcomes.clear();
    this.updateOutcomes.clear();
  }

  // ---- introspection ---------------------------------------------------------

  public snapshot(): ResourceSnapshot[] {
    const now = this.config.now();
    this.sweep(now);
    return [...this.resources.values()].map((r) => {
      const tags = Object.fromEntries(r.tags);
      switch (r.kind) {
        case 'schema':
          return { kind: r.kind, arn: r.arn, name: r.name, tags, domain: r.domain };
        case 'datasetGroup': {
          const phase = this.phase(r, now);
          return { kind: r.kind, arn: r.arn, name: r.name, tags, status: phase.status, failureReason: phase.failureReason, domain: r.domain };
        }
        case 'dataset': {
          const phase = this.phase(r, now);
          return {
            kind: r.kind,
            arn: r.arn,
            name: r.name,
            tags,
            status: phase.status,
            failureReason: phase.failureReason,
            datasetGroupArn: r.datasetGroupArn,
            datasetType: r.datasetType,
            schemaArn: r.schemaArn,
            updateStatus: r.update ? this.updatePhase(r.update, now).status : undefined,
          };
        }
      }
    });
  }

  // ---- lifecycles -------------------------------------------------------------

  /**
   * CREATE PENDING for the first third of activeAfterMs, then CREATE IN_PROGRESS,
   * then ACTIVE or CREATE FAILED. A delete shows DELETE PENDING (groups) or
   * DELETE PENDING then DELETE IN_PROGRESS (datasets) for deleteAfterMs.
   */
  private phase(r: DatasetGroupRecord | DatasetRecord, now: number): Phase {
    if (r.deleteRequestedAt !== undefined) {
      const { deleteAfterMs } = this.config;
      const elapsed = now - r.deleteRequestedAt;
      if (elapsed >= deleteAfterMs) return { status: 'DELETED', since: r.deleteRequestedAt + deleteAfterMs, gone: true };
      if (r.kind === 'dataset' && elapsed >= deleteAfterMs / 3) {
        return { status: STATUS.deleteInProgress, since: r.deleteRequestedAt + deleteAfterMs / 3, gone: false };
      }
      return { status: STATUS.deletePending, since: r.deleteRequestedAt, gone: false };
    }
    return progress(r.createdAt, this.config.activeAfterMs, r.outcome, now, {
      pending: STATUS.createPending, inProgress: STATUS.createInProgress, failed: STATUS.createFailed,
    });
  }

  private updatePhase(u: DatasetUpdate, now: number): Phase {
    return progress(u.startedAt, this.config.updateAfterMs, u.outcome, now, {
      pending: STATUS.updatePending, inProgress: STATUS.updateInProgress, failed: STATUS.updateFailed,
    });
  }

  /** Removes resources whose delete has finished and applies finished dataset updates. */
  private sweep(now: number): void {
    for (const r of [...this.resources.values()]) {
      if (r.kind === 'schema') continue;
      const phase = this.phase(r, now);
      if (phase.gone) {
        this.resources.delete(r.arn);
        continue;
      }
      if (r.kind === 'dataset' && r.update && !r.update.applied) {
        const up = this.updatePhase(r.update, now);
        if (up.status === STATUS.active) {
          r.schemaArn = r.update.schemaArn;
          r.schemaChangedAt = up.since;
          r.update.applied = true;
        } else if (up.status === STATUS.updateFailed) {
          r.update.applied = true;
        }
      }
    }
  }

  private outcomeFor(name: string, kind: ResourceKind): Outcome {
    const configured = this.creationOutcomes.get(name);
    if (configured && (configured.kind === undefined || configured.kind === kind)) return configured.outcome;
    return { kind: 'succeed' };
  }

  // ---- lookups ------------------------------------------------------------------

  private arn(resource: string): string {
    return `arn:aws:personalize:${this.config.region}:${this.config.accountId}:${resource}`;
  }

  private find(arn: string, kind: 'datasetGroup'): DatasetGroupRecord;
  private find(arn: string, kind: 'schema'): SchemaRecord;
  private find(arn: string, kind: 'dataset'): DatasetRecord;
  private find(arn: string, kind: ResourceKind): ResourceRecord {
    const r = this.resources.get(arn);
    if (!r || r.kind !== kind) throw notFound(`Resource Arn ${arn} does not exist.`);
    return r;
  }

  private findAny(arn: string): ResourceRecord {
    const r = this.resources.get(arn);
    if (!r) throw notFound(`Resource Arn ${arn} does not exist.`);
    return r;
  }

  private ofKind<K extends ResourceKind>(kind: K): Array<Extract<ResourceRecord, { kind: K }>> {
    return [...this.resources.values()].filter((r): r is Extract<ResourceRecord, { kind: K }> => r.kind === kind);
  }

  private datasetsOf(groupArn: string): DatasetRecord[] {
    return this.ofKind('dataset').filter((d) => d.datasetGroupArn === groupArn);
  }

  // ---- dataset groups -------------------------------------------------------------

  private createDatasetGroup(input: Input, now: number): Output {
    const name: string = input.name;
    if (input.roleArn !== undefined && input.kmsKeyArn === undefined) {
      throw invalidInput('roleArn is only valid when a kmsKeyArn is also provided.');
    }
    if (input.kmsKeyArn !== undefined && input.roleArn === undefined) {
      throw invalidInput('A roleArn that can access the KMS key is required when kmsKeyArn is provided.');
    }
    const tags = mergeTags(new Map(), input.tags ?? []);
    const arn = this.arn(`dataset-group/${name}`);
    if (this.resources.has(arn)) throw alreadyExists(`Dataset group with name ${name} already exists.`);
    if (this.ofKind('datasetGroup').length >= this.config.maxDatasetGroups) {
      throw new ServiceError(LimitExceeded, `The limit of ${this.config.maxDatasetGroups} dataset groups has been reached.`);
    }
    const record: DatasetGroupRecord = {
      kind: 'datasetGroup',
      name,
      arn,
      domain: input.domain,
      roleArn: input.roleArn,
      kmsKeyArn: input.kmsKeyArn,
      tags,
      createdAt: now,
      outcome: this.outcomeFor(name, 'datasetGroup'),
    };
    this.resources.set(arn, record);
    return { datasetGroupArn: arn, domain: input.domain };
  }

  private datasetGroupOutput(g: DatasetGroupRecord, now: number): Output {
    const phase = this.phase(g, now);
    return {
      name: g.name,
      datasetGroupArn: g.arn,
      status: phase.status,
      roleArn: g.roleArn,
      kmsKeyArn: g.kmsKeyArn,
      creationDateTime: epoch(g.createdAt),
      lastUpdatedDateTime: epoch(phase.since),
      failureReason: phase.failureReason,
      domain: g.domain,
    };
  }

  private deleteDatasetGroup(input: Input, now: number): Output {
    const group = this.find(input.datasetGroupArn, 'datasetGroup');
    const { status } = this.phase(group, now);
    if (status !== STATUS.active && status !== STATUS.createFailed) {
      throw inUse(`Dataset group ${group.arn} is in ${status} state and cannot be deleted.`);
    }
    const datasets = this.datasetsOf(group.arn);
    if (datasets.length > 0) {
      throw inUse(`Dataset group ${group.arn} still contains datasets: ${datasets.map((d) => d.arn).join(', ')}.`);
    }
    group.deleteRequestedAt = now;
    return {};
  }

  private listDatasetGroups(input: Input, now: number): Output {
    const { page, nextToken } = paginate(this.ofKind('datasetGroup'), input);
    return {
      datasetGroups: page.map((g) => {
        const { name, datasetGroupArn, status, creationDateTime, lastUpdatedDateTime, failureReason, domain } = this.datasetGroupOutput(g, now);
        return { name, datasetGroupArn, status, creationDateTime, lastUpdatedDateTime, failureReason, domain };
      }),
      nextToken,
    };
  }

  // ---- schemas -----------------------------------------------------------------

  private createSchema(input: Input, now: number): Output {
    const name: string = input.name;
    try {
      JSON.parse(input.schema);
    } catch {
      throw invalidInput('The schema is not valid JSON.');
    }
    if (this.config.strictSchemas && parseAvroRecord(input.schema) === undefined) {
      throw invalidInput('The schema is not a valid Avro record schema: it must be a JSON object with "type": "record" and a "fields" array of named fields.');
    }
    const arn = this.arn(`schema/${name}`);
    if (this.resources.has(arn)) throw alreadyExists(`Schema with name ${name} already exists.`);
    if (this.ofKind('schema').length >= this.config.maxSchemas) {
      throw new ServiceError(LimitExceeded, `The limit of ${this.config.maxSchemas} schemas has been reached.`);
    }
    this.resources.set(arn, { kind: 'schema', name, arn, schema: input.schema, domain: input.domain, createdAt: now, tags: new Map() });
    return { schemaArn: arn };
  }

  private schemaOutput(s: SchemaRecord): Output {
    return {
      name: s.name,
      schemaArn: s.arn,
      schema: s.schema,
      creationDateTime: epoch(s.createdAt),
      lastUpdatedDateTime: epoch(s.createdAt),
      domain: s.domain,
    };
  }

  private deleteSchema(input: Input): Output {
    const schema = this.find(input.schemaArn, 'schema');
    const users = this.ofKind('dataset').filter((d) => d.schemaArn === schema.arn || (d.update && !d.update.applied && d.update.schemaArn === schema.arn));
    if (users.length > 0) {
      throw inUse(`Schema ${schema.arn} is used by datasets: ${users.map((d) => d.arn).join(', ')}.`);
    }
    this.resources.delete(schema.arn);
    return {};
  }

  private listSchemas(input: Input): Output {
    const { page, nextToken } = paginate(this.ofKind('schema'), input);
    return {
      schemas: page.map((s) => {
        const { name, schemaArn, creationDateTime, lastUpdatedDateTime, domain } = this.schemaOutput(s);
        return { name, schemaArn, creationDateTime, lastUpdatedDateTime, domain };
      }),
      nextToken,
    };
  }

  // ---- datasets ------------------------------------------------------------------

  private createDataset(input: Input, now: number): Output {
    const name: string = input.name;
    const datasetType = canonicalDatasetType(input.datasetType);
    const tags = mergeTags(new Map(), input.tags ?? []);
    const group = this.find(input.datasetGroupArn, 'datasetGroup');
    const schema = this.find(input.schemaArn, 'schema');

    if (group.domain !== undefined && DOMAIN_FORBIDDEN_TYPES.includes(datasetType)) {
      throw invalidInput(`A ${datasetType} dataset cannot be created in a Domain dataset group.`);
    }
    this.checkSchemaFits(schema, group, datasetType);

    const { status } = this.phase(group, now);
    if (status !== STATUS.active) {
      throw inUse(`Dataset group ${group.arn} is in ${status} state. It must be ACTIVE before datasets are added.`);
    }
    const arn = this.arn(`dataset/${group.name}/${datasetType.toUpperCase()}`);
    if (this.resources.has(arn)) {
      throw alreadyExists(`A dataset of type ${datasetType} already exists in dataset group ${group.arn}.`);
    }
    const record: DatasetRecord = {
      kind: 'dataset',
      name,
      arn,
      datasetGroupArn: group.arn,
      datasetType,
      schemaArn: schema.arn,
      tags,
      createdAt: now,
      outcome: this.outcomeFor(name, 'dataset'),
      trackingId: datasetType === 'Action_Interactions' ? randomUUID() : undefined,
    };
    this.resources.set(arn, record);
    return { datasetArn: arn };
  }

  private checkSchemaFits(schema: SchemaRecord, group: DatasetGroupRecord, datasetType: string): void {
    if (schema.domain !== group.domain) {
      throw invalidInput(`The domain of schema ${schema.arn} (${schema.domain ?? 'none'}) does not match the domain of dataset group ${group.arn} (${group.domain ?? 'none'}).`);
    }
    if (!this.config.strictSchemas) return;
    const fields = parseAvroRecord(schema.schema) ?? [];
    const names = new Set(fields.map((f) => f.name.toUpperCase()));
    const missing = REQUIRED_FIELDS[datasetType].filter((f) => !names.has(f));
    if (missing.length > 0) {
      throw invalidInput(`Schema ${schema.arn} cannot be used for a ${datasetType} dataset: missing required field(s) ${missing.join(', ')}.`);
    }
  }

  private datasetOutput(d: DatasetRecord, now: number): Output {
    const phase = this.phase(d, now);
    let latestDatasetUpdate: Output | undefined;
    if (d.update) {
      const up = this.updatePhase(d.update, now);
      latestDatasetUpdate = {
        schemaArn: d.update.schemaArn,
        status: up.status,
        failureReason: up.failureReason,
        creationDateTime: epoch(d.update.startedAt),
        lastUpdatedDateTime: epoch(up.since),
      };
    }
    return {
      name: d.name,
      datasetArn: d.arn,
      datasetGroupArn: d.datasetGroupArn,
      datasetType: d.datasetType,
      schemaArn: d.schemaArn,
      status: phase.status,
      creationDateTime: epoch(d.createdAt),
      lastUpdatedDateTime: epoch(Math.max(phase.since, d.schemaChangedAt ?? 0)),
      latestDatasetUpdate,
      trackingId: d.trackingId,
    };
  }

  private deleteDataset(input: Input, now: number): Output {
    const dataset = this.find(input.datasetArn, 'dataset');
    const { status } = this.phase(dataset, now);
    if (status !== STATUS.active && status !== STATUS.createFailed) {
      throw inUse(`Dataset ${dataset.arn} is in ${status} state and cannot be deleted.`);
    }
    if (dataset.update && !dataset.update.applied) {
      throw inUse(`Dataset ${dataset.arn} has an update in progress and cannot be deleted.`);
    }
    dataset.deleteRequestedAt = now;
    return {};
  }

  private updateDataset(input: Input, now: number): Output {
    const dataset = this.find(input.datasetArn, 'dataset');
    const schema = this.find(input.schemaArn, 'schema');
    if (!UPDATABLE_TYPES.includes(dataset.datasetType)) {
      throw invalidInput(`Only ${UPDATABLE_TYPES.join(' and ')} datasets can have their schema replaced; ${dataset.arn} is a ${dataset.datasetType} dataset.`);
    }
    const group = this.find(dataset.datasetGroupArn, 'datasetGroup');
    this.checkSchemaFits(schema, group, dataset.datasetType);
    if (this.config.strictSchemas) {
      const problem = schemaReplacementProblem(this.find(dataset.schemaArn, 'schema').schema, schema.schema);
      if (problem) throw invalidInput(`Schema ${schema.arn} cannot replace the schema of ${dataset.arn}: ${problem}`);
    }
    const { status } = this.phase(dataset, now);
    if (status !== STATUS.active) {
      throw inUse(`Dataset ${dataset.arn} is in ${status} state. It must be ACTIVE to be updated.`);
    }
    if (dataset.update && !dataset.update.applied) {
      throw inUse(`Dataset ${dataset.arn} already has an update in progress.`);
    }
    dataset.update = {
      schemaArn: schema.arn,
      startedAt: now,
      outcome: this.updateOutcomes.get(dataset.name) ?? { kind: 'succeed' },
      applied: false,
    };
    return { datasetArn: dataset.arn };
  }

  private listDatasets(input: Input, now: number): Output {
    const all = this.ofKind('dataset').filter((d) => input.datasetGroupArn === undefined || d.datasetGroupArn === input.datasetGroupArn);
    const { page, nextToken } = paginate(all, input);
    return {
      datasets: page.map((d) => {
        const { name, datasetArn, datasetType, status, creationDateTime, lastUpdatedDateTime } = this.datasetOutput(d, now);
        return { name, datasetArn, datasetType, status, creationDateTime, lastUpdatedDateTime };
      }),
      nextToken,
    };
  }

  // ---- tags ----------------------------------------------------------------------

  private tagResource(input: Input): Output {
    const resource = this.findAny(input.resourceArn);
    const merged = mergeTags(resource.tags, input.tags);
    resource.tags.clear();
    for (const [k, v] of merged) resource.tags.set(k, v);
    return {};
  }

  private untagResource(input: Input): Output {
    const keys: string[] = input.tagKeys;
    if (keys.length > MAX_TAGS) throw new ServiceError(TooManyTagKeys, `At most ${MAX_TAGS} tag keys can be removed in one request.`);
    for (const key of keys) checkTagKey(key);
    const resource = this.findAny(input.resourceArn);
    for (const key of keys) resource.tags.delete(key);
    return {};
  }
}

// ---- helpers ------------------------------------------------------------------------

function progress(
  start: number, duration: number, outcome: Outcome, now: number,
  names: { pending: string; inProgress: string; failed: string },
): Phase {
  const elapsed = now - start;
  const third = duration / 3;
  if (elapsed < third) return { status: names.pending, since: start, gone: false };
  if (outcome.kind === 'hang' || elapsed < duration) return { status: names.inProgress, since: start + third, gone: false };
  if (outcome.kind === 'fail') return { status: names.failed, since: start + duration, failureReason: outcome.reason, gone: false };
  return { status: STATUS.active, since: start + duration, gone: false };
}

/** The JSON protocol sends timestamps as epoch seconds. */
function epoch(ms: number): number {
  return ms / 1000;
}

function canonicalDatasetType(value: string): string {
  const found = DATASET_TYPES.find((t) => t.toLowerCase() === value.toLowerCase());
  if (!found) throw invalidInput(`Invalid datasetType ${value}. Valid values are ${DATASET_TYPES.join(', ')}.`);
  return found;
}

function checkTagKey(key: string): void {
  if (key.toLowerCase().startsWith('aws:')) throw invalidInput(`Tag key ${key} is invalid: keys starting with aws: are reserved.`);
}

/** Adds `additions` to `existing` (returning a new map), enforcing the tag rules of the service. */
function mergeTags(existing: Map<string, string>, additions: Array<{ tagKey: string; tagValue: string }>): Map<string, string> {
  const seen = new Set<string>();
  for (const { tagKey } of additions) {
    checkTagKey(tagKey);
    if (seen.has(tagKey)) throw invalidInput(`Tag key ${tagKey} appears more than once.`);
    seen.add(tagKey);
  }
  const merged = new Map(existing);
  for (const { tagKey, tagValue } of additions) merged.set(tagKey, tagValue);
  if (merged.size > MAX_TAGS) throw new ServiceError(TooManyTags, `A resource can have at most ${MAX_TAGS} tags; this request would give it ${merged.size}.`);
  return merged;
}

function tagList(tags: Map<string, string>): Array<{ tagKey: string; tagValue: string }> {
  return [...tags].map(([tagKey, tagValue]) => ({ tagKey, tagValue }));
}

function paginate<T>(items: T[], input: Input): { page: T[]; nextToken?: string } {
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

interface AvroField { readonly name: string; readonly type: unknown }

/** The fields of an Avro record schema, or undefined if the text is not one. */
function parseAvroRecord(text: string): AvroField[] | undefined {
  let parsed: any;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || parsed.type !== 'record' || !Array.isArray(parsed.fields)) return undefined;
  const fields = parsed.fields as unknown[];
  const ok = fields.every((f: any) => typeof f === 'object' && f !== null && typeof f.name === 'string' && f.type !== undefined);
  return ok ? (fields as AvroField[]) : undefined;
}

/**
 * The rules of a schema replacement: every old field stays with the same type,
 * and every new field allows null.
 */
function schemaReplacementProblem(oldText: string, newText: string): string | undefined {
  const oldFields = parseAvroRecord(oldText) ?? [];
  const newFields = parseAvroRecord(newText) ?? [];
  const byName = new Map(newFields.map((f) => [f.name, f]));
  for (const f of oldFields) {
    const replacement = byName.get(f.name);
    if (!replacement) return `field ${f.name} is missing.`;
    if (JSON.stringify(replacement.type) !== JSON.stringify(f.type)) return `field ${f.name} changes its type.`;
  }
  const oldNames = new Set(oldFields.map((f) => f.name));
  for (const f of newFields) {
    if (oldNames.has(f.name)) continue;
    const nullable = f.type === 'null' || (Array.isArray(f.type) && f.type.includes('null'));
    if (!nullable) return `new field ${f.name} must allow null.`;
  }
  return undefined;
}
