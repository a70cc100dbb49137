/**
 * EventBridge Scheduler, as far as a schedule's universal target goes: an invocation fills the
 * target's Input with the context attributes of the run (execution ID, scheduled time, attempt),
 * assumes the target's execution role, which must trust scheduler.amazonaws.com for the account
 * and the schedule's group (the conditions the Scheduler guide recommends), and calls the
 * service's operation with the Input as its request, signed as that role: the harness's IAM
 * evaluates the role's policies on the call.
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 */
import * as personalize from '@aws-sdk/client-personalize';
import { LifecycleEnvironment, holdingTheClock, ACCOUNT, REGION } from './environment';

/** One attempt of one run, as Scheduler describes it to the target. */
export interface Invocation {
  /** 16 lowercase letters and digits, the same for every attempt of a run. */
  readonly executionId: string;
  /** e.g. 2026-12-08T02:00:00Z. */
  readonly scheduledTime: string;
  /** @default 1 */
  readonly attempt?: number;
}

export interface TargetCall {
  /** The operation called, e.g. CreateBatchInferenceJob. */
  readonly operation: string;
  /** The request sent: the Input with the context attributes filled in. */
  readonly request: Record<string, any>;
  /** The service's answer, or its error's name (which Scheduler would send to the dead-letter queue). */
  readonly response?: Record<string, any>;
  readonly error?: string;
}

const UNIVERSAL_TARGET = /^arn:[a-z-]+:scheduler:::aws-sdk:([a-z0-9]+):([a-z][A-Za-z0-9]*)$/;

export async function invokeScheduleTarget(env: LifecycleEnvironment, scheduleLogicalId: string, invocation: Invocation): Promise<TargetCall> {
  const schedule = env.cloudformation.resolvedProperties(scheduleLogicalId) as Record<string, any>;
  const target = schedule.Target as { Arn: string; RoleArn: string; Input?: string };
  const [, service, action] = UNIVERSAL_TARGET.exec(target.Arn) ?? [];
  if (service !== 'personalize') throw new Error(`Not a universal target of Personalize: ${target.Arn}`);
  const roleLogicalId = /:role\/([^/]+)$/.exec(target.RoleArn)?.[1];
  if (!roleLogicalId) throw new Error(`Not a role of the template: ${target.RoleArn}`);
  const operation = `${action[0].toUpperCase()}${action.slice(1)}`;
  const groupArn = `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${schedule.GroupName ?? 'default'}`;
  const distrust = trustProblem(env.cloudformation.resolvedProperties(roleLogicalId), groupArn);
  if (distrust) return { operation, request: {}, error: `AccessDenied: Scheduler cannot assume ${roleLogicalId}: ${distrust}` };

  const input = (target.Input ?? '{}')
    .split('<aws.scheduler.execution-id>').join(invocation.executionId)
    .split('<aws.scheduler.scheduled-time>').join(invocation.scheduledTime)
    .split('<aws.scheduler.attempt-number>').join(String(invocation.attempt ?? 1))
    .split('<aws.scheduler.schedule-arn>').join(`arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${schedule.GroupName ?? 'default'}/${scheduleLogicalId}`);
  const request = JSON.parse(input) as Record<string, any>;
  const client = holdingTheClock(new personalize.PersonalizeClient({
    ...env.service.clientConfig(), credentials: { accessKeyId: env.iam.keyForRole(roleLogicalId), secretAccessKey: 'scheduler' },
  }), env.clock);
  const Command = (personalize as unknown as Record<string, new (input: unknown) => any>)[`${operation}Command`];
  try {
    const response = await client.send(new Command(request)) as Record<string, any>;
    return { operation, request, response };
  } catch (error) {
    return { operation, request, error: (error as Error).name };
  }
}

/** Why Scheduler may not assume the role for a schedule of `groupArn`; undefined when its trust policy lets it. */
function trustProblem(role: Record<string, any>, groupArn: string): string | undefined {
  const statements = (role.AssumeRolePolicyDocument?.Statement ?? []) as Array<Record<string, any>>;
  const trusting = statements.find((statement) => statement.Effect === 'Allow' && statement.Action === 'sts:AssumeRole'
    && [statement.Principal?.Service].flat().includes('scheduler.amazonaws.com'));
  if (!trusting) return 'its trust policy does not name scheduler.amazonaws.com';
  const equals = trusting.Condition?.StringEquals ?? {};
  if (equals['aws:SourceAccount'] !== undefined && equals['aws:SourceAccount'] !== ACCOUNT) return 'aws:SourceAccount is another account';
  if (equals['aws:SourceArn'] !== undefined && equals['aws:SourceArn'] !== groupArn) return `aws:SourceArn is not ${groupArn}`;
  return undefined;
}
