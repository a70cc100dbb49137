/**
 * A local Amazon Personalize endpoint for tests: the AWS JSON 1.1 protocol over
 * HTTP on 127.0.0.1 (local-service/json-server.ts), the rules of the real service
 * (see service.ts and model.ts), fault injection and a record of every call.
 *
 *   const server = await LocalPersonalize.start({ activeAfterMs: 100 });
 *   const client = new PersonalizeClient(server.clientConfig());
 *   ...
 *   await server.stop();
 */
import { randomBytes } from 'crypto';
import { LimitExceeded } from './errors';
import { MODELLED_ERRORS, OPERATION_NAMES, OperationName } from './model';
import { Hold, PersonalizeService, ResourceKind, ResourceSnapshot, ServiceConfig } from './service';
import { JsonServerOptions, LocalJsonService, nonNegative } from '../local-service/json-server';

export type { FamilyKind, Hold, ResourceKind, ResourceSnapshot } from './service';
export { STATUS } from './service';
export type { OperationName } from './model';
export type { CallRecord, Fault, FaultOptions, Gate } from '../local-service/json-server';

export interface LocalPersonalizeOptions extends JsonServerOptions {
  /** Time from CREATE PENDING to ACTIVE; CREATE IN_PROGRESS starts at a third of it. @default 300 */
  readonly activeAfterMs?: number;
  /** Time a deleted group or dataset stays in DELETE PENDING / DELETE IN_PROGRESS before it is gone. @default 300 */
  readonly deleteAfterMs?: number;
  /** Time an UpdateDataset takes from UPDATE PENDING to ACTIVE. @default 300 */
  readonly updateAfterMs?: number;
  /**
   * Time a solution version takes from CREATE PENDING to ACTIVE (CREATE IN_PROGRESS
   * starts at a third of activeAfterMs, as for every kind). @default 3 × activeAfterMs
   */
  readonly trainAfterMs?: number;
  /** Time a dataset import job takes from CREATE PENDING to ACTIVE. @default activeAfterMs */
  readonly importAfterMs?: number;
  /**
   * Time a batch inference or batch segment job takes from PENDING to ACTIVE (IN PROGRESS
   * starts at a third of activeAfterMs, as for every kind). @default importAfterMs
   */
  readonly batchAfterMs?: number;
  /** Quota of dataset groups (the real default quota is 5). @default 5 */
  readonly maxDatasetGroups?: number;
  /** Quota of schemas. @default 500 */
  readonly maxSchemas?: number;
  /**
   * Check schemas like the service: CreateSchema needs an Avro record, CreateDataset
   * needs the required fields of the dataset type (USER_ID, ITEM_ID, ...), and
   * UpdateDataset needs a compatible schema. With false, any JSON is accepted. @default true
   */
  readonly strictSchemas?: boolean;
  /**
   * Whether a dataset import job's data location (`s3://BUCKET/KEY` or a prefix) holds
   * data, e.g. a LocalS3's `hasData`; a job whose location has none ends CREATE FAILED,
   * as the real service fails it. @default every location holds data
   */
  readonly dataExists?: (location: string) => boolean;
  /**
   * Why the role an import job or a batch job passes cannot read its data location; a job it
   * refuses ends CREATE FAILED. @default it can
   */
  readonly readDenied?: (roleArn: string | undefined, location: string) => string | undefined;
  /** Why the role a batch job passes cannot write to its output location; a job it refuses ends CREATE FAILED. @default it can */
  readonly writeDenied?: (roleArn: string | undefined, location: string) => string | undefined;
  /**
   * Receives the one output object a batch job writes once it is first seen ACTIVE:
   * `location` is `OUTPUT_PATH/INPUT_FILE_NAME.out`, `body` JSON lines. @default nothing is written
   */
  readonly writeOutput?: (location: string, body: string) => void;
  /** Why a dataset group's key cannot be used (the role it passes, Personalize's principal); the group ends CREATE FAILED. @default it can */
  readonly keyDenied?: (roleArn: string, kmsKeyArn: string, datasetGroupArn: string) => string | undefined;
  /**
   * Makes the 8 hex digits that end a solution version's or event tracker's ARN; a scenario
   * that needs two such ARNs in a known order sets it. @default random
   */
  readonly randomArnId?: () => string;
}

export class LocalPersonalize extends LocalJsonService<OperationName> {
  /** Starts a server on 127.0.0.1 on a random port. It never keeps the process alive. */
  public static async start(options: LocalPersonalizeOptions = {}): Promise<LocalPersonalize> {
    return LocalJsonService.listen(new LocalPersonalize(options, new PersonalizeServiceHolder()));
  }

  /** Replaced by `reset()`; the protocol reaches it through the holder. */
  private service: PersonalizeService;
  private readonly serviceConfig: ServiceConfig;

