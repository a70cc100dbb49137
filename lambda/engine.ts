/**
 * The lifecycle engine, the same for every resource kind.
 *
 * onEvent (Provider framework) starts the operation: Create, an in-place Update,
 * a replacement (a Create under a new name, whose new ARN tells CloudFormation to
 * delete the old one later) or Delete. It then polls briefly, so that the common
 * case completes within about a second of the service reporting ACTIVE, and hands
 * what it knows to isComplete, which keeps polling until the total timeout.
 *
 * Every service status maps to exactly one outcome: done, wait or fail.
 * Creates are not idempotent in the API, so a retried Create that meets
 * ResourceAlreadyExists adopts the resource only if it carries this stack
 * resource's owner tag (or, for untaggable kinds, identical content).
 */
import { Clock } from './clock';
import { log } from './log';
import { KindContext, Observation, Operation, ResourceKind } from './resource-kind';
import { describeError, isErrorNamed, isThrottling, RetryPolicy, DEFAULT_RETRY_POLICY, withRetries } from './retry';

export type Outcome = 'done' | 'wait' | 'fail';

/** Personalize statuses, matched exactly (they contain spaces). */
const STATUS_OUTCOMES: Record<string, Outcome> = {
  'ACTIVE': 'done',
  'CREATE PENDING': 'wait',
  'CREATE IN_PROGRESS': 'wait',
  'CREATE FAILED': 'fail',
  'UPDATE PENDING': 'wait',
  'UPDATE IN_PROGRESS': 'wait',
  'UPDATE FAILED': 'fail',
  'DELETE PENDING': 'wait',
  'DELETE IN_PROGRESS': 'wait',
};

const DELETING_STATUSES = new Set(['DELETE PENDING', 'DELETE IN_PROGRESS']);

/** Maps a status seen while creating or updating to its outcome. */
export function outcomeOf(status: string): Outcome {
  if (DELETING_STATUSES.has(status)) return 'fail';
  return STATUS_OUTCOMES[status] ?? 'fail';
}

/**
 * How long and how often to poll. The delay between Describe calls grows with the
 * time already waited (4% of it, at least 1 s, at most 15 s), so the completion
 * signal lags the service by at most max(1 s, ~4% of the wait) while the Describe
 * rate stays at or below one per second.
 */
export interface WaitPolicy {
  readonly minDelayMs: number;
  readonly delayFraction: number;
  readonly maxDelayMs: number;
  /** How long onEvent keeps polling before handing over to isComplete. */
  readonly onEventWindowMs: number;
  /** How long one isComplete invocation keeps polling before returning IsComplete: false. */
  readonly isCompleteWindowMs: number;
  /** From the start of the operation until it is failed with a timeout reason. */
  readonly totalTimeoutMs: number;
}

export const DEFAULT_WAIT_POLICY: WaitPolicy = {
  minDelayMs: 1_000,
  delayFraction: 0.04,
  maxDelayMs: 15_000,
  onEventWindowMs: 120_000,
  isCompleteWindowMs: 60_000,
  totalTimeoutMs: 30 * 60_000,
};

export function pollDelayMs(policy: WaitPolicy, elapsedMs: number): number {
  return Math.min(policy.maxDelayMs, Math.max(policy.minDelayMs, Math.round(elapsedMs * policy.delayFraction)));
}

/** The slice of a CloudFormation custom resource event the engine reads. */
export interface LifecycleEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResourceType: string;
  readonly LogicalResourceId: string;
  readonly StackId: string;
  readonly RequestId?: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  readonly OldResourceProperties?: Record<string, unknown>;
  /** Set by onEvent's result; the Provider framework passes it on to isComplete. */
  readonly Lifecycle?: Handoff;
  readonly Data?: Record<string, string>;
}

