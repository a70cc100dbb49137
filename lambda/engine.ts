/**
 * The lifecycle engine, the same for every resource kind.
 *
 * onEvent (Provider framework) starts the operation: Create, an in-place Update,
 * a replacement (a Create under a new name, whose new ARN tells CloudFormation to
 * delete the old one later) or Delete. It then polls briefly, so that the common
 * case completes within about a second of the service reporting ACTIVE, and hands
 * what it knows to isComplete, which keeps polling until the total timeout.
 *
 * Each kind maps its service's statuses to a Condition (ready, busy, failed,
 * deleting, deleteFailed); the engine turns those into done, wait or fail.
 *
 * Ownership (ADR 0005): creates are not idempotent in the API, so a Create that
 * meets ResourceAlreadyExists adopts the resource only if the kind proves it is
 * this stack resource's own. A Delete removes only what the kind proves is this
 * stack resource's own, in the stack's account and region; anything else is left
 * alone and reported deleted. A Delete whose physical ID CloudFormation made up
 * (a Create it cancelled) finds the resource by its deterministic name, waits for
 * a Create still in flight to land, and deletes it if it is ours.
 *
 * Time: no invocation outlives its Lambda: waiting windows and retries end a
 * margin before the invocation's own deadline.
 */
import { Clock } from './clock';
import { log } from './log';
import { Condition, KindContext, Observation, Operation, ResourceKind } from './resource-kind';
import {
  describeError, isErrorNamed, isThrottling, OutOfInvocationTime, RetriesExhausted, RetryPolicy, DEFAULT_RETRY_POLICY, withRetries,
} from './retry';
import { Attributes, CONTRACT_VERSION } from '../src/private/contract';
import { HANDLER_TIMINGS } from '../src/private/handler-timings';

export type Outcome = 'done' | 'wait' | 'fail';

/** What a condition seen while creating or updating means for the operation. */
export function outcomeOf(condition: Condition): Outcome {
  if (condition === 'ready') return 'done';
  if (condition === 'busy') return 'wait';
  return 'fail';
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
  /** Kept free at the end of every invocation: no wait or retry runs into it, so the engine, not Lambda, has the last word. */
  readonly invocationMarginMs: number;
  /**
   * How long a Delete for a cancelled Create watches for the resource to appear: the
   * longest a cancelled onEvent can still start a Create (its retry budget) plus one request.
   */
  readonly cancelledCreateGraceMs: number;
  /** How old a resource a cancelled Create made can be when its Delete arrives (for kinds the service cannot tag). */
  readonly cancelledCreateMaxAgeMs: number;
  /** How long a delete refused because of children nobody is deleting is retried before it fails, listing them. */
  readonly blockedDeleteGraceMs: number;
  /** How far the service's clock may lag the handler's, when creation times are compared. */
  readonly clockSkewMs: number;
}

export const DEFAULT_WAIT_POLICY: WaitPolicy = {
  minDelayMs: 1_000,
  delayFraction: 0.04,
  maxDelayMs: 15_000,
  onEventWindowMs: HANDLER_TIMINGS.onEventWindowMs,
  isCompleteWindowMs: HANDLER_TIMINGS.isCompleteWindowMs,
  totalTimeoutMs: HANDLER_TIMINGS.operationTimeoutMs,
  invocationMarginMs: HANDLER_TIMINGS.invocationMarginMs,
  cancelledCreateGraceMs: 150_000,
  cancelledCreateMaxAgeMs: 15 * 60_000,
  blockedDeleteGraceMs: 2 * 60_000,
  clockSkewMs: 5_000,
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
  /** The ARN acted on when the physical ID is not one (a Delete after a cancelled Create). */
  readonly target?: string;
  /** A Delete after a cancelled Create: the Create may still land, so a missing resource is watched for a while. */
  readonly cancelledCreate?: boolean;
  /** An update that waits for an operation in flight to settle before it is applied. */
  readonly applyPending?: boolean;
  /**
   * Until when (epoch ms) an in-place update keeps making the service match: set when the
   * service already held the request although the previous properties differ, as in the
   * rollback of an update CloudFormation cancelled, whose calls may still land.
   */
  readonly guardUntil?: number;
  /**
   * The rollback of a replacement CloudFormation cancelled: the replacement may exist
   * (or still appear) under this ARN, unknown to CloudFormation, and is deleted too.
   */
  readonly orphan?: string;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, string>;
  /**
   * The attributes hold a secret: CloudFormation masks them in outputs and events. The Provider
   * framework answers with the NoEcho of onEvent's result (it ignores one from isComplete).
   */
  readonly NoEcho?: boolean;
  readonly Lifecycle: Handoff;
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  readonly Data?: Record<string, string>;
}

