/**
 * CloudFormation, as far as the custom resources of one stack see it:
 *
 * - Create: resources in dependency order, independent ones in parallel. After a
 *   failure no new resource starts and those in flight are cancelled: CloudFormation
 *   stops waiting for them ("Resource creation cancelled") while their handlers run
 *   on, unheard. The rollback sends a Delete, in reverse order, for everything
 *   created, for the failed resource with the physical ID its FAILED response
 *   carried, and for each cancelled one with a physical ID CloudFormation makes up
 *   (`STACK-LOGICALID-SUFFIX`), since no response named one.
 * - Update: new resources get Create, changed ones Update (a new physical ID in
 *   the response is a replacement); the cleanup phase then deletes replaced and
 *   removed resources, and its failures do not fail the update. After a failure,
 *   every resource updated so far, and each failed one with the physical ID its
 *   FAILED response carried, gets an Update back to its old properties
 *   (ResourceProperties = old, OldResourceProperties = new); the rollback cleanup
 *   then deletes what the update created and every physical ID a response replaced.
 *   A stack whose update rollback failed (UPDATE_ROLLBACK_FAILED) is finished with
 *   `continueUpdateRollback(resourcesToSkip)`, as `aws cloudformation continue-update-rollback` does.
 * - Delete: reverse dependency order; DeletionPolicy Retain skips the request.
 *
 * CloudFormation accepts the first response to a request; a duplicate delivery's
 * response is recorded and ignored. A response body over 4,096 bytes fails the resource.
 *
 * It also plays AWS::CloudFormation::WaitConditionHandle (its Ref is a URL on a local
 * signal endpoint) and AWS::CloudFormation::WaitCondition: its create waits for Count
 * SUCCESS signals, fails on a FAILURE signal with its Reason, is cancelled like any
 * create in flight, and times out after its Timeout on the harness's virtual clock, or
 * when the test says so (`expireWaitConditions`).
 */
import { randomBytes, randomUUID } from 'crypto';
import { CfnRequest, CfnResponse, ProviderFramework } from './provider-framework';
import { SignalEndpoint } from './signals';
import { SimClock } from './sim-clock';
import { DeployedAttributes, isPlayedType, StackIdentity, StackTemplate, TemplateError, TemplateJson, WAIT_CONDITION, WAIT_CONDITION_HANDLE } from './template';

export type StackStatus =
  | 'CREATE_COMPLETE' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_COMPLETE' | 'UPDATE_ROLLBACK_COMPLETE' | 'UPDATE_ROLLBACK_FAILED'
  | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type Phase = 'create' | 'rollback' | 'update' | 'cleanup' | 'update-rollback' | 'rollback-cleanup' | 'delete';

/** What happened to one resource in one phase: CloudFormation's resource event. */
export interface ResourceOperation {
  readonly phase: Phase;
  readonly logicalId: string;
  readonly requestType: CfnRequest['RequestType'];
  /** Absent when CloudFormation failed the resource without asking the provider, e.g. a missing GetAtt attribute. */
  readonly request?: CfnRequest;
  readonly status: 'SUCCESS' | 'FAILED' | 'SKIPPED';
  readonly reason: string;
  readonly physicalId?: string;
  readonly data?: Record<string, unknown>;
  /** The response's NoEcho: CloudFormation masks the resource's attributes in outputs and events (never in what it passes on). */
  readonly noEcho?: boolean;
  readonly durationMs: number;
  /** CloudFormation stopped waiting for this request because another resource failed. */
  readonly cancelled?: boolean;
}

export interface StackOperationResult {
  readonly status: StackStatus;
  readonly operations: ResourceOperation[];
  /** The first resource that failed: what the console shows as the cause. */
  readonly firstFailure?: ResourceOperation;
}

/** How a request is delivered: once, or twice (as an asynchronous Lambda invocation may be). */
export interface DeliveryPlan {
  readonly times: 1 | 2;
  /** Both deliveries at once, or the second after the first has answered. */
  readonly concurrent?: boolean;
}