/** What onEvent tells isComplete about the operation in flight. */
export interface Handoff {
  readonly operation: Operation;
  readonly startedAt: number;
  readonly settled: boolean;
  /**
   * Why the operation failed after the resource was created. onEvent must not throw
   * then: the Provider framework would answer with a placeholder physical ID and
   * swallow the rollback Delete, leaking the resource. isComplete reports it instead.
   */
  readonly failure?: string;
  /** True when a new resource replaces an old one; a failed replacement is deleted again. */
  readonly replacement?: boolean;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  readonly Lifecycle: Handoff;
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

export interface EngineOptions {
  readonly kinds: ReadonlyArray<ResourceKind<any>>;
  readonly clock: Clock;
  readonly waitPolicy?: WaitPolicy;
  readonly retryPolicy?: RetryPolicy;
}

export class LifecycleEngine {
  private readonly kinds = new Map<string, ResourceKind<any>>();
  private readonly clock: Clock;
  private readonly waitPolicy: WaitPolicy;
  private readonly retryPolicy: RetryPolicy;

  constructor(options: EngineOptions) {
    for (const kind of options.kinds) this.kinds.set(kind.resourceType, kind);
    this.clock = options.clock;
    this.waitPolicy = options.waitPolicy ?? DEFAULT_WAIT_POLICY;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
  }

  public async onEvent(event: LifecycleEvent): Promise<OnEventResult> {
    const driver = this.driverFor(event);
    const startedAt = this.clock.now();
    log('info', 'onEvent', { requestType: event.RequestType, resourceType: event.ResourceType, logicalId: event.LogicalResourceId });

    switch (event.RequestType) {
      case 'Create':
        return driver.create(event.ResourceProperties, startedAt);
      case 'Update':
        return driver.update(event, startedAt);
      case 'Delete':
        return driver.delete(event.PhysicalResourceId ?? '', startedAt);
      default:
        throw new Error(`Unknown RequestType '${(event as LifecycleEvent).RequestType}'`);
    }
  }

  public async isComplete(event: LifecycleEvent): Promise<IsCompleteResult> {
    const handoff = event.Lifecycle ?? { operation: operationOf(event), startedAt: this.clock.now(), settled: false };
    if (handoff.settled) return { IsComplete: true };
    return this.driverFor(event).continueWaiting(event.PhysicalResourceId ?? '', handoff);
  }

  private driverFor(event: LifecycleEvent): ResourceDriver {
    const kind = this.kinds.get(event.ResourceType);
    if (!kind) {
      throw new Error(`This handler does not manage resource type '${event.ResourceType}' (known: ${[...this.kinds.keys()].join(', ')})`);
    }
    // StackId: arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/GUID
    const [, partition, , region, account, resource] = event.StackId.split(':');
    const stackName = (resource ?? '').split('/')[1] ?? 'unknown-stack';
    const clock = this.clock;
    const retryPolicy = this.retryPolicy;
    const context: KindContext = {
      clock,
      partition,
      region,
      account,
      owner: ownerTagValue(stackName, event.LogicalResourceId),
      call: (operation, attempt) => withRetries(operation, clock, attempt, retryPolicy),
    };
    const requested = event.RequestType === 'Delete' ? undefined : event.ResourceProperties;
    return new ResourceDriver(kind, context, this.waitPolicy, event.LogicalResourceId, requested);
  }
}

/** Drives one resource of one kind through one request. */
class ResourceDriver {
  private readonly clock: Clock;
  /** What the stack asks for, parsed once; absent for a delete. */
  private readonly requestedProps?: unknown;
  /**
   * The context for looks while waiting: a throttled Describe is not retried at
   * once but ends the look, and the next one comes later. Many resources waiting
   * at once then back off instead of crowding out each other's Create and Delete calls.
   */
  private readonly pollContext: KindContext;
  /** Why the service last refused a delete (ResourceInUse), for the timeout reason. */
  private lastRefusal?: string;
  /** The throttle that ended the last look, if it was throttled. */
  private lastThrottle?: string;
  /** The status the last look of this invocation saw ('gone' when the resource no longer exists). */
  private lastStatus?: string;

