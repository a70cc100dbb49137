/**
 * What the kinds of jobs that run once share (imports, batch inference and batch segment jobs):
 * the API can neither update nor delete them, the construct puts a hash of what the job does in
 * its name (so a change is a new job), and the deploy waits for the job through the long wait
 * (ADR 0014) or only starts it.
 */
import { conditionOf } from './common';
import { JobWaitProperties } from '../../../src/private/contract';
import { LongWaitTarget, MAX_WAIT_SECONDS, parseLongWaitTarget, startLongWait } from '../../long-wait/start';
import { Delivered, optionalString, requiredString } from '../../properties';
import { KindContext, Observation, Operation, WorkOutcome } from '../../resource-kind';

export type JobWaitMode = 'active' | 'started';

export interface JobWait {
  readonly wait: JobWaitMode;
  /** The bound of the 'active' mode. */
  readonly waitMs?: number;
  /** Where the 'active' mode's long wait runs; absent in property shapes older than ADR 0014. */
  readonly longWait?: LongWaitTarget;
}

/** What a job's Describe tells, whatever the kind calls its members. */
export interface JobView {
  readonly arn: string;
  readonly name: string;
  readonly status: string;
  readonly failureReason?: string;
  readonly createdAt?: number;
  /** Attributes beside Arn and Name that the kind returns. */
  readonly attributes?: Record<string, string>;
}

export function parseJobWait(properties: Delivered<JobWaitProperties>): JobWait {
  const wait = requiredString(properties, 'Wait');
  if (wait !== 'active' && wait !== 'started') throw new Error(`Property 'Wait' must be 'active' or 'started', got '${wait}'`);
  const waitSeconds = optionalString(properties, 'WaitSeconds');
  const seconds = waitSeconds === undefined ? MAX_WAIT_SECONDS : Number(waitSeconds);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_WAIT_SECONDS) {
    throw new Error(`Property 'WaitSeconds' must be a whole number of seconds from 1 to ${MAX_WAIT_SECONDS}, got '${waitSeconds}'`);
  }
  return {
    wait,
    waitMs: wait === 'active' ? seconds * 1000 : undefined,
    longWait: wait === 'active' ? parseLongWaitTarget(properties) : undefined,
  };
}

/** How a job the stack waits for (or only starts) looks to the engine. `stillRunning` says what to do when it outlasts its bound. */
export async function observeJob(context: KindContext, resourceType: string, job: JobView | undefined, operation: Operation,
  spec: JobWait | undefined, stillRunning: (seconds: number) => string): Promise<Observation | undefined> {
  if (!job) return undefined;
  const condition = conditionOf(job.status);
  const observation: Observation = {
    status: job.status,
    condition,
    failureReason: job.failureReason,
    attributes: { ...job.attributes, Arn: job.arn, Name: job.name },
  };
  if (operation === 'delete' || spec === undefined) return observation;
  // The wait condition waits for a signal in every case, so the long wait starts even for a job that is done
  // (a fast job, or one adopted after a lost response); starting it again finds the same execution.
  if (spec.longWait && condition !== 'failed') {
    await startLongWait(context, spec.longWait, resourceType, job.arn);
    return { ...observation, condition: 'ready' };
  }
  if (condition !== 'busy') return observation;
  if (spec.wait === 'started') return { ...observation, condition: 'ready' };
  // Properties older than ADR 0014 wait here, up to the bound, from the job's creation time.
  if (job.createdAt !== undefined && spec.waitMs !== undefined && context.clock.now() - job.createdAt > spec.waitMs) {
    return { ...observation, condition: 'failed', failureReason: stillRunning(Math.round(spec.waitMs / 1000)) };
  }
  return observation;
}

/** How a job ended, for the long wait; undefined while it runs. */
export function jobOutcome(noun: string, arn: string, job: JobView | undefined, gone: string, succeeded: string): WorkOutcome | undefined {
  const title = `${noun[0].toUpperCase()}${noun.slice(1)} ${arn}`;
  if (!job) return { success: false, reason: `${title} no longer exists; ${gone}.` };
  if (job.status === 'ACTIVE') return { success: true, reason: `${title} ${succeeded}.` };
  if (conditionOf(job.status) === 'busy') return undefined;
  return { success: false, reason: `${title} ended ${job.status}: ${job.failureReason ?? 'no reason given'}` };
}

/** The API deletes no job: it is left as it is, and counts as gone. */
export function leaveJob(noun: string, arn: string, what: string): never {
  throw named('ResourceNotFoundException', `${noun[0].toUpperCase()}${noun.slice(1)} ${arn} cannot be deleted; ${what}`);
}

export function named(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}