/** One request CloudFormation sent, every response the framework sent for it, and the one it accepted. */
export interface RequestRecord {
  readonly phase: Phase;
  readonly request: CfnRequest;
  readonly responses: CfnResponse[];
  readonly accepted: CfnResponse;
  readonly deliveries: number;
  /** The request was cancelled: its responses came after CloudFormation had stopped listening. */
  readonly cancelled: boolean;
}

/** CloudFormation's signal to stop waiting for what is in flight, once a resource has failed. */
class Cancellation {
  public cancelled = false;
  public readonly signal: Promise<void>;
  private fire!: () => void;

  constructor() {
    this.signal = new Promise((resolve) => {
      this.fire = resolve;
    });
  }

  public cancel(): void {
    this.cancelled = true;
    this.fire();
  }
}

interface DeployedResource extends DeployedAttributes {
  readonly type: string;
  readonly properties: Record<string, unknown>;
}

/** A physical resource CloudFormation is about to act on, under the logical ID it belongs to. */
interface Entry {
  readonly logicalId: string;
  readonly resource: DeployedResource;
}

/** A resource as CloudFormation holds it. */
export interface HeldResource {
  readonly logicalId: string;
  readonly type: string;
  readonly physicalId: string;
  readonly properties: Record<string, unknown>;
}

/** An update whose rollback failed: what continue-update-rollback needs to finish it. */
interface StalledRollback {
  /** The template of the update that failed. */
  readonly template: StackTemplate;
  readonly before: Map<string, DeployedResource>;
  readonly toRollBack: string[];
  readonly created: string[];
  readonly abandoned: Entry[];
}

const MAX_RESPONSE_BYTES = 4096;

export class LocalCloudFormation {
  public readonly requests: RequestRecord[] = [];
  public readonly history: StackOperationResult[] = [];
  /** Called once a phase's first failure has cancelled what was in flight; tests release held operations here. */
  public onCancel?: (phase: Phase) => void;
  private readonly deployed = new Map<string, DeployedResource>();
  /** Deliveries CloudFormation stopped waiting for, which the framework still runs to the end. */
  private readonly unheard = new Set<Promise<unknown>>();
  private readonly unheardRequests = new Set<string>();
  private template?: StackTemplate;
  /** The template of a stack that was deleted. */
  private lastTemplate?: StackTemplate;
  /** What an update rollback that failed still has to do, for continue-update-rollback. */
  private stalledRollback?: StalledRollback;
  /** Where wait condition handles are signalled. */
  public readonly signals: SignalEndpoint;
  /** Called when a wait condition starts waiting, with its logical ID; tests make things happen meanwhile. */
  public onWaitCondition?: (logicalId: string) => void;
  /** Wait conditions waiting now, and how to time each out. */
  private readonly waiting = new Map<string, () => void>();

  constructor(private readonly framework: ProviderFramework, public readonly identity: StackIdentity, private readonly clock: SimClock,
    signals?: SignalEndpoint) {
    this.signals = signals ?? new SignalEndpoint(identity.stackId, identity.region);
  }

  /** Decides how each request is delivered; once by default. */
  public deliveryPlan: (request: CfnRequest) => DeliveryPlan = () => ({ times: 1 });

  /** The physical ID CloudFormation holds for a resource, if it exists. */
  public physicalIdOf(logicalId: string): string | undefined {
    return this.deployed.get(logicalId)?.physicalId;
  }

  /** Every resource CloudFormation holds: its type, physical ID and the properties it was last given. */
  public resources(): HeldResource[] {
    return [...this.deployed].map(([logicalId, { type, physicalId, properties }]) => ({ logicalId, type, physicalId, properties }));
  }

  /** The attributes (response Data) CloudFormation holds for a resource. */
  public attributesOf(logicalId: string): Record<string, unknown> | undefined {
    return this.deployed.get(logicalId)?.data;
  }