  constructor(
    private readonly kind: ResourceKind<any>,
    private readonly context: KindContext,
    private readonly waitPolicy: WaitPolicy,
    private readonly logicalId: string,
    requested?: Record<string, unknown>,
  ) {
    this.clock = context.clock;
    this.requestedProps = requested === undefined ? undefined : kind.parse(requested);
    this.pollContext = {
      ...context,
      call: (operation, attempt) => context.call(operation, async () => {
        try {
          return await attempt();
        } catch (error) {
          if (isThrottling(error)) throw new ThrottledLook(`${operation} was throttled: ${describeError(error)}`);
          throw error;
        }
      }),
    };
  }

  public async create(properties: Record<string, unknown>, startedAt: number, replacement = false): Promise<OnEventResult> {
    const arn = await this.createOrAdopt(this.kind.parse(properties));
    return this.waitThenHandOver(arn, 'create', startedAt, replacement);
  }

  public async update(event: LifecycleEvent, startedAt: number): Promise<OnEventResult> {
    const kind = this.kind;
    const newProps = kind.parse(event.ResourceProperties);
    const oldProps = kind.parse(event.OldResourceProperties ?? {});
    const physicalId = event.PhysicalResourceId ?? '';
    if (!kind.isOwnPhysicalId(physicalId)) return this.create(event.ResourceProperties, startedAt);

    const causes = kind.replacementCauses(oldProps, newProps);
    if (causes.length === 0) {
      await kind.update(this.context, physicalId, oldProps, newProps);
      return this.waitThenHandOver(physicalId, 'update', startedAt);
    }

    const name = kind.nameOf(newProps);
    if (name === kind.nameOf(oldProps)) {
      // The rollback of a refused change asks for what the resource still is: nothing to replace.
      if (kind.arnOf(this.context, newProps) === physicalId && await kind.isOwned(this.context, physicalId, newProps)) {
        await kind.update(this.context, physicalId, oldProps, newProps);
        return this.waitThenHandOver(physicalId, 'update', startedAt);
      }
      throw new Error(`Changing ${causes.join(', ')} of ${kind.noun} '${name}' needs a replacement, but the replacement `
        + `would have the same name as the ${kind.noun} it replaces, and names are unique. Change ${kind.nameProperty} `
        + '(or remove it to let the library generate one) in the same deployment.');
    }
    // A new ARN makes this a replacement: CloudFormation deletes the old resource after the update.
    log('info', 'replacing', { logicalId: this.logicalId, causes: causes.join(',') });
    return this.create(event.ResourceProperties, startedAt, true);
  }

  public async delete(physicalId: string, startedAt: number): Promise<OnEventResult> {
    const alreadyDone = { PhysicalResourceId: physicalId, Lifecycle: { operation: 'delete' as const, startedAt, settled: true } };
    if (!this.kind.isOwnPhysicalId(physicalId)) {
      // A failed Create leaves the framework's placeholder ID, not an ARN: there is nothing to delete.
      log('info', 'nothing to delete: the physical ID is not an ARN this handler created', { logicalId: this.logicalId });
      return alreadyDone;
    }
    if (await this.startDelete(physicalId) === 'gone') return alreadyDone;
    return this.waitThenHandOver(physicalId, 'delete', startedAt);
  }

