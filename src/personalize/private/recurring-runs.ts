/**
 * The schedule of a job's recurring runs (ADR 0018): a schedule group of the construct's own
 * (its CloudWatch metrics count this job's runs only), an execution role trusted by Scheduler
 * for that group only, and a universal target that sends the job's Create request with the
 * context attributes Scheduler fills in at each run.
 */
import { createHash } from 'crypto';
import { ArnFormat, CfnResource, CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { KindDeclaration } from '../../private/declaration';
import { declaredGrants, DeclaredResources } from '../../private/handler-access';
import { addNagSuppressions, flattenForNag } from '../../private/nag';
import type { RecurringRuns } from '../recurring-runs';

/** Scheduler's ID of one invocation: 16 lowercase letters and digits, kept by its retries (ADR 0018). */
export const EXECUTION_ID = scheduler.ContextAttribute.executionId;
/** The time the run was scheduled for, e.g. 2026-12-08T02:00:00Z: the same for every attempt of a run. */
export const SCHEDULED_TIME = scheduler.ContextAttribute.scheduledTime;
/** The length of an execution ID, which the job name holds after the prefix and a hyphen. */
const EXECUTION_ID_LENGTH = 16;
const NAME_MAX_LENGTH = 63;
/** How the scheduled time is spelt, for the longest output path a run can have. */
export const SCHEDULED_TIME_LENGTH = '2026-12-08T02:00:00Z'.length;

export interface ScheduledCreate {
  /** The kind whose Create each run calls; the role gets exactly that call's permissions. */
  readonly kind: KindDeclaration;
  /** The job's name on deploy: the runs' names start with a prefix made from it. */
  readonly deployedName: string;
  /** What the Create call's scopes other than `self` are, as for the handler. */
  readonly resources: DeclaredResources;
  /** The Create request of a run named `jobName` (with EXECUTION_ID in it). */
  request(jobName: string): Record<string, unknown>;
}

export interface ScheduledRuns {
  readonly schedule: scheduler.Schedule;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly deadLetterQueue: sqs.IQueue;
  readonly role: iam.Role;
}

/** The start of every run's name: at most 46 characters, so that `<prefix>-<execution ID>` is a Personalize name. */
export function runNamePrefix(deployedName: string): string {
  const room = NAME_MAX_LENGTH - 1 - EXECUTION_ID_LENGTH;
  if (deployedName.length <= room) return deployedName;
  return `${deployedName.slice(0, room - 9)}-${createHash('sha256').update(deployedName).digest('hex').slice(0, 8)}`;
}

export function scheduleRuns(scope: Construct, runs: RecurringRuns, create: ScheduledCreate, deployed: CustomResource): ScheduledRuns {
  const retryAttempts = runs.retryAttempts ?? 0;
  if (!Token.isUnresolved(retryAttempts) && (!Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185)) {
    throw new Error(`Invalid recurringRuns.retryAttempts: ${retryAttempts}. Expected a whole number from 0 to 185 (Scheduler's RetryPolicy).`);
  }
  const maxEventAge = runs.maxEventAge ?? Duration.hours(1);
  const ageSeconds = maxEventAge.toSeconds({ integral: false });
  if (!maxEventAge.isUnresolved() && (!Number.isInteger(ageSeconds) || ageSeconds < 60 || ageSeconds > 86_400)) {
    throw new Error(`Invalid recurringRuns.maxEventAge: ${maxEventAge.toHumanString()}. Expected whole seconds from 1 minute to 1 day.`);
  }
  const stack = Stack.of(scope);
  const prefix = runNamePrefix(create.deployedName);
  const scheduleGroup = new scheduler.ScheduleGroup(scope, 'RunsGroup');
  // Confused-deputy protection as Scheduler's guide sets it: this account, and schedules of this group only.
  const role = new iam.Role(scope, 'RunsRole', {
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': scheduleGroup.scheduleGroupArn } },
    }),
    description: `Lets EventBridge Scheduler start the recurring runs of ${create.kind.noun} ${scope.node.path}`,
  });
  const deadLetterQueue = runs.deadLetterQueue ?? failedRunsQueue(scope);
  const runArns = [stack.formatArn({
    service: create.kind.service, resource: create.kind.arn!.resource, resourceName: `${prefix}-*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  })];
  const createCall = create.kind.calls.find((declared) => /:Create[A-Za-z]+$/.test(declared.operation) && (declared.by ?? 'handler') === 'handler')!;
  const statements = declaredGrants(scope, { ...create.kind, calls: [createCall] }, { ...create.resources, self: runArns })
    .map((grant) => new iam.PolicyStatement({ actions: grant.actions, resources: grant.resources, conditions: grant.conditions }));
  const action = createCall.operation.replace(/^[a-z]+:C/, 'c');
  const schedule = new scheduler.Schedule(scope, 'Runs', {
    schedule: runs.schedule,
    enabled: runs.enabled ?? true,
    scheduleGroup,
    description: `Recurring runs of ${create.kind.noun} ${scope.node.path}`,
    target: new targets.Universal({
      service: create.kind.service,
      action,
      policyStatements: statements,
      role,
      input: scheduler.ScheduleTargetInput.fromObject(create.request(`${prefix}-${EXECUTION_ID}`)),
      deadLetterQueue,
      retryAttempts,
      maxEventAge,
    }),
  });
  // Runs start once the deploy's job exists, and stop before it goes.
  schedule.node.addDependency(deployed);
  addNagSuppressions(role.node.findChild('DefaultPolicy').node.defaultChild as CfnResource, [{
    id: 'AwsSolutions-IAM5',
    reason: `Each run creates a new ${create.kind.noun} named '${prefix}-<execution ID>': the pattern names exactly the runs of this schedule.`,
    appliesTo: [`Resource::${flattenForNag(stack.resolve(runArns[0]))}`],
  }]);
  return { schedule, scheduleGroup, deadLetterQueue, role };
}

function failedRunsQueue(scope: Construct): sqs.Queue {
  const queue = new sqs.Queue(scope, 'FailedRuns', {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  addNagSuppressions(queue.node.defaultChild as CfnResource, [{
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue of the schedule\'s runs: nothing reads it to retry, so it needs no dead-letter queue of its own.',
  }]);
  return queue;
}