  /** Waits until every cancelled request's handler has finished, as the invariants need. */
  public async settled(): Promise<void> {
    while (this.unheard.size > 0) await Promise.all([...this.unheard]);
  }

  /** Times out every wait condition waiting now, as its Timeout running out would. */
  public expireWaitConditions(): void {
    for (const expire of [...this.waiting.values()]) expire();
  }

  /** The logical IDs of the wait conditions waiting now. */
  public waitingConditions(): string[] {
    return [...this.waiting.keys()];
  }

  /** Nothing of CloudFormation's own runs on after a test: wait conditions' signals arrive through the local S3. */
  public async stop(): Promise<void> {
    this.waiting.clear();
  }

  /**
   * The template whose resources CloudFormation is working on: the new one during an update, the
   * old one during its rollback; after a delete, the last one (handlers CloudFormation stopped
   * waiting for still run as its roles).
   */
  public activeTemplate(): TemplateJson | undefined {
    return (this.template ?? this.lastTemplate)?.json;
  }

  /** What CloudFormation holds for a custom resource now: its physical ID and Data, or undefined. */
  public deployedResource(logicalId: string): DeployedAttributes | undefined {
    return this.deployed.get(logicalId);
  }

  /** The resource of the template deployed now (or being deployed), as the template declares it. */
  public templateResource(logicalId: string): { Type: string; Properties?: Record<string, unknown> } | undefined {
    return this.template?.json.Resources[logicalId];
  }

  /** A resource's properties with every intrinsic resolved, as CloudFormation would pass them. */
  public resolvedProperties(logicalId: string): Record<string, unknown> {
    if (!this.template) throw new Error('No template is deployed');
    return this.template.resolveProperties(logicalId, this.identity, (ref) => this.deployed.get(ref));
  }

  /** Creates the stack, or updates it when it exists. */
  public async deploy(json: TemplateJson): Promise<StackOperationResult> {
    this.stalledRollback = undefined;
    const template = new StackTemplate(json);
    const result = this.template && this.deployed.size > 0 ? await this.update(template) : await this.create(template);
    this.history.push(result);
    return result;
  }

  public async destroy(): Promise<StackOperationResult> {
    this.stalledRollback = undefined;
    const template = this.template;
    const operations: ResourceOperation[] = [];
    const entries: Entry[] = [];
    for (const [logicalId, resource] of this.deployed) {
      if (template?.json.Resources[logicalId]?.DeletionPolicy?.startsWith('Retain')) {
        operations.push({ phase: 'delete', logicalId, requestType: 'Delete', status: 'SKIPPED', reason: 'DeletionPolicy Retain', durationMs: 0 });
        this.deployed.delete(logicalId);
      } else {
        entries.push({ logicalId, resource });
      }
    }
    const ok = await this.deleteAll('delete', template, entries, operations);
    if (ok) {
      this.lastTemplate = this.template;
      this.template = undefined;
    }
    const result = summarize(ok ? 'DELETE_COMPLETE' : 'DELETE_FAILED', operations);
    this.history.push(result);
    return result;
  }

  private async create(template: StackTemplate): Promise<StackOperationResult> {
    this.template = template;
    const operations: ResourceOperation[] = [];
    const failed: Entry[] = [];
    const ids = template.customResourceIds();
    const cancellation = this.cancellationFor('create');

    const ok = await runInOrder(ids, (id) => dependenciesAmong(template, id, ids), async (id) => {
      const operation = await this.createResource('create', template, id, cancellation);
      operations.push(operation);
      if (operation.status !== 'SUCCESS') failed.push(...failedCreate(template, operation));
      return operation.status === 'SUCCESS';
    }, () => cancellation.cancel());
    if (ok) return summarize('CREATE_COMPLETE', operations);

    // The rollback deletes what was created and, under the physical ID its FAILED response named, the failed resource.
    const created = [...this.deployed].map(([logicalId, resource]) => ({ logicalId, resource }));
    const rolledBack = await this.deleteAll('rollback', template, [...created, ...failed], operations);
    return summarize(rolledBack ? 'ROLLBACK_COMPLETE' : 'ROLLBACK_FAILED', operations);
  }