/** The part of Lambda's context object the engine reads. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
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

  public async onEvent(event: LifecycleEvent, invocation?: InvocationContext): Promise<OnEventResult> {
    const startedAt = this.clock.now();
    const driver = this.driverFor(event, invocation);
    log('info', 'onEvent', { requestType: event.RequestType, resourceType: event.ResourceType, logicalId: event.LogicalResourceId });

    // A delete goes ahead whatever wrote the resource, so that a stack can always be removed.
    if (event.RequestType !== 'Delete') refuseNewerContract(event.ResourceProperties);
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

  public async isComplete(event: LifecycleEvent, invocation?: InvocationContext): Promise<IsCompleteResult> {
    const handoff = validHandoff(event) ?? { operation: operationOf(event), startedAt: this.clock.now(), settled: false };
    if (handoff.settled) return { IsComplete: true };
    return this.driverFor(event, invocation).continueWaiting(event.PhysicalResourceId ?? '', handoff);
  }

  private driverFor(event: LifecycleEvent, invocation?: InvocationContext): ResourceDriver {
    const kind = this.kinds.get(event.ResourceType);
    if (!kind) {
      throw new Error(`This handler does not manage resource type '${event.ResourceType}' (known: ${[...this.kinds.keys()].join(', ')})`);
    }
    // StackId: arn:PARTITION:cloudformation:REGION:ACCOUNT:stack/NAME/GUID
    const [, partition, , region, account, resource] = event.StackId.split(':');
    const stackName = (resource ?? '').split('/')[1] ?? 'unknown-stack';
    const clock = this.clock;
    const retryPolicy = this.retryPolicy;
    const deadline = invocation ? clock.now() + invocation.getRemainingTimeInMillis() - this.waitPolicy.invocationMarginMs : undefined;
    const context: KindContext = {
      clock,
      partition,
      region,
      account,
      owner: ownerTagValue(stackName, event.LogicalResourceId),
      call: (operation, attempt) => withRetries(operation, clock, attempt, retryPolicy, deadline),
    };
    return new ResourceDriver(kind, context, this.waitPolicy, event, deadline);
  }
}

/**
 * Refuses properties written for a newer contract than this handler's: two copies of the
 * library in one app share the stack's provider, and the first copy's handler serves the
 * constructs of both, so a newer construct may send what this handler would misread.
 */
export function refuseNewerContract(properties: Record<string, unknown> | undefined): void {
  const written = properties?.ContractVersion;
  if (written === undefined || Number(written) <= Number(CONTRACT_VERSION)) return;
  throw new Error(`This resource was synthesized for handler contract ${String(written)}, but the stack's handler knows contract `
    + `${CONTRACT_VERSION}: the app holds two versions of cdk-personalize. Use one version of the library in the app.`);
}

