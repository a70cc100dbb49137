/** Scenarios several resource kinds share. */
import { StackOperationResult } from './cloudformation';
import { LifecycleEnvironment } from './environment';
import { nameIn, SynthesizedStack } from './stacks';
import type { OperationName } from '../local-personalize/model';
import type { ResourceKind } from '../local-personalize/service';

/**
 * Deploys `stack`, whose construct at `constructPath` (a resource of `kind`) is held
 * CREATE IN_PROGRESS while a sibling dataset group named 'doomed' fails. CloudFormation
 * cancels the held create, and the hold is released only then, so the rollback Delete
 * meets the resource still being created under a physical ID CloudFormation made up.
 * Checks the cancellation and the rollback, and returns the result.
 */
export async function deployCancelledBySibling(env: LifecycleEnvironment, stack: SynthesizedStack, constructPath: string,
  kind: ResourceKind): Promise<StackOperationResult> {
  const held = env.service.holdCreation(nameIn(stack, constructPath), kind);
  const doomed = env.service.holdCreation('doomed');
  env.service.failCreation('doomed', 'Quota of dataset groups reached');
  env.cloudformation.onCancel = () => held.release();
  const deployed = env.deploy(stack.template);
  await held.reached;
  doomed.release();

  const result = await deployed;

  const logicalId = stack.logicalIds[constructPath];
  expect(result.status).toBe('ROLLBACK_COMPLETE');
  expect(result.operations.find((o) => o.logicalId === logicalId && o.phase === 'create'))
    .toMatchObject({ status: 'FAILED', reason: 'Resource creation cancelled' });
  expect(result.operations.find((o) => o.logicalId === logicalId && o.phase === 'rollback'))
    .toMatchObject({ status: 'SUCCESS', physicalId: expect.stringMatching(new RegExp(`^LifecycleStack-${logicalId}-`)) });
  return result;
}

/**
 * Deploys `stack` with its first `Create<Operation>` and `Describe<Operation>` calls
 * throttled twice each, expects CREATE_COMPLETE, and checks the create was retried.
 */
export async function deployThrottled(env: LifecycleEnvironment, stack: SynthesizedStack, operation: string): Promise<void> {
  env.service.inject(`Create${operation}` as OperationName, { kind: 'throttle', times: 2 });
  env.service.inject(`Describe${operation}` as OperationName, { kind: 'throttle', times: 2 });

  const result = await env.deploy(stack.template);

  expect({ status: result.status, firstFailure: result.firstFailure?.reason }).toEqual({ status: 'CREATE_COMPLETE', firstFailure: undefined });
  expect(env.service.calls.filter((c) => c.operation === `Create${operation}`).map((c) => c.errorType ?? 'ok'))
    .toEqual(['LimitExceededException', 'LimitExceededException', 'ok']);
}

/**
 * Deploys `stack`, whose construct at `constructPath` (a resource of `kind`) ends CREATE
 * FAILED with `reason`; expects the rollback and returns the first line of the stack's reason.
 */
export async function deployFailingCreation(env: LifecycleEnvironment, stack: SynthesizedStack, constructPath: string,
  kind: ResourceKind, reason: string): Promise<string | undefined> {
  env.service.failCreation(nameIn(stack, constructPath), reason, kind);

  const result = await env.deploy(stack.template);

  expect(result.status).toBe('ROLLBACK_COMPLETE');
  return result.firstFailure?.reason?.split('\n')[0];
}