  private async update(template: StackTemplate): Promise<StackOperationResult> {
    const oldTemplate = this.template!;
    const before = new Map(this.deployed);
    const operations: ResourceOperation[] = [];
    const ids = template.customResourceIds();
    const created: string[] = [];
    const updated: string[] = [];
    /** Old resources whose Update returned a new physical ID. */
    const replaced: Entry[] = [];
    /** What the rollback cleanup deletes besides the resources this update created. */
    const abandoned: Entry[] = [];
    /** Updates that answered FAILED: several can, when they fail at once before CloudFormation cancels the others. */
    const failedUpdates: string[] = [];
    /** Updates CloudFormation stopped waiting for: rolled back like the updated ones. */
    const cancelledUpdates: string[] = [];
    const cancellation = this.cancellationFor('update');

    this.template = template;
    const ok = await runInOrder(ids, (id) => dependenciesAmong(template, id, ids), async (id) => {
      const existing = this.deployed.get(id);
      if (!existing) {
        const operation = await this.createResource('update', template, id, cancellation);
        operations.push(operation);
        if (operation.status === 'SUCCESS') created.push(id);
        else abandoned.push(...failedCreate(template, operation));
        return operation.status === 'SUCCESS';
      }
      let properties: Record<string, unknown>;
      try {
        properties = template.resolveProperties(id, this.identity, (ref) => this.deployed.get(ref));
      } catch (error) {
        operations.push(templateFailure('update', id, 'Update', error));
        return false;
      }
      if (canonical(properties) === canonical(existing.properties)) return true;

      const operation = await this.request('update', {
        RequestType: 'Update',
        LogicalResourceId: id,
        ResourceType: existing.type,
        ResourceProperties: properties,
        OldResourceProperties: existing.properties,
        PhysicalResourceId: existing.physicalId,
      }, cancellation);
      operations.push(operation);
      if (operation.cancelled) {
        this.deployed.set(id, { ...existing, properties });
        cancelledUpdates.push(id);
        return false;
      }
      // Even a FAILED response's physical ID is what CloudFormation records, and rolls back.
      const physicalId = operation.physicalId ?? existing.physicalId;
      this.deployed.set(id, { type: existing.type, physicalId, data: operation.data ?? {}, properties });
      if (operation.status !== 'SUCCESS') {
        failedUpdates.push(id);
        return false;
      }
      if (physicalId !== existing.physicalId) replaced.push({ logicalId: id, resource: existing });
      updated.push(id);
      return true;
    }, () => cancellation.cancel());

    if (ok) {
      const removed = [...before].filter(([id]) => !ids.includes(id)).map(([logicalId, resource]) => ({ logicalId, resource }));
      for (const { logicalId } of removed) this.deployed.delete(logicalId);
      // Cleanup failures are reported but do not fail the update.
      await this.deleteAll('cleanup', oldTemplate, [...replaced, ...removed], operations);
      return summarize('UPDATE_COMPLETE', operations);
    }

    // Every resource updated so far, and the failed one, gets an Update back to its old properties.
    this.template = oldTemplate;
    const toRollBack = oldTemplate.customResourceIds()
      .filter((id) => updated.includes(id) || cancelledUpdates.includes(id) || failedUpdates.includes(id));
    const rolledBack = await runInOrder(toRollBack, (id) => dependenciesAmong(oldTemplate, id, toRollBack),
      (id) => this.rollBackUpdate(id, before.get(id)!, this.deployed.get(id)!, abandoned, operations));
    this.stalledRollback = { template, before, toRollBack, created, abandoned };
    if (!rolledBack) return summarize('UPDATE_ROLLBACK_FAILED', operations);
    return this.finishRollback(operations);
  }

