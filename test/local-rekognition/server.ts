/**
 * A local Amazon Rekognition (Custom Labels) endpoint for tests: the AWS JSON 1.1
 * protocol (`X-Amz-Target: RekognitionService.*`) over HTTP on 127.0.0.1, with the
 * fault injection, holds and gates every local service has (local-service/json-server.ts)
 * and the rules in service.ts. The real SDK talks to it:
 *
 *   const server = await LocalRekognition.start({ activeAfterMs: 100 });
 *   const client = new RekognitionClient(server.clientConfig());
 */
import { MODELLED_ERRORS, OPERATION_NAMES, OperationName } from './model';
import { DatasetFailure, RekognitionService, ResourceSnapshot, ServiceConfig } from './service';
import { JsonServerOptions, LocalJsonService, nonNegative } from '../local-service/json-server';
import type { Hold } from '../local-service/lifecycle';

export type { DatasetFailure, ResourceSnapshot } from './service';
export { STATUS } from './service';
export type { OperationName } from './model';

export interface LocalRekognitionOptions extends JsonServerOptions {
  /** Time a dataset stays CREATE_IN_PROGRESS. @default 300 */
  readonly activeAfterMs?: number;
  /** Time a deleted dataset stays DELETE_IN_PROGRESS before it is gone. @default 300 */
  readonly deleteAfterMs?: number;
}

export class LocalRekognition extends LocalJsonService<OperationName> {
  /** Starts a server on 127.0.0.1 on a random port. It never keeps the process alive. */
  public static async start(options: LocalRekognitionOptions = {}): Promise<LocalRekognition> {
    return LocalJsonService.listen(new LocalRekognition(options, {}));
  }

  /** Replaced by `reset()`; the protocol reaches it through the holder. */
  private service: RekognitionService;
  private readonly serviceConfig: ServiceConfig;

  private constructor(options: LocalRekognitionOptions, private readonly holder: { service?: RekognitionService }) {
    super({
      name: 'local-rekognition',
      targetPrefix: 'RekognitionService.',
      // Rekognition's ThrottlingException is a server fault (HTTP 500).
      throttle: { type: 'ThrottlingException', status: 500 },
      operations: OPERATION_NAMES,
      modelledErrors: (operation) => MODELLED_ERRORS[operation as OperationName],
      handle: (operation, input) => holder.service!.handle(operation as OperationName, input),
    }, options);
    this.serviceConfig = {
      activeAfterMs: nonNegative('activeAfterMs', options.activeAfterMs ?? 300),
      deleteAfterMs: nonNegative('deleteAfterMs', options.deleteAfterMs ?? 300),
      region: this.region,
      accountId: this.accountId,
      now: this.now,
    };
    this.service = holder.service = new RekognitionService(this.serviceConfig);
  }

  /** The tags a project or dataset holds now, for IAM's aws:ResourceTag keys. */
  public tagsOf(arn: string): Record<string, string> | undefined {
    return this.service.tagsOf(arn);
  }

  /** Datasets created in this slot (`PROJECT_NAME/TYPE`) from now on end in CREATE_FAILED. */
  public failCreation(slot: string, failure: DatasetFailure): void {
    this.service.failCreation(slot, failure);
  }

  /** Datasets created in this slot from now on stay CREATE_IN_PROGRESS forever. */
  public neverComplete(slot: string): void {
    this.service.neverComplete(slot);
  }

  /**
   * Datasets created in this slot from now on stay CREATE_IN_PROGRESS until `release()`,
   * then end activeAfterMs later; `reached` resolves once one was created.
   */
  public holdCreation(slot: string): Hold {
    const hold = this.service.holdCreation(slot);
    const release = hold.release.bind(hold);
    // A released hold lets its dataset go on: the clock must be able to move through what follows.
    return Object.assign(hold, {
      release: () => {
        release();
        this.wakeForTransitions();
      },
    });
  }

  public clearBehaviours(): void {
    this.service.clearBehaviours();
  }

  /** What exists: projects and datasets (a dataset whose delete has finished is gone). */
  public resources(kind?: ResourceSnapshot['kind']): ResourceSnapshot[] {
    const all = this.service.snapshot();
    return kind ? all.filter((r) => r.kind === kind) : all;
  }

  /**
   * Forgets every project, dataset, fault, behaviour, recorded call and the rate window:
   * a new, empty service on the same endpoint, for running scenarios one after another.
   */
  public override reset(): void {
    super.reset();
    this.service = this.holder.service = new RekognitionService(this.serviceConfig);
  }

  protected override transitionDelays(): readonly number[] {
    return [this.serviceConfig.activeAfterMs, this.serviceConfig.deleteAfterMs];
  }
}