/** Drives one resource of one kind through one request. */
class ResourceDriver {
  private readonly clock: Clock;
  /** What the stack asks for (absent for a delete), parsed once: strictly, so that a malformed property fails the request. */
  private readonly requestedProps?: unknown;
  /** The properties a Delete carries, for finding and proving what to delete; undefined when they do not parse. */
  private readonly deletedProps?: unknown;
  /**
   * The context for looks while waiting: a throttled Describe, or one cut short by
   * the invocation's deadline, is not retried at once but ends the look, and the
   * next one comes later. Many resources waiting at once then back off instead of
   * crowding out each other's Create and Delete calls.
   */
  private readonly pollContext: KindContext;
  /** Why the service last refused a delete (ResourceInUse), for the timeout reason. */
  private lastRefusal?: string;
  /** The throttle that ended the last look, if it was throttled. */
  private lastThrottle?: string;
  /** The status the last look of this invocation saw ('gone' when the resource no longer exists). */
  private lastStatus?: string;
  /** Set once the kind has proved the resource a Delete acts on is this stack resource's own. */
  private ownershipProven = false;
  /** An update waiting for an operation in flight; cleared once applied. */
  private applyPending = false;
  private readonly logicalId: string;
  /** Deletes what a cancelled replacement left, with the properties it was made with. */
  private readonly orphanCleaner?: ResourceDriver;
  /** The attributes of what the request asks for hold a secret (ResourceKind.hasSecretAttributes). */
  private readonly secretAttributes: boolean;

  constructor(
    private readonly kind: ResourceKind<any>,
    private readonly context: KindContext,
    private readonly waitPolicy: WaitPolicy,
    event: LifecycleEvent,
    private readonly deadline?: number,
  ) {
    this.clock = context.clock;
    this.logicalId = event.LogicalResourceId;
    if (event.RequestType === 'Delete') this.deletedProps = parseLeniently(kind, event.ResourceProperties);
    else this.requestedProps = kind.parse(event.ResourceProperties);
    this.secretAttributes = event.RequestType !== 'Delete' && kind.hasSecretAttributes?.(this.requestedProps) === true;
    if (event.RequestType === 'Update' && event.OldResourceProperties) {
      this.orphanCleaner = new ResourceDriver(kind, context, waitPolicy,
        { ...event, RequestType: 'Delete', ResourceProperties: event.OldResourceProperties }, deadline);
    }
    this.pollContext = {
      ...context,
      call: (operation, attempt) => context.call(operation, async () => {
        try {
          return await attempt();
        } catch (error) {
          if (isThrottling(error)) throw new InconclusiveLook(`${operation} was throttled: ${describeError(error)}`);
          throw error;
        }
      }).catch((error) => {
        if (error instanceof OutOfInvocationTime) throw new InconclusiveLook(error.message);
        throw error;
      }),
    };
  }

  public async create(properties: Record<string, unknown>, startedAt: number, replacement = false, orphan?: string,
    forUpdate = false): Promise<OnEventResult> {
    const arn = await this.createOrAdopt(this.kind.parse(properties), startedAt, forUpdate);
    return this.waitThenHandOver(arn, { operation: 'create', startedAt, settled: false, replacement, orphan });
  }

  public async update(event: LifecycleEvent, startedAt: number): Promise<OnEventResult> {
    const kind = this.kind;
    const newProps = this.requestedProps;
    const oldProps = parseLeniently(kind, event.OldResourceProperties ?? {}) ?? newProps;
    const physicalId = event.PhysicalResourceId ?? '';
    if (!kind.isOwnPhysicalId(physicalId)) return this.create(event.ResourceProperties, startedAt);

    const causes = kind.replacementCauses(oldProps, newProps);
    if (causes.length === 0) return this.applyInPlace(physicalId, oldProps, startedAt);

    // CloudFormation rolls back to the resource it knows, whose ARN the requested props give; the replacement
    // the cancelled update was making, under the old props' ARN, never reached CloudFormation.
    const replacementArn = kind.arnOf(this.context, oldProps);
    if (replacementArn !== physicalId && await this.locates(newProps, physicalId)) {
      log('info', 'rolling back a cancelled replacement', { logicalId: this.logicalId, orphan: replacementArn });
      return this.create(event.ResourceProperties, startedAt, false, replacementArn, true);
    }

    const name = kind.nameOf(newProps);
    if (name === kind.nameOf(oldProps)) {
      // The rollback of a refused change asks for what the resource still is: nothing to replace.
      if (kind.arnOf(this.context, newProps) === physicalId
        && await kind.isOwned(this.context, physicalId, newProps, { purpose: 'adopt' })) {
        return this.applyInPlace(physicalId, oldProps, startedAt);
      }
      throw new Error(`Changing ${causes.join(', ')} of ${kind.noun} '${name}' needs a replacement, but the replacement `
        + `would have the same name as the ${kind.noun} it replaces, and names are unique. Change ${kind.nameProperty} `
        + '(or remove it to let the library generate one) in the same deployment.');
    }
    // A new ARN makes this a replacement: CloudFormation deletes the old resource after the update.
    log('info', 'replacing', { logicalId: this.logicalId, causes: causes.join(',') });
    return this.create(event.ResourceProperties, startedAt, true, undefined, true);
  }