  /**
   * `aws cloudformation continue-update-rollback --resources-to-skip`, after
   * UPDATE_ROLLBACK_FAILED: each resource not rolled back yet gets its rollback
   * Update again, except the skipped ones, which CloudFormation records as rolled
   * back (under their current physical ID) without asking the provider; then the
   * rollback cleanup runs.
   */
  public async continueUpdateRollback(resourcesToSkip: string[] = []): Promise<StackOperationResult> {
    const stalled = this.stalledRollback;
    if (!stalled) throw new Error('continue-update-rollback needs a stack in UPDATE_ROLLBACK_FAILED');
    const operations: ResourceOperation[] = [];
    const oldTemplate = this.template!;
    const pending = stalled.toRollBack.filter((id) => canonical(this.deployed.get(id)?.properties) !== canonical(stalled.before.get(id)!.properties));
    const rolledBack = await runInOrder(pending, (id) => dependenciesAmong(oldTemplate, id, pending), async (id) => {
      const old = stalled.before.get(id)!;
      const now = this.deployed.get(id)!;
      if (resourcesToSkip.includes(id)) {
        operations.push({ phase: 'update-rollback', logicalId: id, requestType: 'Update', status: 'SKIPPED', reason: 'Resource skipped', physicalId: now.physicalId, durationMs: 0 });
        this.deployed.set(id, { ...now, properties: old.properties });
        return true;
      }
      return this.rollBackUpdate(id, old, now, stalled.abandoned, operations);
    });
    const result = rolledBack ? await this.finishRollback(operations) : summarize('UPDATE_ROLLBACK_FAILED', operations);
    this.history.push(result);
    return result;
  }

  /** The rollback cleanup: deletes what the update created and what the rollback moved away from. */
  private async finishRollback(operations: ResourceOperation[]): Promise<StackOperationResult> {
    const { template, created, abandoned } = this.stalledRollback!;
    this.stalledRollback = undefined;
    const createdHere = created.map((logicalId) => ({ logicalId, resource: this.deployed.get(logicalId)! }));
    for (const logicalId of created) this.deployed.delete(logicalId);
    await this.deleteAll('rollback-cleanup', template, [...createdHere, ...abandoned], operations);
    return summarize('UPDATE_ROLLBACK_COMPLETE', operations);
  }

  /** One rollback Update: back to the old properties, under the physical ID CloudFormation holds now. */
  private async rollBackUpdate(
    id: string, old: DeployedResource, now: DeployedResource, abandoned: Entry[], operations: ResourceOperation[],
  ): Promise<boolean> {
    const operation = await this.request('update-rollback', {
      RequestType: 'Update',
      LogicalResourceId: id,
      ResourceType: old.type,
      ResourceProperties: old.properties,
      OldResourceProperties: now.properties,
      PhysicalResourceId: now.physicalId,
    });
    operations.push(operation);
    if (operation.status !== 'SUCCESS') return false;
    const physicalId = operation.physicalId ?? now.physicalId;
    if (physicalId !== now.physicalId) abandoned.push({ logicalId: id, resource: now });
    this.deployed.set(id, { type: old.type, physicalId, data: operation.data ?? {}, properties: old.properties });
    return true;
  }

  private async createResource(phase: Phase, template: StackTemplate, id: string, cancellation: Cancellation): Promise<ResourceOperation> {
    let properties: Record<string, unknown>;
    try {
      properties = template.resolveProperties(id, this.identity, (ref) => this.deployed.get(ref));
    } catch (error) {
      return templateFailure(phase, id, 'Create', error);
    }
    const type = template.resource(id).Type;
    const operation = await this.request(phase, {
      RequestType: 'Create', LogicalResourceId: id, ResourceType: type, ResourceProperties: properties,
    }, cancellation);
    if (operation.status === 'SUCCESS') this.deployed.set(id, { type, physicalId: operation.physicalId!, data: operation.data ?? {}, properties });
    return operation;
  }

