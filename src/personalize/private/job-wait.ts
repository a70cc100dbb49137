/**
 * How a deploy waits for a job that runs once (imports, batch jobs): a CloudFormation wait
 * condition that the stack's long wait signals when the job ends (ADR 0014), and a result
 * that reads how the job ended, which what uses the job waits on. Each job (a new name) has
 * a handle of its own: CloudFormation updates neither, and an old handle keeps its signals.
 */
import { createHash } from 'crypto';
import { CfnWaitCondition, CfnWaitConditionHandle, CustomResource, Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ownArnPattern } from './grant-patterns';
import { JobWaitProperties } from '../../private/contract';
import { KindDeclaration } from '../../private/declaration';
import { watchDeclared } from '../../private/declared-resource';
import { longWorkResult } from '../../private/long-work-result';
import { PhysicalName } from '../../private/names';
import { PersonalizeProvider } from '../../private/provider';

/** A wait condition's longest Timeout: the long wait holds a deploy at most this long. */
export const MAX_JOB_WAIT = Duration.hours(12);

/** How a public wait class (ImportWait, BatchJobWait) hands its choice to the construct. */
export interface JobWaitChoice {
  readonly _mode: string;
  readonly _seconds?: number;
}

/**
 * What a public wait class's static methods return (ImportWait, BatchJobWait): an instance of
 * that class holding the mode and bound the construct reads.
 */
export function waitChoice<T extends JobWaitChoice>(waitClass: abstract new () => T, mode: 'active' | 'started', seconds?: number): T {
  const Choice = class extends (waitClass as unknown as new () => JobWaitChoice) {
    public readonly _mode = mode;
    public readonly _seconds = seconds;
  };
  return new Choice() as T;
}

/** The seconds of an `untilActive` bound: whole, from 1 second to 12 hours. */
export function waitBoundSeconds(bound: Duration, waitClass: string, jobs: string): number {
  if (bound.isUnresolved()) throw new Error(`Invalid ${waitClass}.untilActive bound: it must be known at synth time.`);
  const seconds = bound.toMilliseconds() / 1000;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_JOB_WAIT.toSeconds()) {
    throw new Error(`Invalid ${waitClass}.untilActive bound: ${bound.toHumanString()}. Expected whole seconds from 1 second to 12 hours `
      + `(the longest a CloudFormation wait condition holds a deploy); for longer ${jobs} use ${waitClass}.startOnly().`);
  }
  return seconds;
}

export interface WaitedJob {
  /** The custom resource's wait properties. */
  readonly properties: JobWaitProperties;
  /** After the job's custom resource exists: the wait condition after it, and the result what uses the job reads. */
  waitFor(resource: CustomResource, jobArn: string): void;
}

/**
 * The wait of the job `name` of `kind` under `scope`. Logical IDs: `Handle<KEY>`, `<conditionPrefix><KEY>` and
 * `Result<KEY>`, KEY a hash of the job's name.
 */
export function waitedJob(scope: Construct, kind: KindDeclaration, name: PhysicalName, wait: JobWaitChoice, conditionPrefix: string): WaitedJob {
  const waitKey = createHash('sha256').update(name.name).digest('hex').slice(0, 8).toUpperCase();
  const longWait = wait._seconds !== undefined ? PersonalizeProvider.getOrCreate(scope).longWait() : undefined;
  const handle = longWait ? new CfnWaitConditionHandle(scope, `Handle${waitKey}`) : undefined;
  if (longWait) watchDeclared(longWait, scope, kind, { self: [ownArnPattern(scope, kind, name)] });
  return {
    properties: {
      Wait: wait._mode,
      WaitSeconds: wait._seconds !== undefined ? String(wait._seconds) : undefined,
      WaitStateMachineArn: longWait?.stateMachine.stateMachineArn,
      SignalUrl: handle?.ref,
    },
    waitFor: (resource, jobArn) => {
      if (!longWait || !handle) return;
      resource.node.addDependency(longWait);
      const condition = new CfnWaitCondition(scope, `${conditionPrefix}${waitKey}`, { handle: handle.ref, timeout: String(wait._seconds), count: 1 });
      condition.node.addDependency(resource);
      // What depends on the construct waits for proof the job succeeded.
      longWorkResult(scope, `Result${waitKey}`, kind.resourceType, jobArn, condition);
    },
  };
}