  public async continueWaiting(physicalId: string, handoff: Handoff): Promise<IsCompleteResult> {
    if (handoff.operation === 'delete' && !this.kind.isOwnPhysicalId(physicalId)) return { IsComplete: true };

    if (handoff.failure !== undefined) return this.fail(physicalId, handoff, handoff.failure);

    const windowEnd = this.clock.now() + this.waitPolicy.isCompleteWindowMs;
    let attributes: Record<string, string> | undefined;
    try {
      attributes = await this.waitUntilSettled(physicalId, handoff.operation, handoff.startedAt, windowEnd);
    } catch (error) {
      return this.fail(physicalId, handoff, (error as Error).message);
    }
    if (attributes) return { IsComplete: true, Data: handoff.operation === 'delete' ? undefined : attributes };

    const elapsedMs = this.clock.now() - handoff.startedAt;
    if (elapsedMs < this.waitPolicy.totalTimeoutMs) return { IsComplete: false };
    if (this.lastStatus === undefined) {
      // Invoked after the deadline without a look of its own: one last look decides, so a done resource is not failed.
      try {
        const settled = await this.poll(physicalId, handoff.operation);
        if (settled) return { IsComplete: true, Data: handoff.operation === 'delete' ? undefined : settled };
      } catch (error) {
        return this.fail(physicalId, handoff, (error as Error).message);
      }
    }
    const refusal = (handoff.operation === 'delete' && this.lastRefusal ? ` Personalize refused the delete: ${this.lastRefusal}` : '')
      + (this.lastThrottle ? ` ${this.lastThrottle}` : '');
    return this.fail(physicalId, handoff, `Timed out after ${Math.round(elapsedMs / 1000)} s waiting for ${this.kind.noun} `
      + `${physicalId} to ${handoff.operation === 'delete' ? 'be deleted' : 'become ACTIVE'}; last status: ${this.lastStatus ?? 'unknown'}.${refusal}`);
  }

  /**
   * Reports a failure to CloudFormation (by throwing). A failed replacement is
   * deleted first, since CloudFormation keeps the old resource and forgets the new one.
   */
  private async fail(physicalId: string, handoff: Handoff, reason: string): Promise<never> {
    if (!handoff.replacement) throw new Error(reason);
    let cleanup: string;
    try {
      const start = await this.startDelete(physicalId);
      cleanup = start === 'blocked'
        ? `The replacement ${physicalId} could not be deleted yet (still in use or being created); delete it once it settles.`
        : `The replacement ${physicalId} is being deleted.`;
    } catch (error) {
      cleanup = `Deleting the replacement ${physicalId} failed (${describeError(error)}); delete it by hand.`;
    }
    log('warn', 'replacement failed', { arn: physicalId, cleanup });
    throw new Error(`${reason} ${cleanup}`);
  }

  private async createOrAdopt(props: unknown): Promise<string> {
    const kind = this.kind;
    try {
      return await kind.create(this.context, props);
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw error;
      const arn = kind.arnOf(this.context, props);
      if (await kind.isOwned(this.context, arn, props)) {
        log('info', 'adopting a resource this stack resource created earlier', { arn });
        return arn;
      }
      throw new Error(`A ${kind.noun} named '${kind.nameOf(props)}' already exists (${arn}) and was not created by this `
        + `stack resource. Choose another ${kind.nameProperty}, or delete the existing ${kind.noun}.`);
    }
  }

  private async startDelete(arn: string): Promise<'started' | 'gone' | 'blocked'> {
    try {
      await this.kind.delete(this.context, arn);
      return 'started';
    } catch (error) {
      if (isErrorNamed(error, 'ResourceNotFoundException')) return 'gone';
      // Children still deleting, or the resource is still settling: keep polling and retry the delete.
      if (isErrorNamed(error, 'ResourceInUseException')) {
        this.lastRefusal = (error as Error).message;
        return 'blocked';
      }
      throw error;
    }
  }

  private async waitThenHandOver(arn: string, operation: Operation, startedAt: number, replacement = false): Promise<OnEventResult> {
    const windowEnd = startedAt + this.waitPolicy.onEventWindowMs;
    let attributes: Record<string, string> | undefined;
    try {
      attributes = await this.waitUntilSettled(arn, operation, startedAt, windowEnd, this.kind.firstPollDelayMs);
    } catch (error) {
      if (operation === 'delete') throw error;
      const failure = (error as Error).message;
      return { PhysicalResourceId: arn, Lifecycle: { operation, startedAt, settled: false, failure, replacement } };
    }
    const settled = attributes !== undefined;
    return {
      PhysicalResourceId: arn,
      Data: settled && operation !== 'delete' ? attributes : undefined,
      Lifecycle: { operation, startedAt, settled, replacement },
    };
  }