  /**
   * Deletes resources in reverse dependency order. A resource that is deleted leaves
   * the stack; one whose Delete fails stays (DELETE_FAILED). Returns false after any failure.
   */
  private async deleteAll(phase: Phase, template: StackTemplate | undefined, entries: Entry[], operations: ResourceOperation[]): Promise<boolean> {
    const keys = entries.map((_, index) => String(index));
    const entryOf = (key: string) => entries[Number(key)];
    const dependents = (key: string) => keys.filter((other) => other !== key && template?.json.Resources[entryOf(other).logicalId] !== undefined
      && template.customDependenciesOf(entryOf(other).logicalId).has(entryOf(key).logicalId));
    return runInOrder(keys, dependents, async (key) => {
      const { logicalId, resource } = entryOf(key);
      const operation = await this.request(phase, {
        RequestType: 'Delete',
        LogicalResourceId: logicalId,
        ResourceType: resource.type,
        ResourceProperties: resource.properties,
        PhysicalResourceId: resource.physicalId,
      });
      operations.push(operation);
      const ok = operation.status === 'SUCCESS';
      if (ok && this.deployed.get(logicalId)?.physicalId === resource.physicalId) this.deployed.delete(logicalId);
      if (!ok && (phase === 'rollback' || phase === 'delete')) this.deployed.set(logicalId, resource);
      return ok;
    });
  }

  private cancellationFor(phase: Phase): Cancellation {
    const cancellation = new Cancellation();
    void cancellation.signal.then(() => this.onCancel?.(phase));
    return cancellation;
  }

  /**
   * Sends one request and waits for the response CloudFormation accepts (the first).
   * With a cancellation, it stops waiting once cancelled: the operation is FAILED
   * as cancelled, and the deliveries run on unheard.
   */
  /**
   * True when CloudFormation stopped listening to the request (its operation was cancelled
   * before any delivery answered): what its deliveries still do runs under whatever grants
   * the stack has by then, and their answers reach no one.
   */
  public wasUnheard(requestId: string): boolean {
    return this.unheardRequests.has(requestId);
  }

  private async request(phase: Phase, fields: Omit<CfnRequest, 'ServiceToken' | 'ResponseURL' | 'StackId' | 'RequestId'>,
    cancellation?: Cancellation): Promise<ResourceOperation> {
    if (isPlayedType(fields.ResourceType)) return this.play(phase, fields, cancellation);
    const requestId = randomUUID();
    const request: CfnRequest = {
      ServiceToken: String(fields.ResourceProperties.ServiceToken ?? ''),
      ResponseURL: `https://cloudformation-custom-resource-response-${this.identity.region.replace(/-/g, '')}.s3.amazonaws.com/`
        + `${encodeURIComponent(this.identity.stackId)}%7C${fields.LogicalResourceId}%7C${requestId}?X-Amz-Signature=harness`,
      StackId: this.identity.stackId,
      RequestId: requestId,
      ...fields,
    };
    const started = this.clock.now();
    const plan = this.deliveryPlan(request);
    let accepted: CfnResponse | undefined;
    const deliverOnce = async () => {
      const response = await this.framework.deliver(request);
      accepted ??= response;
      return response;
    };
    const allDeliveries = (async () => {
      if (plan.times === 2 && plan.concurrent) return Promise.all([deliverOnce(), deliverOnce()]);
      const responses: CfnResponse[] = [];
      for (let i = 0; i < plan.times; i++) responses.push(await deliverOnce());
      return responses;
    })();
    const record = (responses: CfnResponse[], cancelled: boolean) => this.requests.push({
      phase, request, responses, accepted: withinSizeLimit(accepted!), deliveries: plan.times, cancelled,
    });

    const first = await Promise.race([allDeliveries, cancellation?.signal.then(() => 'cancelled' as const) ?? new Promise<never>(() => {})]);
    if (first === 'cancelled' && accepted === undefined) {
      this.unheardRequests.add(requestId);
      const unheard = allDeliveries.then((responses) => record(responses, true)).finally(() => this.unheard.delete(unheard));
      this.unheard.add(unheard);
      return {
        phase,
        logicalId: request.LogicalResourceId,
        requestType: request.RequestType,
        request,
        status: 'FAILED',
        reason: `Resource ${request.RequestType === 'Create' ? 'creation' : 'update'} cancelled`,
        physicalId: request.RequestType === 'Create' ? this.inventedPhysicalId(request.LogicalResourceId) : request.PhysicalResourceId,
        durationMs: this.clock.now() - started,
        cancelled: true,
      };
    }
    const responses = await allDeliveries;
    record(responses, false);
    const response = withinSizeLimit(accepted!);
    return {
      phase,
      logicalId: request.LogicalResourceId,
      requestType: request.RequestType,
      request,
      status: response.Status,
      reason: response.Reason,
      physicalId: response.PhysicalResourceId,
      data: response.Data,
      noEcho: response.NoEcho,
      durationMs: this.clock.now() - started,
    };
  }