  /** Whether `props` lead to the resource at `physicalId`. */
  private async locates(props: unknown, physicalId: string): Promise<boolean> {
    const located = this.kind.arnOf(this.context, props);
    if (located === physicalId) return true;
    if (this.kind.isOwnPhysicalId(located)) return false;
    // A kind whose ARN the service picks answers with a locator: follow it to the resource it finds, if any.
    const found = await this.kind.observe(this.context, located, 'update');
    return found?.attributes[Attributes.ARN] === physicalId;
  }

  public async delete(physicalId: string, startedAt: number): Promise<OnEventResult> {
    const handoff: Handoff = { operation: 'delete', startedAt, settled: true };
    const alreadyDone = { PhysicalResourceId: physicalId, Lifecycle: handoff };
    if (this.kind.isOwnPhysicalId(physicalId)) {
      if (!this.inStackAccountAndRegion(physicalId)) {
        log('warn', 'not deleting: the physical ID is in another account or region than the stack', { logicalId: this.logicalId });
        return alreadyDone;
      }
      return this.waitThenHandOver(physicalId, { ...handoff, settled: false });
    }
    // CloudFormation made this physical ID up for a Create it cancelled; that Create may have made, or may still make, the resource.
    if (this.deletedProps === undefined) {
      log('info', 'nothing to delete: no ARN and no properties to find one by', { logicalId: this.logicalId });
      return alreadyDone;
    }
    const target = this.kind.arnOf(this.context, this.deletedProps);
    log('info', 'looking for what a cancelled create made', { logicalId: this.logicalId, arn: target });
    return this.waitThenHandOver(physicalId, { ...handoff, settled: false, target, cancelledCreate: true });
  }

  public async continueWaiting(physicalId: string, handoffOfOnEvent: Handoff): Promise<IsCompleteResult> {
    let handoff = handoffOfOnEvent;
    if (handoff.failure !== undefined) return this.fail(physicalId, handoff, handoff.failure);
    if (handoff.operation === 'delete' && handoff.target === undefined && !this.kind.isOwnPhysicalId(physicalId)) {
      // No handoff of onEvent's (or one that was ignored): find what a cancelled Create may have made, as onEvent does.
      if (this.deletedProps === undefined) return { IsComplete: true };
      handoff = { ...handoff, target: this.kind.arnOf(this.context, this.deletedProps), cancelledCreate: true };
    }
    const arn = handoff.target ?? physicalId;
    if (!this.inStackAccountAndRegion(arn)) {
      log('warn', 'not acting: the ARN is in another account or region than the stack', { logicalId: this.logicalId });
      return { IsComplete: true };
    }
    this.applyPending = handoff.applyPending === true;

    const windowEnd = this.windowEnd(this.clock.now() + this.waitPolicy.isCompleteWindowMs);
    let attributes: Record<string, string> | undefined;
    try {
      attributes = await this.waitUntilSettled(arn, handoff, windowEnd);
    } catch (error) {
      return this.fail(arn, handoff, (error as Error).message);
    }
    if (attributes) return { IsComplete: true, Data: handoff.operation === 'delete' ? undefined : attributes };

    const elapsedMs = this.clock.now() - handoff.startedAt;
    if (elapsedMs < this.waitPolicy.totalTimeoutMs) return { IsComplete: false };
    if (this.lastStatus === undefined) {
      // Invoked after the deadline without a look of its own: one last look decides, so a done resource is not failed.
      try {
        const settled = await this.poll(arn, handoff);
        if (settled) return { IsComplete: true, Data: handoff.operation === 'delete' ? undefined : settled };
      } catch (error) {
        return this.fail(arn, handoff, (error as Error).message);
      }
    }
    const refusal = (handoff.operation === 'delete' && this.lastRefusal ? ` ${this.kind.service} refused the delete: ${this.lastRefusal}` : '')
      + (this.lastThrottle ? ` ${this.lastThrottle}` : '');
    return this.fail(arn, handoff, `Timed out after ${Math.round(elapsedMs / 1000)} s waiting for ${this.kind.noun} `
      + `${arn} to ${handoff.operation === 'delete' ? 'be deleted' : 'be ready'}; last status: ${this.lastStatus ?? 'unknown'}.${refusal}`);
  }

