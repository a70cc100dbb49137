/**
 * Starts the wait for long work (ADR 0014): an execution of the provider's long-wait
 * state machine, which looks at the work from a Step Functions Wait loop and signals its
 * CloudFormation wait condition when it ends. The execution's name is the hash of what it
 * watches and where it signals, so a retried or repeated start finds the same execution:
 * Step Functions refuses a second execution of one name, and that is not an error here.
 */
import { createHash } from 'crypto';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DatasetImportJobProperties } from '../../src/private/contract';
import { processClient } from '../kinds/sdk-client';
import { Delivered, optionalString, requiredString } from '../properties';
import type { KindContext } from '../resource-kind';
import { isErrorNamed } from '../retry';
import { waitConditionBucket } from './signal';

/** What the long-wait state machine carries from look to look. */
export interface LongWaitInput {
  /** The custom resource type whose work is watched; its kind's `outcome` says when the work has ended. */
  readonly resourceType: string;
  readonly arn: string;
  /** The presigned URL of the wait condition handle to signal. */
  readonly signalUrl: string;
  /** When the work started (epoch ms). */
  readonly startedAt: number;
  /** When to give up and say so, shortly before the wait condition would time out on its own (epoch ms). */
  readonly giveUpAt: number;
}

/** Where a wait is started and how long it may last: from the custom resource's properties. */
export interface LongWaitTarget {
  readonly stateMachineArn: string;
  readonly signalUrl: string;
  /** The wait condition's Timeout. */
  readonly timeoutSeconds: number;
}

/** A wait condition's longest Timeout: 12 hours. */
export const MAX_WAIT_SECONDS = 43_200;

/**
 * Given up this long before the wait condition's own timeout (at most 5 minutes, a tenth of a
 * short wait), so the reason is the long wait's, not CloudFormation's "WaitCondition timed out".
 */
export function giveUpMarginMs(timeoutSeconds: number): number {
  return Math.min(5 * 60_000, timeoutSeconds * 100);
}

const sfn = processClient((config) => new SFNClient(config));

export async function startLongWait(context: KindContext, target: LongWaitTarget, resourceType: string, arn: string): Promise<void> {
  if (!waitConditionBucket(target.signalUrl, context.region)) {
    throw new Error(`Property 'SignalUrl' is not a wait condition handle URL of region ${context.region}`);
  }
  const startedAt = context.clock.now();
  const giveUpAt = startedAt + target.timeoutSeconds * 1000 - giveUpMarginMs(target.timeoutSeconds);
  const input: LongWaitInput = { resourceType, arn, signalUrl: target.signalUrl, startedAt, giveUpAt };
  const name = `wait-${createHash('sha256').update(`${arn}|${target.signalUrl}`).digest('hex').slice(0, 40)}`;
  try {
    await context.call('StartExecution', () => sfn().send(new StartExecutionCommand({
      stateMachineArn: target.stateMachineArn, name, input: JSON.stringify({ ...input, next: 'look', delaySeconds: 0 }),
    })));
  } catch (error) {
    // This wait is already running, or has already signalled.
    if (!isErrorNamed(error, 'ExecutionAlreadyExists')) throw error;
  }
}

/** The long wait a custom resource asks for (WaitStateMachineArn, SignalUrl, WaitSeconds), or undefined without one. */
export function parseLongWaitTarget(
  properties: Delivered<Pick<DatasetImportJobProperties, 'WaitStateMachineArn' | 'WaitSeconds' | 'SignalUrl'>>,
): LongWaitTarget | undefined {
  const stateMachineArn = optionalString(properties, 'WaitStateMachineArn');
  if (stateMachineArn === undefined) return undefined;
  const seconds = Number(requiredString(properties, 'WaitSeconds'));
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_WAIT_SECONDS) {
    throw new Error(`Property 'WaitSeconds' must be a whole number of seconds from 1 to ${MAX_WAIT_SECONDS}, got '${properties.WaitSeconds}'`);
  }
  return { stateMachineArn, signalUrl: requiredString(properties, 'SignalUrl'), timeoutSeconds: seconds };
}