  /** A wait condition handle or wait condition, as CloudFormation itself runs them. */
  private async play(phase: Phase, fields: Omit<CfnRequest, 'ServiceToken' | 'ResponseURL' | 'StackId' | 'RequestId'>,
    cancellation?: Cancellation): Promise<ResourceOperation> {
    const started = this.clock.now();
    const base = { phase, logicalId: fields.LogicalResourceId, requestType: fields.RequestType };
    const done = (status: 'SUCCESS' | 'FAILED', reason: string, physicalId?: string, data?: Record<string, unknown>, cancelled?: boolean) =>
      ({ ...base, status, reason, physicalId, data, durationMs: this.clock.now() - started, cancelled });
    if (fields.RequestType === 'Delete') return done('SUCCESS', '', fields.PhysicalResourceId);
    if (fields.RequestType === 'Update') {
      return done('FAILED', `Update of resource type ${fields.ResourceType} is not supported`, fields.PhysicalResourceId);
    }
    if (fields.ResourceType === WAIT_CONDITION_HANDLE) return done('SUCCESS', '', this.signals.newHandle());
    if (fields.ResourceType !== WAIT_CONDITION) throw new Error(`The harness does not play ${fields.ResourceType}`);

    const url = String(fields.ResourceProperties.Handle);
    const count = Number(fields.ResourceProperties.Count ?? '1');
    const physicalId = `arn:aws:cloudformation:${this.identity.region}:${this.identity.account}:stack/${this.identity.stackName}/wait/${fields.LogicalResourceId}`;
    const outcome = await new Promise<ResourceOperation>((resolve) => {
      const check = () => {
        const signals = [...this.signals.signalsOf(url).values()];
        const failure = signals.find((signal) => signal.Status === 'FAILURE');
        // CloudFormation's wording for a failure signal and for a timeout.
        if (failure) return finish(done('FAILED', `WaitCondition received failed message: '${failure.Reason ?? ''}' for uniqueId: ${failure.UniqueId}`, physicalId));
        const successes = signals.filter((signal) => signal.Status === 'SUCCESS');
        if (successes.length >= count) {
          const data = JSON.stringify(Object.fromEntries(successes.map((signal) => [signal.UniqueId, signal.Data ?? ''])));
          return finish(done('SUCCESS', '', physicalId, { Data: data }));
        }
        return undefined;
      };
      const stopListening = this.signals.onSignal(check);
      const finish = (operation: ResourceOperation) => {
        stopListening();
        cancelTimeout();
        this.waiting.delete(fields.LogicalResourceId);
        resolve(operation);
      };
      const timeOut = () => finish(done('FAILED', `WaitCondition timed out. Received ${
        [...this.signals.signalsOf(url).values()].filter((signal) => signal.Status === 'SUCCESS').length} conditions when expecting ${count}`, physicalId));
      // Timeout: seconds, at most 43,200 (12 hours).
      const timeoutMs = Math.min(Number(fields.ResourceProperties.Timeout ?? '43200'), 43_200) * 1000;
      const cancelTimeout = this.clock.schedule(timeoutMs, timeOut, `wait condition ${fields.LogicalResourceId} timeout`);
      this.waiting.set(fields.LogicalResourceId, timeOut);
      void cancellation?.signal.then(() => finish(done('FAILED', 'Resource creation cancelled', this.inventedPhysicalId(fields.LogicalResourceId), undefined, true)));
      check();
      if (this.waiting.has(fields.LogicalResourceId)) this.onWaitCondition?.(fields.LogicalResourceId);
    });
    return outcome;
  }

