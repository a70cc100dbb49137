/**
 * UpdateCampaign and UpdateRecommender leave the resource ACTIVE, serving what it had, and follow the
 * update on latestCampaignUpdate / latestRecommenderUpdate: CREATE PENDING, CREATE IN_PROGRESS, then
 * ACTIVE (or CREATE FAILED with failUpdate) updateAfterMs later, held by holdUpdate(name). What it sets
 * shows once it is ACTIVE.
 */
import { Family, FamilyRecord } from './family';
import { Output, ServiceCore, UpdateLifecycle } from '../core';
import { inUse } from '../errors';
import { CREATE_NAMES, epoch, Phase, STATUS } from '../lifecycle';

export interface ServingRecord extends FamilyRecord {
  update?: ServingUpdate;
}

interface ServingUpdate extends UpdateLifecycle {
  /** What the update asked for, as the Describe output's update summary shows it. */
  readonly requested: Output;
  applied: boolean;
}

export class ServingUpdates<R extends ServingRecord> {
  /**
   * @param summaryMember the member of the Describe output that shows the latest update
   * @param apply makes what a finished update asked for what the resource serves
   */
  constructor(
    private readonly core: ServiceCore,
    private readonly family: Family<R>,
    private readonly summaryMember: string,
    private readonly apply: (r: R, requested: Output, now: number) => void,
  ) {}

  /** One update at a time; after a failed one, another may start. */
  public requireNone(r: R, now: number): void {
    const u = r.update;
    if (u && !u.applied && this.phase(u, now).status !== STATUS.createFailed) {
      throw inUse(`${this.core.kinds[r.kind].label} ${r.arn} already has an update in progress.`);
    }
  }

  public start(r: R, requested: Output, now: number): void {
    r.update = { startedAt: now, ...this.core.startUpdate(r.name!), requested, applied: false };
  }

  /** A finished update becomes what Describe answers; a failed one leaves the resource as it was. */
  public settle(r: R, now: number): void {
    const u = r.update;
    if (!u || u.applied) return;
    const { status } = this.phase(u, now);
    if (status === STATUS.createFailed) u.applied = true;
    if (status !== STATUS.active) return;
    this.apply(r, u.requested, now);
    u.applied = true;
  }

  /** The Describe output, with the latest update's summary. */
  public describe(r: R, now: number): Output {
    const output = this.family.output(r, now, this.family.api.describe);
    const u = r.update;
    if (u) {
      const phase = this.phase(u, now);
      output[this.summaryMember] = {
        ...u.requested,
        status: phase.status,
        failureReason: phase.failureReason,
        creationDateTime: epoch(u.startedAt),
        lastUpdatedDateTime: epoch(phase.since),
      };
    }
    return output;
  }

  private phase(u: ServingUpdate, now: number): Phase {
    return this.core.updatePhase(u, now, CREATE_NAMES);
  }
}
