/**
 * A local Amazon Personalize endpoint for tests: the AWS JSON 1.1 protocol over
 * HTTP on 127.0.0.1, the rules of the real service (see service.ts and
 * model.ts), fault injection and a record of every call.
 *
 *   const server = await LocalPersonalize.start({ activeAfterMs: 100 });
 *   const client = new PersonalizeClient(server.clientConfig());
 *   ...
 *   await server.stop();
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { LimitExceeded, SerializationError, ServiceError, UnknownOperation, ValidationError } from './errors';
import { isOperationName, MODELLED_ERRORS, OPERATION_NAMES, OperationName } from './model';
import { Hold, PersonalizeService, ResourceKind, ResourceSnapshot, ServiceConfig } from './service';

export type { FamilyKind, Hold, ResourceKind, ResourceSnapshot } from './service';
export { STATUS } from './service';
export type { OperationName } from './model';

export interface LocalPersonalizeOptions {
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
  /**
   * Global request rate limit over a sliding one-second window, across all
   * operations. Requests over it get LimitExceededException and are not
   * counted in the window. @default - no limit
   */
  readonly requestsPerSecond?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
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
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Options common to every fault. */
export interface FaultOptions {
  /** How many matching requests the fault applies to. @default 1 */
  readonly times?: number;
  /** Apply to every matching request until clearFaults(). */
  readonly always?: boolean;
  /** Apply only to requests whose parsed input satisfies this. */
  readonly when?: (input: any) => boolean;
}

export type Fault =
  /** LimitExceededException, HTTP 400: what Personalize answers when throttling. */
  | ({ readonly kind: 'throttle'; readonly message?: string } & FaultOptions)
  /** A server error; the SDK raises an error with $metadata.httpStatusCode set to `status`. */
  | ({ readonly kind: 'http'; readonly status: 500 | 502 | 503 | 504 } & FaultOptions)
  /**
   * Destroy the connection without answering: the client sees ECONNRESET / socket hang up.
   * With `afterProcessing`, the request takes effect first (a lost response).
   */
  | ({ readonly kind: 'reset'; readonly afterProcessing?: boolean } & FaultOptions)
  /** Wait `ms` before handling the request normally. */
  | ({ readonly kind: 'delay'; readonly ms: number } & FaultOptions)
  /** Any error by name, e.g. ResourceInUseException. @default status 400 */
  | ({ readonly kind: 'error'; readonly name: string; readonly message?: string; readonly status?: number } & FaultOptions)
  /**
   * The request waits at `gate` (from `server.gate()`) until the test opens it.
   * With `afterProcessing`, the request takes effect first and only its answer
   * waits (a delayed, not a lost, response).
   */
  | ({ readonly kind: 'hold'; readonly gate: Gate; readonly afterProcessing?: boolean } & FaultOptions);

/** A barrier for 'hold' faults; see `LocalPersonalize.gate()`. */
export interface Gate {
  /** Resolves when the first matching request arrives at the gate. */
  readonly reached: Promise<void>;
  readonly isOpen: boolean;
  /** Lets every request waiting at the gate go on; later ones pass straight through. */
  open(): void;
}

class RequestGate implements Gate {
  public readonly reached: Promise<void>;
  private opened = false;
  private readonly waiting: Array<() => void> = [];
  private markReached!: () => void;

  constructor() {
    this.reached = new Promise<void>((resolve) => {
      this.markReached = resolve;
    });
  }

  public get isOpen(): boolean {
    return this.opened;
  }

  public open(): void {
    this.opened = true;
    for (const go of this.waiting.splice(0)) go();
  }

  /** Where a held request waits. */
  public pass(): Promise<void> {
    this.markReached();
    if (this.opened) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }
}

