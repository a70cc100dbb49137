/**
 * The local Amazon Personalize service: dataset groups, schemas, datasets and the
 * resources built on them, their lifecycles and the errors the real service raises.
 * Each kind's rules are in kinds/, what they share in core.ts; this puts their
 * operations in one table. It knows nothing about HTTP; `server.ts` puts it on the wire.
 */
import { Handler, Input, Output, ResourceSnapshot, ServiceConfig, ServiceCore } from './core';
import { KINDS, ResourceKind } from './kinds';
import { Hold } from './lifecycle';
import { INPUT_SHAPES, OPERATION_NAMES, OperationName, validateInput } from './model';
import { tagOperations } from './tags';

export { STATUS } from './lifecycle';
export type { Hold } from './lifecycle';
export type { ResourceSnapshot, ServiceConfig } from './core';
export type { ResourceKind } from './kinds';

/** The kinds built on a dataset group, which share one record type and one lifecycle. */
export type FamilyKind = Exclude<ResourceKind, 'datasetGroup' | 'schema' | 'dataset'>;

export class PersonalizeService {
  private readonly core: ServiceCore;
  private readonly handlers: Record<OperationName, Handler>;

  constructor(private readonly config: ServiceConfig) {
    this.core = new ServiceCore(config, KINDS);
    const table: Partial<Record<OperationName, Handler>> = Object.assign(
      tagOperations(this.core), ...Object.values(this.core.kinds).map((kind) => kind.operations),
    );
    const missing = OPERATION_NAMES.filter((operation) => !table[operation]);
    if (missing.length > 0) throw new Error(`No kind handles ${missing.join(', ')}`);
    this.handlers = table as Record<OperationName, Handler>;
  }

  /** Validates the input against the model, then runs the operation. Throws ServiceError. */
  public handle(operation: OperationName, input: unknown): Output {
    validateInput(INPUT_SHAPES[operation], input);
    const now = this.config.now();
    this.core.sweep(now);
    return this.handlers[operation](input as Input, now);
  }

  // ---- behaviour injection ------------------------------------------------

  public failCreation(name: string, reason: string, kind?: ResourceKind): void {
    this.core.failCreation(name, reason, kind);
  }

  public neverActivate(name: string, kind?: ResourceKind): void {
    this.core.neverActivate(name, kind);
  }

  public failUpdate(datasetName: string, reason: string): void {
    this.core.failUpdate(datasetName, reason);
  }

  public holdCreation(name: string, kind?: ResourceKind): Hold {
    return this.core.holdCreation(name, kind);
  }

  public holdUpdate(datasetName: string): Hold {
    return this.core.holdUpdate(datasetName);
  }

  /** Forgets failCreation / neverActivate / failUpdate and disarms holds; what a hold already holds stays held until released. */
  public clearBehaviours(): void {
    this.core.clearBehaviours();
  }

  // ---- introspection ---------------------------------------------------------

  public snapshot(): ResourceSnapshot[] {
    const now = this.config.now();
    this.core.sweep(now);
    return this.core.all().map((r) => this.core.kinds[r.kind].snapshot(r, now));
  }

  /** The tags a resource holds, for IAM's aws:ResourceTag keys; undefined when there is no such resource. */
  public tagsOf(arn: string): Record<string, string> | undefined {
    const resource = this.core.get(arn);
    return resource ? Object.fromEntries(resource.tags) : undefined;
  }
}