  private constructor(options: LocalPersonalizeOptions, private readonly holder: PersonalizeServiceHolder) {
    super({
      name: 'local-personalize',
      targetPrefix: 'AmazonPersonalize.',
      throttle: { type: LimitExceeded, status: 400 },
      operations: OPERATION_NAMES,
      modelledErrors: (operation) => MODELLED_ERRORS[operation as OperationName],
      handle: (operation, input) => holder.service!.handle(operation as OperationName, input),
    }, options);
    const activeAfterMs = nonNegative('activeAfterMs', options.activeAfterMs ?? 300);
    const importAfterMs = nonNegative('importAfterMs', options.importAfterMs ?? activeAfterMs);
    this.serviceConfig = {
      activeAfterMs,
      trainAfterMs: nonNegative('trainAfterMs', options.trainAfterMs ?? 3 * activeAfterMs),
      importAfterMs,
      batchAfterMs: nonNegative('batchAfterMs', options.batchAfterMs ?? importAfterMs),
      deleteAfterMs: nonNegative('deleteAfterMs', options.deleteAfterMs ?? 300),
      updateAfterMs: nonNegative('updateAfterMs', options.updateAfterMs ?? 300),
      region: this.region,
      accountId: this.accountId,
      maxDatasetGroups: options.maxDatasetGroups ?? 5,
      maxSchemas: options.maxSchemas ?? 500,
      strictSchemas: options.strictSchemas ?? true,
      now: this.now,
      dataExists: options.dataExists,
      readDenied: options.readDenied,
      writeDenied: options.writeDenied,
      writeOutput: options.writeOutput,
      keyDenied: options.keyDenied,
      randomArnId: options.randomArnId ?? (() => randomBytes(4).toString('hex')),
    };
    this.service = holder.service = new PersonalizeService(this.serviceConfig);
  }

  // ---- behaviour injection ------------------------------------------------------

  /** Resources created with this name from now on end in CREATE FAILED with this reason. */
  public failCreation(name: string, reason: string, kind?: ResourceKind): void {
    this.service.failCreation(name, reason, kind);
  }

  /** Resources created with this name from now on stay CREATE IN_PROGRESS forever. */
  public neverActivate(name: string, kind?: ResourceKind): void {
    this.service.neverActivate(name, kind);
  }

  /**
   * Resources created with this name (of this kind, or of any) from now on stay
   * CREATE IN_PROGRESS (batch jobs: IN PROGRESS), after their CREATE PENDING, until
   * `release()`; then they end ACTIVE (or CREATE FAILED with failCreation) a full
   * activeAfterMs (trainAfterMs for solution versions, importAfterMs for import jobs,
   * batchAfterMs for batch jobs) after the release. `reached` resolves once such a
   * resource was created. A solution version without a name is matched by its
   * solution's name.
   */
  public holdCreation(name: string, kind?: ResourceKind): Hold {
    return this.waking(this.service.holdCreation(name, kind));
  }

  /**
   * UpdateDataset on the dataset with this name from now on stays UPDATE
   * IN_PROGRESS until `release()`, then ends updateAfterMs after it.
   */
  public holdUpdate(datasetName: string): Hold {
    return this.waking(this.service.holdUpdate(datasetName));
  }

  /** Updates of the dataset with this name started from now on end in UPDATE FAILED. */
  public failUpdate(datasetName: string, reason: string): void {
    this.service.failUpdate(datasetName, reason);
  }

  /** Forgets the behaviours by name; holds are disarmed, but what they already hold stays held until released. */
  public clearBehaviours(): void {
    this.service.clearBehaviours();
  }

  // ---- introspection --------------------------------------------------------------

  /** What currently exists (resources whose delete has finished are gone). */
  public resources(kind?: ResourceKind): ResourceSnapshot[] {
    const all = this.service.snapshot();
    return kind ? all.filter((r) => r.kind === kind) : all;
  }

  /** The tags a resource holds now, for IAM's aws:ResourceTag keys. */
  public tagsOf(arn: string): Record<string, string> | undefined {
    return this.service.tagsOf(arn);
  }

  /**
   * Forgets every resource, fault, behaviour, recorded call and the rate window: a
   * new, empty service on the same endpoint, for running scenarios one after another.
   */
  public override reset(): void {
    super.reset();
    this.service = this.holder.service = new PersonalizeService(this.serviceConfig);
  }

  protected override transitionDelays(): readonly number[] {
    const { activeAfterMs, trainAfterMs, importAfterMs, batchAfterMs, deleteAfterMs, updateAfterMs } = this.serviceConfig;
    return [activeAfterMs / 3, activeAfterMs, trainAfterMs, importAfterMs, batchAfterMs, deleteAfterMs, updateAfterMs / 3, updateAfterMs];
  }

  /** A released hold lets its resource go on: the clock must be able to move through what follows. */
  private waking(hold: Hold): Hold {
    const release = hold.release.bind(hold);
    return Object.assign(hold, {
      release: () => {
        release();
        this.wakeForTransitions();
      },
    });
  }
}

/** The service is made after the protocol needs a handle on it (it needs the base class's clock). */
class PersonalizeServiceHolder {
  public service?: PersonalizeService;
}