  /**
   * Reports a failure to CloudFormation (by throwing). A failed replacement is
   * deleted first, since CloudFormation keeps the old resource and forgets the new one.
   */
  private async fail(arn: string, handoff: Handoff, reason: string): Promise<never> {
    if (!handoff.replacement) throw new Error(reason);
    let cleanup: string;
    try {
      const start = await this.startDelete(arn);
      cleanup = start === 'blocked'
        ? `The replacement ${arn} could not be deleted yet (still in use or being created); delete it once it settles.`
        : `The replacement ${arn} is being deleted.`;
    } catch (error) {
      cleanup = `Deleting the replacement ${arn} failed (${describeError(error)}); delete it by hand.`;
    }
    log('warn', 'replacement failed', { arn, cleanup });
    throw new Error(`${reason} ${cleanup}`);
  }

  private async createOrAdopt(props: unknown, startedAt: number, forUpdate: boolean): Promise<string> {
    const kind = this.kind;
    try {
      return await kind.create(this.context, props);
    } catch (error) {
      if (!isErrorNamed(error, 'ResourceAlreadyExistsException')) throw namingTheResource(error, `create ${kind.noun} '${kind.nameOf(props)}'`, kind);
      const arn = kind.arnOf(this.context, props);
      // A resource a Create made (its response was lost) is no older than the request. An Update of an
      // existing stack resource may ask for one of any age: a rollback returns to the resource it replaced.
      const question = {
        purpose: 'adopt' as const,
        createdNoEarlierThan: forUpdate ? undefined : startedAt - this.waitPolicy.clockSkewMs,
      };
      if (await kind.isOwned(this.context, arn, props, question)) {
        log('info', 'adopting a resource this stack resource created', { arn });
        return arn;
      }
      throw new Error(`A ${kind.noun} named '${kind.nameOf(props)}' already exists (${arn}) and this stack resource cannot prove `
        + `it made it. Choose another ${kind.nameProperty} (or remove it to let the library generate one), or delete the existing `
        + `${kind.noun} if nothing else uses it.`);
    }
  }

  /** Applies an in-place change now, or once an operation in flight (perhaps one CloudFormation cancelled) has settled. */
  private async applyInPlace(arn: string, oldProps: unknown, startedAt: number): Promise<OnEventResult> {
    const handoff: Handoff = { operation: 'update', startedAt, settled: false };
    const now = await this.kind.observe(this.context, arn, 'update', this.requestedProps);
    if (!now) throw new Error(`${capitalize(this.kind.noun)} ${arn} no longer exists; it was probably deleted outside CloudFormation.`);
    if (now.condition === 'busy') {
      log('info', 'waiting for an operation in flight before updating', { arn, status: now.status });
      this.applyPending = true;
      return this.waitThenHandOver(arn, { ...handoff, applyPending: true });
    }
    const heldPrevious = await this.kind.update(this.context, arn, oldProps, this.requestedProps);
    // The resource was not what the previous request asked for: that request's calls (an update CloudFormation
    // cancelled) may still land, so keep making the service match for as long as they could be sent.
    const mayMeetCancelledCalls = heldPrevious === false && JSON.stringify(oldProps) !== JSON.stringify(this.requestedProps);
    const guardUntil = mayMeetCancelledCalls ? startedAt + this.waitPolicy.cancelledCreateGraceMs : undefined;
    return this.waitThenHandOver(arn, { ...handoff, guardUntil });
  }

