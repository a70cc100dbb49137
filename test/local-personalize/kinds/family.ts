/**
 * What the kinds built on a dataset group (solutions and their versions, campaigns,
 * recommenders, event trackers, filters, metric attributions, dataset import jobs)
 * share: one record shape, and Create, Describe, Delete and List that differ only by
 * the members of the model's output shapes.
 */
import type { ResourceKind } from '.';
import { Handler, LifecycleRecord, Output, paginate, ResourceSnapshot, ServiceCore } from '../core';
import { alreadyExists } from '../errors';
import { epoch } from '../lifecycle';

/** A solution, solution version, campaign, recommender, event tracker, filter, metric attribution or import job. */
export interface FamilyRecord extends LifecycleRecord {
  /** Undefined only for a solution version created without a name. */
  readonly name?: string;
  readonly datasetGroupArn: string;
  readonly solutionArn?: string;
  /** Changes with UpdateCampaign. */
  solutionVersionArn?: string;
  /** Dataset import jobs. */
  readonly datasetArn?: string;
  /** Members of the Describe output fixed at creation (recipeArn, solutionConfig, trackingId, ...). */
  readonly details: Output;
}

/** How a kind of the family appears in the API, transcribed from the output shapes of the model. */
export interface FamilyApi {
  /** The ARN member of its Describe output and of its Create output. */
  readonly arnMember: string;
  /** The member holding the page in its List output. */
  readonly listMember: string;
  /** The List operation filters by this member of the request. */
  readonly listedBy: 'datasetGroupArn' | 'solutionArn' | 'datasetArn';
  /** Members of the Describe output shape. */
  readonly describe: readonly string[];
  /** Members of the summary shape of the List output. */
  readonly summary: readonly string[];
}

export const TIMES = ['creationDateTime', 'lastUpdatedDateTime'];

type MemberFields = Pick<FamilyRecord, 'name' | 'arn' | 'datasetGroupArn' | 'solutionArn' | 'solutionVersionArn' | 'datasetArn' | 'details'>;

/** One kind of the family: its records, and its operations that work the same for every kind. */
export class Family<R extends FamilyRecord = FamilyRecord> {
  constructor(private readonly core: ServiceCore, private readonly kind: ResourceKind, public readonly api: FamilyApi) {}

  public readonly describe: Handler = (input, now) => ({ [this.kind]: this.output(this.find(input[this.api.arnMember]), now, this.api.describe) });

  public readonly delete: Handler = (input, now) => {
    const r = this.find(input[this.api.arnMember]);
    return this.core.beginDelete(r, now, this.core.blockersOf(r, now));
  };

  public readonly list: Handler = (input, now) => {
    const by = this.api.listedBy;
    const all = this.all().filter((r) => input[by] === undefined || r[by] === input[by]);
    const { page, nextToken } = paginate(all, input);
    return { [this.api.listMember]: page.map((r) => this.summary(r, now)), nextToken };
  };

  public readonly snapshot = (r: R, now: number): ResourceSnapshot => this.core.snapshotOf(r, now, {
    datasetGroupArn: r.datasetGroupArn, solutionArn: r.solutionArn, solutionVersionArn: r.solutionVersionArn,
  });

  public find(arn: string): R {
    return this.core.find<R>(arn, this.kind);
  }

  public all(): R[] {
    return this.core.ofKind<R>(this.kind);
  }

  /**
   * Registers a new resource. The ARN of a named kind contains the name, so a second
   * resource of that name (even a deleting one) is ResourceAlreadyExistsException.
   */
  public create(now: number, fields: MemberFields, tags: Map<string, string>, behaviourName = fields.name!): Output {
    if (this.core.has(fields.arn)) throw alreadyExists(`${this.core.kinds[this.kind].label} with name ${fields.name} already exists.`);
    const record: FamilyRecord = { kind: this.kind, ...fields, tags, createdAt: now, ...this.core.startCreation(behaviourName, this.kind) };
    this.core.put(record);
    return { [this.api.arnMember]: fields.arn };
  }

  /** The members of an output shape, in its order; `extra` adds members the record does not hold. */
  public output(r: R, now: number, members: readonly string[], extra: Output = {}): Output {
    const phase = this.core.phase(r, now);
    const full: Output = {
      ...r.details,
      solutionArn: r.solutionArn,
      solutionVersionArn: r.solutionVersionArn,
      datasetArn: r.datasetArn,
      name: r.name,
      [this.api.arnMember]: r.arn,
      datasetGroupArn: r.datasetGroupArn,
      status: phase.status,
      failureReason: phase.failureReason,
      creationDateTime: epoch(r.createdAt),
      lastUpdatedDateTime: epoch(phase.since),
      ...extra,
    };
    return Object.fromEntries(members.filter((m) => full[m] !== undefined).map((m) => [m, full[m]]));
  }

  public summary(r: R, now: number): Output {
    return this.output(r, now, this.api.summary);
  }
}
