/**
 * Personalize's status names on the shared status model (local-service/lifecycle.ts).
 */
import { Phase, StatusNames } from '../local-service/lifecycle';

export { epoch, HoldState, Holds, progress } from '../local-service/lifecycle';
export type { Hold, Outcome, Phase, StatusNames, Timing } from '../local-service/lifecycle';

export const STATUS = {
  createPending: 'CREATE PENDING',
  createInProgress: 'CREATE IN_PROGRESS',
  active: 'ACTIVE',
  createFailed: 'CREATE FAILED',
  createStopping: 'CREATE STOPPING',
  createStopped: 'CREATE STOPPED',
  deletePending: 'DELETE PENDING',
  deleteInProgress: 'DELETE IN_PROGRESS',
  updatePending: 'UPDATE PENDING',
  updateInProgress: 'UPDATE IN_PROGRESS',
  updateFailed: 'UPDATE FAILED',
  // Recommenders: StopRecommender and StartRecommender.
  inactive: 'INACTIVE',
  stopPending: 'STOP PENDING',
  stopInProgress: 'STOP IN_PROGRESS',
  startPending: 'START PENDING',
  startInProgress: 'START IN_PROGRESS',
  // Batch inference and batch segment jobs, spelled as the API reference lists them (BatchInferenceJob, BatchSegmentJob).
  pending: 'PENDING',
  inProgress: 'IN PROGRESS',
} as const;

/** Statuses of a resource whose creation is still under way. */
export const IN_FLIGHT: readonly string[] = [STATUS.createPending, STATUS.createInProgress, STATUS.createStopping];

export const CREATE_NAMES: StatusNames = {
  pending: STATUS.createPending, inProgress: STATUS.createInProgress, failed: STATUS.createFailed, done: STATUS.active,
};
/**
 * Batch jobs: https://docs.aws.amazon.com/personalize/latest/dg/API_BatchInferenceJob.html (and API_BatchSegmentJob.html)
 * list "PENDING, IN PROGRESS, ACTIVE, CREATE FAILED".
 */
export const BATCH_NAMES: StatusNames = {
  pending: STATUS.pending, inProgress: STATUS.inProgress, failed: STATUS.createFailed, done: STATUS.active,
};
/** Statuses of a batch job that is still running. */
export const BATCH_IN_FLIGHT: readonly string[] = [STATUS.pending, STATUS.inProgress];
export const UPDATE_NAMES: StatusNames = {
  pending: STATUS.updatePending, inProgress: STATUS.updateInProgress, failed: STATUS.updateFailed, done: STATUS.active,
};

/** StopRecommender: STOP PENDING, STOP IN_PROGRESS, then INACTIVE; StartRecommender the same way back to ACTIVE. */
export const STOP_NAMES: StatusNames = {
  pending: STATUS.stopPending, inProgress: STATUS.stopInProgress, failed: STATUS.active, done: STATUS.inactive,
};
export const START_NAMES: StatusNames = {
  pending: STATUS.startPending, inProgress: STATUS.startInProgress, failed: STATUS.inactive, done: STATUS.active,
};

/**
 * DELETE PENDING, then (at a third, when `inProgressStep`) DELETE IN_PROGRESS,
 * then gone `deleteAfterMs` after the request.
 */
export function deletion(requestedAt: number, deleteAfterMs: number, inProgressStep: boolean, now: number): Phase {
  const elapsed = now - requestedAt;
  if (elapsed >= deleteAfterMs) return { status: 'DELETED', since: requestedAt + deleteAfterMs, gone: true };
  if (inProgressStep && elapsed >= deleteAfterMs / 3) {
    return { status: STATUS.deleteInProgress, since: requestedAt + deleteAfterMs / 3, gone: false };
  }
  return { status: STATUS.deletePending, since: requestedAt, gone: false };
}

/** A stopped training: CREATE PENDING goes straight to CREATE STOPPED; CREATE IN_PROGRESS takes `stoppingMs` in CREATE STOPPING first. */
export function stopping(stop: { readonly at: number; readonly fromInProgress: boolean }, stoppingMs: number, now: number): Phase {
  if (!stop.fromInProgress) return { status: STATUS.createStopped, since: stop.at, gone: false };
  if (now < stop.at + stoppingMs) return { status: STATUS.createStopping, since: stop.at, gone: false };
  return { status: STATUS.createStopped, since: stop.at + stoppingMs, gone: false };
}