export interface CallRecord {
  /** The operation from X-Amz-Target, e.g. 'CreateDatasetGroup'. */
  readonly operation: string;
  /** When the request arrived (epoch ms). */
  readonly at: number;
  /** HTTP status answered; 0 while unanswered or when the connection was reset. */
  readonly status: number;
  /** The parsed JSON body. */
  readonly input: any;
  /** `__type` of the error answered, or 'reset'. */
  readonly errorType?: string;
  readonly requestId: string;
}

type MutableCall = { -readonly [K in keyof CallRecord]: CallRecord[K] };

interface ArmedFault {
  readonly operation: string;
  readonly fault: Fault;
  remaining: number;
}

const TARGET_PREFIX = 'AmazonPersonalize.';
const CONTENT_TYPE = 'application/x-amz-json-1.1';
const MAX_BODY_BYTES = 1024 * 1024;
const SERVER_ERROR_TYPES: Record<number, string> = {
  500: 'InternalFailure',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export class LocalPersonalize {
  /** Starts a server on 127.0.0.1 on a random port. It never keeps the process alive. */
  public static async start(options: LocalPersonalizeOptions = {}): Promise<LocalPersonalize> {
    const server = new LocalPersonalize(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(0, '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    server.server.unref();
    const { port } = server.server.address() as AddressInfo;
    server.endpoint = `http://127.0.0.1:${port}`;
    return server;
  }

  /** e.g. http://127.0.0.1:54321 */
  public endpoint = '';
  public readonly region: string;
  public readonly accountId: string;
  private readonly callLog: MutableCall[] = [];
  private service: PersonalizeService;
  private readonly serviceConfig: ServiceConfig;
  private readonly server: http.Server;
  private readonly now: () => number;
  private readonly requestsPerSecond?: number;
  private faults: ArmedFault[] = [];
  /** Arrival times of requests admitted by the rate limiter, within the last second. */
  private window: number[] = [];
  private stopped = false;

  private constructor(options: LocalPersonalizeOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.now = options.now ?? Date.now;
    if (options.requestsPerSecond !== undefined && !(options.requestsPerSecond > 0)) {
      throw new Error('requestsPerSecond must be positive');
    }
    this.requestsPerSecond = options.requestsPerSecond;
    const activeAfterMs = nonNegative('activeAfterMs', options.activeAfterMs ?? 300);
    this.serviceConfig = {
      activeAfterMs,
      trainAfterMs: nonNegative('trainAfterMs', options.trainAfterMs ?? 3 * activeAfterMs),
      deleteAfterMs: nonNegative('deleteAfterMs', options.deleteAfterMs ?? 300),
      updateAfterMs: nonNegative('updateAfterMs', options.updateAfterMs ?? 300),
      region: this.region,
      accountId: this.accountId,
      maxDatasetGroups: options.maxDatasetGroups ?? 5,
      maxSchemas: options.maxSchemas ?? 500,
      strictSchemas: options.strictSchemas ?? true,
      now: this.now,
    };
    this.service = new PersonalizeService(this.serviceConfig);
    this.server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err) => {
        // Only reached if answering itself failed (e.g. the client went away).
        if (!res.headersSent && !res.destroyed) res.destroy(err);
      });
    });
    this.server.on('connection', (socket) => socket.unref());
  }

  /** Every request received, in arrival order. */
  public get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  /** Settings for `new PersonalizeClient(...)` that point at this server (no retries). */
  public clientConfig() {
    return {
      endpoint: this.endpoint,
      region: this.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    };
  }

  public async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- fault injection ---------------------------------------------------------

  /**
   * Arms a fault for an operation ('CreateDatasetGroup', ...) or for every
   * operation ('*'). Faults apply in the order they were injected.
   */
  public inject(operation: OperationName | '*', fault: Fault): void {
    if (operation !== '*' && !isOperationName(operation)) {
      throw new Error(`Unknown operation ${operation}; expected one of ${OPERATION_NAMES.join(', ')} or '*'`);
    }
    const times = fault.always ? Infinity : fault.times ?? 1;
    if (!(times >= 1)) throw new Error('A fault must apply at least once');
    if (fault.kind === 'delay' && !(fault.ms >= 0)) throw new Error('A delay needs ms >= 0');
    if (fault.kind === 'hold' && !(fault.gate instanceof RequestGate)) throw new Error('A hold fault needs a gate from server.gate()');
    this.faults.push({ operation, fault, remaining: times });
  }

  public clearFaults(): void {
    this.faults = [];
  }

  /**
   * A closed gate for a 'hold' fault:
   *
   *   const gate = server.gate();
   *   server.inject('CreateSolution', { kind: 'hold', gate });
   *   const pending = client.send(new CreateSolutionCommand(...));
   *   await gate.reached;   // the request is at the gate now
   *   gate.open();
   */
  public gate(): Gate {
    return new RequestGate();
  }

  /** How many armed fault applications are left (Infinity with `always`). */
  public faultsRemaining(): number {
    return this.faults.reduce((sum, f) => sum + f.remaining, 0);
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
   * CREATE IN_PROGRESS, after their CREATE PENDING, until `release()`; then they
   * end ACTIVE (or CREATE FAILED with failCreation) a full activeAfterMs
   * (trainAfterMs for solution versions) after the release. `reached` resolves
   * once such a resource was created. A solution version without a name is
   * matched by its solution's name.
   */
  public holdCreation(name: string, kind?: ResourceKind): Hold {
    return this.service.holdCreation(name, kind);
  }

  /**
   * UpdateDataset on the dataset with this name from now on stays UPDATE
   * IN_PROGRESS until `release()`, then ends updateAfterMs after it.
   */
  public holdUpdate(datasetName: string): Hold {
    return this.service.holdUpdate(datasetName);
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

  /** Number of requests received for an operation ('*' for all), whatever the answer. */
  public countCalls(operation: string): number {
    return operation === '*' ? this.callLog.length : this.callLog.filter((c) => c.operation === operation).length;
  }

  public clearCalls(): void {
    this.callLog.length = 0;
  }

  /**
   * Forgets every resource, fault, behaviour, recorded call and the rate window: a
   * new, empty service on the same endpoint, for running scenarios one after another.
   */
  public reset(): void {
    this.service = new PersonalizeService(this.serviceConfig);
    this.faults = [];
    this.callLog.length = 0;
    this.window = [];
  }

  // ---- the protocol -----------------------------------------------------------------

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const at = this.now();
    const raw = await readBody(req);
    const target = req.headers['x-amz-target'];
    const operation = typeof target === 'string' && target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : String(target ?? '');

    let input: unknown;
    let parseError: string | undefined;
    if (raw === undefined) {
      parseError = `The request body is larger than ${MAX_BODY_BYTES} bytes.`;
    } else {
      try {
        input = raw.length === 0 ? {} : JSON.parse(raw);
      } catch {
        input = raw;
        parseError = 'The request body is not valid JSON.';
      }
    }
    const call: MutableCall = { operation, at, status: 0, input, requestId: randomUUID() };
    this.callLog.push(call);

    let resetAfterProcessing = false;
    let gateAfterProcessing: RequestGate | undefined;
    const fault = this.takeFault(operation, input);
    if (fault) {
      switch (fault.kind) {
        case 'hold':
          if (fault.afterProcessing) gateAfterProcessing = fault.gate as RequestGate;
          else await (fault.gate as RequestGate).pass();
          break;
        case 'reset':
          if (!fault.afterProcessing) {
            call.errorType = 'reset';
            req.socket.destroy();
            return;
          }
          resetAfterProcessing = true;
          break;
        case 'delay':
          await sleep(fault.ms);
          break;
        case 'throttle':
          return this.answerError(res, call, new ServiceError(LimitExceeded, fault.message ?? 'Rate exceeded'));
        case 'http':
          return this.answerError(res, call, new ServiceError(
            SERVER_ERROR_TYPES[fault.status] ?? 'InternalFailure', 'Injected server error', fault.status));
        case 'error':
          return this.answerError(res, call, new ServiceError(fault.name, fault.message ?? `Injected ${fault.name}`, fault.status ?? 400));
      }
    }

    if (req.method !== 'POST' || (req.url ?? '/').split('?')[0] !== '/') {
      return this.answerError(res, call, new ServiceError(UnknownOperation, `Expected POST /, got ${req.method} ${req.url}`, 404));
    }
    if (!isOperationName(operation)) {
      return this.answerError(res, call, new ServiceError(UnknownOperation, `Unknown or unsupported operation: ${String(target)}`));
    }
    if (parseError !== undefined) {
      return this.answerError(res, call, new ServiceError(SerializationError, parseError));
    }
    if (!this.admit(at)) {
      return this.answerError(res, call, new ServiceError(LimitExceeded, 'Rate exceeded'));
    }

    let status: number;
    let body: unknown;
    let errorType: string | undefined;
    try {
      body = this.service.handle(operation, input);
      status = 200;
    } catch (err) {
      const error = asServiceError(operation, err);
      status = error.status;
      errorType = error.type;
      body = { __type: error.type, message: error.message };
    }
    if (gateAfterProcessing) await gateAfterProcessing.pass();
    if (resetAfterProcessing) {
      call.errorType = 'reset';
      req.socket.destroy();
      return;
    }
    this.answer(res, call, status, body, errorType);
  }

  private takeFault(operation: string, input: unknown): Fault | undefined {
    const armed = this.faults.find((f) => (f.operation === '*' || f.operation === operation) && (!f.fault.when || f.fault.when(input)));
    if (!armed) return undefined;
    armed.remaining -= 1;
    if (armed.remaining <= 0) this.faults = this.faults.filter((f) => f !== armed);
    return armed.fault;
  }

  /** The sliding one-second window. Rejected requests are not counted. */
  private admit(at: number): boolean {
    if (this.requestsPerSecond === undefined) return true;
    this.window = this.window.filter((t) => t > at - 1000);
    if (this.window.length >= this.requestsPerSecond) return false;
    this.window.push(at);
    return true;
  }

  private answerError(res: http.ServerResponse, call: MutableCall, error: ServiceError): void {
    this.answer(res, call, error.status, { __type: error.type, message: error.message }, error.type);
  }

  private answer(res: http.ServerResponse, call: MutableCall, status: number, body: unknown, errorType?: string): void {
    call.status = status;
    call.errorType = errorType;
    if (res.destroyed) return;
    const payload = JSON.stringify(body);
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': CONTENT_TYPE,
      'Content-Length': Buffer.byteLength(payload),
      'x-amzn-RequestId': call.requestId,
      'Date': new Date().toUTCString(),
    };
    if (errorType !== undefined) headers['x-amzn-ErrorType'] = errorType;
    res.writeHead(status, headers);
    res.end(payload);
  }
}

/**
 * Maps what the service threw to the answer. An error the model does not
 * declare for the operation means the local service has a bug, so it becomes
 * a 500 that tests will notice.
 */
function asServiceError(operation: OperationName, err: unknown): ServiceError {
  if (err instanceof ServiceError) {
    // Malformed or constraint-violating input is rejected by the front end for every operation.
    const protocolLevel = err.type === SerializationError || err instanceof ValidationError;
    if (protocolLevel || MODELLED_ERRORS[operation].includes(err.type)) return err;
    return new ServiceError('InternalFailure', `local-personalize bug: ${operation} raised ${err.type}, which the model does not declare (${err.message})`, 500);
  }
  return new ServiceError('InternalFailure', `local-personalize bug: ${String(err instanceof Error ? err.stack : err)}`, 500);
}

/** The body as text, or undefined when it is too large. */
async function readBody(req: http.IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) tooLarge = true;
    else chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new Error(`${name} must be >= 0`);
  return value;
}