  /**
   * Polls until the operation settles (returns the attributes), fails (throws), or
   * the window ends (returns undefined). The last look is taken at the total deadline.
   */
  private async waitUntilSettled(arn: string, operation: Operation, startedAt: number, windowEnd: number,
    firstDelayMs?: number): Promise<Record<string, string> | undefined> {
    const totalDeadline = startedAt + this.waitPolicy.totalTimeoutMs;
    let delayMs = firstDelayMs ?? pollDelayMs(this.waitPolicy, this.clock.now() - startedAt);
    let lookAt = this.clock.now() + delayMs;
    for (;;) {
      if (this.clock.now() >= totalDeadline) return undefined;
      lookAt = Math.min(lookAt, totalDeadline);
      if (lookAt > windowEnd) return undefined;
      await this.clock.sleep(Math.max(0, lookAt - this.clock.now()));
      const settled = await this.poll(arn, operation);
      if (settled) return settled;
      // After a throttled look the next one waits about twice as long; a successful look restores the schedule.
      delayMs = this.lastThrottle === undefined
        ? pollDelayMs(this.waitPolicy, lookAt - startedAt)
        : Math.min(this.waitPolicy.maxDelayMs, Math.round(Math.max(delayMs, this.waitPolicy.minDelayMs) * (1.5 + this.clock.random())));
      // Looks keep their cadence from the previous look's start, so a slow answer does not stretch the schedule.
      lookAt = Math.max(lookAt + delayMs, this.clock.now());
    }
  }

  /** One look at the resource: attributes when done, undefined to keep waiting; throws on failure. */
  private async poll(arn: string, operation: Operation): Promise<Record<string, string> | undefined> {
    const noun = this.kind.noun;
    // Failed Describes are retried inside the call; only a persistent fault gets here as an error.
    let observation: Observation | undefined;
    try {
      observation = await this.kind.observe(this.pollContext, arn, operation, operation === 'delete' ? undefined : this.requestedProps);
      this.lastThrottle = undefined;
      this.lastStatus = observation?.status ?? 'gone';
    } catch (error) {
      if (!(error instanceof ThrottledLook)) throw error;
      this.lastThrottle = error.message;
      return undefined;
    }

    if (operation === 'delete') {
      if (!observation) return {};
      if (DELETING_STATUSES.has(observation.status)) return undefined;
      if (observation.status === 'DELETE FAILED') {
        throw new Error(`Personalize could not delete ${noun} ${arn}: ${observation.failureReason ?? 'no reason given'}`);
      }
      // Not deleting yet: an earlier Delete was refused (in use) or the resource was still being created.
      return (await this.startDelete(arn)) === 'gone' ? {} : undefined;
    }

    if (!observation) {
      throw new Error(`${capitalize(noun)} ${arn} disappeared while waiting for it to become ACTIVE; it was probably deleted outside CloudFormation.`);
    }
    const outcome = outcomeOf(observation.status);
    if (outcome === 'done') return observation.attributes;
    if (outcome === 'wait') return undefined;
    throw new Error(`Personalize reported ${observation.status} for ${noun} ${arn}: ${observation.failureReason ?? 'no reason given'}`);
  }

}

/** A throttled Describe while waiting: not retried at once, and not a failure. */
class ThrottledLook extends Error {}

function operationOf(event: LifecycleEvent): Operation {
  return event.RequestType === 'Delete' ? 'delete' : event.RequestType === 'Create' ? 'create' : 'update';
}

/** `STACK/LOGICALID`, kept within the 256 characters a tag value allows. */
export function ownerTagValue(stackName: string, logicalId: string): string {
  return `${stackName}/${logicalId}`.slice(0, 256);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