  /** What CloudFormation names a custom resource that never answered: `STACK-LOGICALID-SUFFIX`. */
  private inventedPhysicalId(logicalId: string): string {
    const suffix = randomBytes(9).toString('base64').replace(/[^A-Za-z0-9]/g, '').toUpperCase().slice(0, 12).padEnd(12, 'X');
    return `${this.identity.stackName}-${logicalId}-${suffix}`;
  }
}

/**
 * Runs `action` for every id once all its dependencies have succeeded, as many at
 * once as are ready. After a failure nothing new starts, `onFirstFailure` runs (to
 * cancel what is in flight), and running actions finish.
 */
export async function runInOrder(
  ids: string[], dependencies: (id: string) => Iterable<string>, action: (id: string) => Promise<boolean>,
  onFirstFailure?: () => void,
): Promise<boolean> {
  const pending = new Set(ids);
  const succeeded = new Set<string>();
  const running = new Map<string, Promise<void>>();
  let failed = false;
  for (;;) {
    if (!failed) {
      for (const id of [...pending]) {
        if (![...dependencies(id)].every((dependency) => succeeded.has(dependency) || !ids.includes(dependency))) continue;
        pending.delete(id);
        const fail = () => {
          if (!failed) onFirstFailure?.();
          failed = true;
        };
        running.set(id, action(id).then((ok) => {
          if (ok) succeeded.add(id);
          else fail();
        }, fail).finally(() => running.delete(id)));
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (!failed && pending.size > 0) throw new Error(`Circular dependency between ${[...pending].join(', ')}`);
  return !failed;
}

function dependenciesAmong(template: StackTemplate, id: string, ids: string[]): string[] {
  return [...template.customDependenciesOf(id)].filter((dependency) => ids.includes(dependency));
}

/** A failed Create still names a physical ID (perhaps the framework's marker), and CloudFormation deletes it. */
function failedCreate(template: StackTemplate, operation: ResourceOperation): Entry[] {
  if (operation.physicalId === undefined) return [];
  const type = template.resource(operation.logicalId).Type;
  const resource = { type, physicalId: operation.physicalId, data: {}, properties: operation.request!.ResourceProperties };
  return [{ logicalId: operation.logicalId, resource }];
}

function templateFailure(phase: Phase, logicalId: string, requestType: CfnRequest['RequestType'], error: unknown): ResourceOperation {
  if (!(error instanceof TemplateError)) throw error;
  return { phase, logicalId, requestType, status: 'FAILED', reason: error.message, durationMs: 0 };
}

function withinSizeLimit(response: CfnResponse): CfnResponse {
  if (Buffer.byteLength(JSON.stringify(response), 'utf8') <= MAX_RESPONSE_BYTES) return response;
  return { ...response, Status: 'FAILED', Reason: 'Response object is too long.' };
}

function summarize(status: StackStatus, operations: ResourceOperation[]): StackOperationResult {
  return { status, operations, firstFailure: operations.find((o) => o.status === 'FAILED') };
}

/** JSON with sorted keys (undefined members left out), to compare property sets the way CloudFormation does (by value). */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_, item) => (item && typeof item === 'object' && !Array.isArray(item)
    ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
    : item));
}
