/** Assertions the lifecycle scenarios share. */
import { Phase, StackOperationResult, StackStatus } from './cloudformation';
import { LifecycleEnvironment, VerifyOptions } from './environment';
import { SimClock } from './sim-clock';

/** The stack ended in `status`, and (for a *_COMPLETE of a forward operation) no resource failed on the way. */
export async function expectStatus(
  operation: Promise<StackOperationResult> | StackOperationResult, status: StackStatus,
): Promise<StackOperationResult> {
  const result = await operation;
  expect({ status: result.status, firstFailure: result.firstFailure?.reason }).toEqual({ status, firstFailure: undefined });
  return result;
}

/** Deletes the stack, expects DELETE_COMPLETE and checks the scenario invariants. */
export async function destroyAndVerify(env: LifecycleEnvironment, options: VerifyOptions = {}): Promise<void> {
  await expectStatus(env.destroy(), 'DELETE_COMPLETE');
  await env.verify(options);
}

/** [requestType, logicalId, status, physicalId] of each resource operation of a phase, in completion order. */
export function operationsIn(result: StackOperationResult, phase: Phase): Array<[string, string, string, string | undefined]> {
  return result.operations.filter((o) => o.phase === phase).map((o) => [o.requestType, o.logicalId, o.status, o.physicalId]);
}

/** Answers the service gave to one operation: 'ok' or the error type, in order. */
export function answersTo(env: LifecycleEnvironment, operation: string): string[] {
  return env.service.calls.filter((c) => c.operation === operation).map((c) => c.errorType ?? (c.status === 200 ? 'ok' : String(c.status)));
}

/**
 * Waits until `condition` holds: for ordering a scenario on events (a request
 * sent, a response recorded), never on elapsed time. The harness's clock checks it
 * at every quiet point before it moves time, so nothing happens in between.
 */
export function until(condition: () => boolean): Promise<void> {
  return SimClock.untilAny(condition);
}