  private async startDelete(arn: string): Promise<'started' | 'gone' | 'blocked'> {
    try {
      await this.kind.delete(this.context, arn, this.deletedProps);
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

  /**
   * A refused delete waits for blockers that go away by themselves; blockers that
   * nobody is deleting fail it once blockedDeleteGraceMs has passed, with their ARNs.
   */
  private async checkBlockers(arn: string, startedAt: number): Promise<void> {
    if (!this.kind.blockers || this.clock.now() - startedAt < this.waitPolicy.blockedDeleteGraceMs) return;
    const { remaining, hint } = await this.kind.blockers(this.pollContext, arn, this.deletedProps);
    if (remaining.length === 0) return;
    const shown = remaining.slice(0, 10).join(', ') + (remaining.length > 10 ? ` and ${remaining.length - 10} more` : '');
    throw new Error(`${this.kind.service} refused to delete ${this.kind.noun} ${arn}: ${remaining.length} resource(s) that nobody `
      + `is deleting still block it: ${shown}. ${hint ?? this.kind.blockedDeleteHint ?? 'Delete them'}, then delete again.`);
  }

  private async waitThenHandOver(physicalId: string, handoff: Handoff): Promise<OnEventResult> {
    const arn = handoff.target ?? physicalId;
    const windowEnd = this.windowEnd(handoff.startedAt + this.waitPolicy.onEventWindowMs);
    const firstDelayMs = handoff.operation === 'create' ? this.kind.firstPollDelayMs : 0;
    let attributes: Record<string, string> | undefined;
    const noEcho = this.secretAttributes ? { NoEcho: true } : {};
    try {
      attributes = await this.waitUntilSettled(arn, handoff, windowEnd, firstDelayMs);
    } catch (error) {
      if (handoff.operation === 'delete') throw error;
      return { PhysicalResourceId: physicalId, ...noEcho, Lifecycle: { ...handoff, failure: (error as Error).message } };
    }
    // Secret attributes are left to isComplete, which looks again: onEvent's result is the waiter's execution input.
    const settled = attributes !== undefined && !this.secretAttributes;
    return {
      PhysicalResourceId: physicalId,
      Data: settled && handoff.operation !== 'delete' ? attributes : undefined,
      ...noEcho,
      Lifecycle: { ...handoff, settled },
    };
  }

  /** The end of a waiting window, and no later than the invocation's own deadline. */
  private windowEnd(wanted: number): number {
    return this.deadline === undefined ? wanted : Math.min(wanted, this.deadline);
  }

  /**
   * Polls until the operation settles (returns the attributes), fails (throws), or
   * the window ends (returns undefined). The last look is taken at the total deadline.
   */
  private async waitUntilSettled(arn: string, handoff: Handoff, windowEnd: number,
    firstDelayMs?: number): Promise<Record<string, string> | undefined> {
    const totalDeadline = handoff.startedAt + this.waitPolicy.totalTimeoutMs;
    let delayMs = firstDelayMs ?? pollDelayMs(this.waitPolicy, this.clock.now() - handoff.startedAt);
    let lookAt = this.clock.now() + delayMs;
    for (;;) {
      if (this.clock.now() >= totalDeadline) return undefined;
      lookAt = Math.min(lookAt, totalDeadline);
      if (lookAt > windowEnd) return undefined;
      await this.clock.sleep(Math.max(0, lookAt - this.clock.now()));
      const settled = await this.poll(arn, handoff);
      if (settled) return settled;
      // After a throttled look the next one waits about twice as long; a successful look restores the schedule.
      delayMs = this.lastThrottle === undefined
        ? pollDelayMs(this.waitPolicy, lookAt - handoff.startedAt)
        : Math.min(this.waitPolicy.maxDelayMs, Math.round(Math.max(delayMs, this.waitPolicy.minDelayMs) * (1.5 + this.clock.random())));
      // Looks keep their cadence from the previous look's start, so a slow answer does not stretch the schedule.
      lookAt = Math.max(lookAt + delayMs, this.clock.now());
    }
  }

  /** One look at the resource: attributes when done, undefined to keep waiting; throws on failure. */
  private async poll(arn: string, handoff: Handoff): Promise<Record<string, string> | undefined> {
    // Failed Describes are retried inside the call; only a persistent fault gets here as an error.
    let observation: Observation | undefined;
    try {
      observation = await this.kind.observe(this.pollContext, arn, handoff.operation,
        handoff.operation === 'delete' ? undefined : this.requestedProps);
      this.lastThrottle = undefined;
      this.lastStatus = observation?.status ?? 'gone';
      if (handoff.operation === 'delete') return await this.deleteStep(arn, handoff, observation);
      const attributes = await this.createOrUpdateStep(arn, observation, handoff);
      if (attributes && handoff.orphan && this.orphanCleaner && !await this.orphanCleaner.deleteOrphan(handoff)) return undefined;
      return attributes;
    } catch (error) {
      if (handoff.operation === 'delete' && !this.ownershipProven && this.kind.ownerTagGatesIam && deniedByIam(error)) {
        // IAM lets this stack read what it did not name only under its own owner tag: the resource is someone else's.
        log('warn', 'not deleting: IAM denies this stack reading it, so its owner tag names no resource of this stack', { logicalId: this.logicalId, arn });
        return {};
      }
      // A Delete or update call cut short by the invocation's deadline is inconclusive too: the next invocation goes on.
      if (!(error instanceof InconclusiveLook) && !(error instanceof OutOfInvocationTime)) throw error;
      this.lastThrottle = (error as Error).message;
      return undefined;
    }
  }

  private async createOrUpdateStep(arn: string, observation: Observation | undefined,
    handoff: Handoff): Promise<Record<string, string> | undefined> {
    const { kind } = this;
    if (!observation) {
      throw new Error(`${capitalize(kind.noun)} ${arn} disappeared while waiting for it to be ready; it was probably deleted outside CloudFormation.`);
    }
    if (this.applyPending && observation.condition !== 'busy') {
      // What was in flight has settled: now make the service hold what the stack asks for.
      await kind.update(this.context, arn, this.requestedProps, this.requestedProps);
      this.applyPending = false;
      return undefined;
    }
    const outcome = outcomeOf(observation.condition);
    if (outcome === 'fail' && handoff.guardUntil !== undefined && this.clock.now() < handoff.guardUntil) {
      // Not what the stack asks for: a cancelled request's call may have landed after this one looked. Make it match again.
      await kind.update(this.context, arn, this.requestedProps, this.requestedProps);
      return undefined;
    }
    if (outcome === 'done' && handoff.guardUntil !== undefined) {
      // Undo whatever a cancelled call changed meanwhile; done once no such call can come any more.
      await kind.update(this.context, arn, this.requestedProps, this.requestedProps);
      if (this.clock.now() < handoff.guardUntil) return undefined;
    }
    if (outcome === 'done') return observation.attributes;
    if (outcome === 'wait') return undefined;
    throw new Error(`${kind.service} reported ${observation.status} for ${kind.noun} ${arn}: ${observation.failureReason ?? 'no reason given'}`);
  }

  private async deleteStep(arn: string, handoff: Handoff, observation: Observation | undefined): Promise<Record<string, string> | undefined> {
    const { kind } = this;
    if (!observation) {
      // A cancelled Create may still land: watch for it as long as that Create could start.
      const stillPossible = handoff.cancelledCreate && this.clock.now() - handoff.startedAt < this.waitPolicy.cancelledCreateGraceMs;
      return stillPossible ? undefined : {};
    }
    if (!this.ownershipProven) {
      const question = {
        purpose: 'delete' as const,
        createdNoEarlierThan: handoff.cancelledCreate ? handoff.startedAt - this.waitPolicy.cancelledCreateMaxAgeMs : undefined,
      };
      if (!await kind.isOwned(this.pollContext, arn, this.deletedProps, question)) {
        log('warn', 'not deleting: this stack resource cannot prove it made this resource', { logicalId: this.logicalId, arn });
        return {};
      }
      this.ownershipProven = true;
    }
    if (observation.condition === 'deleting') return undefined;
    if (observation.condition === 'deleteFailed') {
      throw new Error(`${kind.service} could not delete ${kind.noun} ${arn}: ${observation.failureReason ?? 'no reason given'}`);
    }
    // Not deleting yet: the first look, an earlier Delete was refused (in use), or the resource was still being created.
    const start = await this.startDelete(arn);
    if (start === 'gone') return {};
    if (start === 'blocked' && observation.condition !== 'busy') await this.checkBlockers(arn, handoff.startedAt);
    return undefined;
  }

  /** One step of deleting what a cancelled replacement made; true once nothing of it is left. */
  public async deleteOrphan(handoff: Handoff): Promise<boolean> {
    const orphan = handoff.orphan!;
    let observation: Observation | undefined;
    try {
      observation = await this.kind.observe(this.pollContext, orphan, 'delete');
    } catch (error) {
      if (!deniedByIam(error)) throw error;
      // The template this rollback restores does not name the replacement: IAM lets the handler see it only under this
      // stack's owner tag (or generated name, for kinds IAM sees no tags of), which a replacement never made lacks.
      log('warn', 'not looking for a cancelled replacement IAM denies reading: if it exists, delete it by hand', { logicalId: this.logicalId, orphan });
      return true;
    }
    const asDelete: Handoff = { operation: 'delete', startedAt: handoff.startedAt, settled: false, cancelledCreate: true };
    return (await this.deleteStep(orphan, asDelete, observation)) !== undefined;
  }

  private inStackAccountAndRegion(arn: string): boolean {
    const [, , , region, account] = arn.split(':');
    return region === this.context.region && account === this.context.account;
  }
}

/**
 * The service's own error says what is wrong but not with what: it gets the resource's name. Errors the
 * handler words itself (retries exhausted, ownership) already name what they are about.
 */
function namingTheResource(error: unknown, what: string, kind: ResourceKind<any>): unknown {
  if ((error as { $metadata?: unknown })?.$metadata === undefined) return error;
  return new Error(`${kind.service} refused to ${what}: ${describeError(error)}`);
}

/** A look that saw nothing conclusive (throttled, or cut short by the invocation's deadline): not a failure. */
class InconclusiveLook extends Error {}

function operationOf(event: LifecycleEvent): Operation {
  return event.RequestType === 'Delete' ? 'delete' : event.RequestType === 'Create' ? 'create' : 'update';
}

/** The operations onEvent hands over for each request type: an Update may create (a replacement). */
const HANDOFF_OPERATIONS: Record<LifecycleEvent['RequestType'], Operation[]> = {
  Create: ['create'],
  Update: ['update', 'create'],
  Delete: ['delete'],
};

/** onEvent's handoff, unless it is malformed or contradicts the request (then isComplete starts afresh). */
function validHandoff(event: LifecycleEvent): Handoff | undefined {
  const handoff = event.Lifecycle as Partial<Handoff> | undefined;
  if (!handoff || typeof handoff !== 'object') return undefined;
  const allowed = HANDOFF_OPERATIONS[event.RequestType] ?? [];
  if (!allowed.includes(handoff.operation as Operation) || typeof handoff.startedAt !== 'number' || typeof handoff.settled !== 'boolean') {
    log('warn', 'ignoring a handoff that does not match the request', { requestType: event.RequestType });
    return undefined;
  }
  return handoff as Handoff;
}

/** The properties of a Delete or of the previous deployment: what can be read of them, or undefined. */
function parseLeniently(kind: ResourceKind<any>, properties: Record<string, unknown> | undefined): unknown {
  try {
    return properties === undefined ? undefined : kind.parse(properties);
  } catch {
    return undefined;
  }
}

/** `STACK/LOGICALID`, kept within the 256 characters a tag value allows. */
export function ownerTagValue(stackName: string, logicalId: string): string {
  return `${stackName}/${logicalId}`.slice(0, 256);
}

/** AccessDenied, answered at once or after the retries IAM propagation gets. */
function deniedByIam(error: unknown): boolean {
  return isErrorNamed(error, 'AccessDeniedException') || (error instanceof RetriesExhausted && isErrorNamed(error.lastError, 'AccessDeniedException'));
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
