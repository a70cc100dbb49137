/**
 * What every local AWS service of the tests shares: the AWS JSON 1.1 protocol over
 * HTTP on 127.0.0.1 (`X-Amz-Target: PREFIX.Operation`), fault injection (throttles,
 * 5xx answers, resets, delays, errors, and holds at gates a test opens), a sliding
 * one-second request-rate limit and a record of every call. A service (Personalize,
 * Rekognition) brings its operations, their modelled errors and its own behaviour.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { SerializationError, ServiceError, UnknownOperation, ValidationError } from './errors';

/** One service behind the protocol. */
export interface JsonServiceProtocol {
  /** In messages: 'local-personalize'. */
  readonly name: string;
  /** X-Amz-Target prefix with its dot: 'AmazonPersonalize.', 'RekognitionService.'. */
  readonly targetPrefix: string;
  /** The JSON protocol version of the service's model. @default '1.1' */
  readonly jsonVersion?: '1.0' | '1.1';
  /** The error the service throttles with. */
  readonly throttle: { readonly type: string; readonly status: number };
  readonly operations: readonly string[];
  /** The errors the model declares for an operation; any other is a bug of the local service. */
  modelledErrors(operation: string): readonly string[];
  /** Runs an operation; throws ServiceError for the service's errors. */
  handle(operation: string, input: unknown): unknown;
}

/**
 * The time a local service lives in: the lifecycle harness's virtual clock, or real time.
 * A request holds the clock still from its arrival to its answer (except while it waits at
 * a test's gate), so time moves only when nothing is being served.
 */
export interface ServiceClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Keeps time still until the returned function is called. */
  hold(): () => void;
  /** A request that waits here for time or for a test: it no longer keeps time still, until released. */
  park?(): () => void;
  /** Lets time move through the instant `ms` from now even if nothing else waits for it (statuses change by timestamps). */
  wakeAfter?(ms: number): void;
}

export const REAL_TIME: ServiceClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
  hold: () => () => {},
};

/**
 * Who signed a request: the access key ID of its SigV4 Authorization header
 * (`Credential=KEYID/DATE/REGION/SERVICE/aws4_request`), or undefined when unsigned.
 */
export function signerOf(headers: http.IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  return typeof authorization === 'string' ? /Credential=([^/]+)\//.exec(authorization)?.[1] : undefined;
}

/**
 * The Root of a request's X-Ray trace header: the SDK in a Lambda function sends the
 * invocation's, so it names the invocation that made the call.
 */
export function traceRootOf(headers: http.IncomingHttpHeaders): string | undefined {
  const header = headers['x-amzn-trace-id'];
  return typeof header === 'string' ? /Root=([^;]+)/.exec(header)?.[1] : undefined;
}

/** What a service answers when IAM denies a call; undefined when the call is allowed. */
export type Authorizer = (accessKeyId: string | undefined, operation: string, input: unknown, traceRoot?: string)
=> { readonly code: string; readonly message: string } | undefined;

export interface JsonServerOptions {
  /** Global request rate limit over a sliding one-second window; requests over it are throttled. @default - no limit */
  readonly requestsPerSecond?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Where time comes from, and what a request holds still. @default REAL_TIME */
  readonly clock?: ServiceClock;
  /** The service's own clock in epoch milliseconds, if it runs at another speed than `clock`. @default clock.now */
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
  /** The service's throttling error (Personalize: LimitExceededException, HTTP 400; Rekognition: ThrottlingException, HTTP 500). */
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

/** A barrier for 'hold' faults; see `LocalJsonService.gate()`. */
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
  /** The operation from X-Amz-Target, e.g. 'CreateDataset'. */
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

const MAX_BODY_BYTES = 1024 * 1024;
const SERVER_ERROR_TYPES: Record<number, string> = {
  500: 'InternalFailure',
  502: 'BadGateway',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

export abstract class LocalJsonService<Operation extends string = string> {
  /** Starts `server` on 127.0.0.1 on a random port. It never keeps the process alive. */
  protected static async listen<T extends LocalJsonService<any>>(server: T): Promise<T> {
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
  protected readonly now: () => number;
  protected readonly clock: ServiceClock;
  private readonly callLog: MutableCall[] = [];
  private readonly server: http.Server;
  /** Decides each signed request as IAM would, before the service acts on it; unset, every call is allowed. */
  public authorizer?: Authorizer;
  /**
   * The X-Ray trace Root of the request the service is acting on now (it acts synchronously), for hooks that decide
   * what the service itself may do then, such as reading a job's data with the role the request passed.
   */
  public handledTraceRoot?: string;
  private readonly requestsPerSecond?: number;
  private faults: ArmedFault[] = [];
  /** Arrival times of requests admitted by the rate limiter, within the last second. */
  private window: number[] = [];
  private stopped = false;

  protected constructor(private readonly protocol: JsonServiceProtocol, options: JsonServerOptions) {
    this.region = options.region ?? 'us-east-1';
    this.accountId = options.accountId ?? '123456789012';
    this.clock = options.clock ?? REAL_TIME;
    this.now = options.now ?? (() => this.clock.now());
    if (options.requestsPerSecond !== undefined && !(options.requestsPerSecond > 0)) {
      throw new Error('requestsPerSecond must be positive');
    }
    this.requestsPerSecond = options.requestsPerSecond;
    this.server = http.createServer((req, res) => {
      const serving = { release: this.clock.hold() };
      this.onRequest(req, res, serving).catch((err) => {
        // Only reached if answering itself failed (e.g. the client went away).
        if (!res.headersSent && !res.destroyed) res.destroy(err);
      }).finally(() => serving.release());
    });
    this.server.on('connection', (socket) => socket.unref());
    // No server-side keep-alive timeout: on a busy machine a client may reuse an idle socket just as the
    // server closes it, and its call fails with ECONNRESET however correct the code under test is.
    this.server.keepAliveTimeout = 0;
  }

  /** Every request received, in arrival order. */
  public get calls(): readonly CallRecord[] {
    return this.callLog;
  }

  /** Settings for an SDK client (`new PersonalizeClient(...)`, `new RekognitionClient(...)`) that point at this server (no retries). */
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
   * Arms a fault for an operation ('CreateDataset', ...) or for every
   * operation ('*'). Faults apply in the order they were injected.
   */
  public inject(operation: Operation | '*', fault: Fault): void {
    if (operation !== '*' && !this.protocol.operations.includes(operation)) {
      throw new Error(`Unknown operation ${operation}; expected one of ${this.protocol.operations.join(', ')} or '*'`);
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
   *   server.inject('CreateDataset', { kind: 'hold', gate });
   *   const pending = client.send(new CreateDatasetCommand(...));
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

  // ---- introspection --------------------------------------------------------------

  /** Number of requests received for an operation ('*' for all), whatever the answer. */
  public countCalls(operation: string): number {
    return operation === '*' ? this.callLog.length : this.callLog.filter((c) => c.operation === operation).length;
  }

  public clearCalls(): void {
    this.callLog.length = 0;
  }

  /**
   * Forgets every armed fault, recorded call and the rate window, on the same endpoint;
   * a service's own `reset()` empties its resources and behaviours too. Requests already
   * held at a gate stay held until it opens.
   */
  public reset(): void {
    this.faults = [];
    this.callLog.length = 0;
    this.window = [];
  }

  // ---- the protocol -----------------------------------------------------------------

  /** `serving` holds the clock; a request waiting at a test's gate lets time move, as the test may wait for time. */
  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse, serving: { release: () => void }): Promise<void> {
    const parked = async (wait: Promise<void>) => {
      serving.release();
      const unpark = this.clock.park?.() ?? (() => {});
      try {
        await wait;
      } finally {
        unpark();
        serving.release = this.clock.hold();
      }
    };
    const waitAt = (gate: RequestGate) => parked(gate.pass());
    const at = this.now();
    const raw = await readBody(req);
    const target = req.headers['x-amz-target'];
    const prefix = this.protocol.targetPrefix;
    const operation = typeof target === 'string' && target.startsWith(prefix) ? target.slice(prefix.length) : String(target ?? '');

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
          else await waitAt(fault.gate as RequestGate);
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
          await parked(this.clock.sleep(fault.ms));
          break;
        case 'throttle':
          return this.answerError(res, call, this.throttleError(fault.message ?? 'Rate exceeded'));
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
    if (!this.protocol.operations.includes(operation)) {
      return this.answerError(res, call, new ServiceError(UnknownOperation, `Unknown or unsupported operation: ${String(target)}`));
    }
    if (parseError !== undefined) {
      return this.answerError(res, call, new ServiceError(SerializationError, parseError));
    }
    const denied = this.authorizer?.(signerOf(req.headers), operation, input, traceRootOf(req.headers));
    if (denied) {
      return this.answerError(res, call, new ServiceError(denied.code, denied.message, 400));
    }
    if (!this.admit(at)) {
      return this.answerError(res, call, this.throttleError('Rate exceeded'));
    }

    let status: number;
    let body: unknown;
    let errorType: string | undefined;
    this.wakeForTransitions();
    this.handledTraceRoot = traceRootOf(req.headers);
    try {
      body = this.protocol.handle(operation, input);
      status = 200;
    } catch (err) {
      const error = this.asServiceError(operation, err);
      status = error.status;
      errorType = error.type;
      body = { __type: error.type, message: error.message };
    } finally {
      this.handledTraceRoot = undefined;
    }
    if (gateAfterProcessing) await waitAt(gateAfterProcessing);
    if (resetAfterProcessing) {
      call.errorType = 'reset';
      req.socket.destroy();
      return;
    }
    this.answer(res, call, status, body, errorType);
  }

  /** The durations after which a resource this service holds may change status; see ServiceClock.wakeAfter. */
  protected transitionDelays(): readonly number[] {
    return [];
  }

  /** Lets the clock stop at every instant a status may change, from now on. */
  protected wakeForTransitions(): void {
    for (const ms of new Set(this.transitionDelays())) this.clock.wakeAfter?.(ms);
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

  private throttleError(message: string): ServiceError {
    return new ServiceError(this.protocol.throttle.type, message, this.protocol.throttle.status);
  }

  /**
   * Maps what the service threw to the answer. An error the model does not
   * declare for the operation means the local service has a bug, so it becomes
   * a 500 that tests will notice.
   */
  private asServiceError(operation: string, err: unknown): ServiceError {
    const bug = `${this.protocol.name} bug`;
    if (err instanceof ServiceError) {
      // Malformed or constraint-violating input is rejected by the front end for every operation.
      const protocolLevel = err.type === SerializationError || err instanceof ValidationError;
      if (protocolLevel || this.protocol.modelledErrors(operation).includes(err.type)) return err;
      return new ServiceError('InternalFailure', `${bug}: ${operation} raised ${err.type}, which the model does not declare (${err.message})`, 500);
    }
    return new ServiceError('InternalFailure', `${bug}: ${String(err instanceof Error ? err.stack : err)}`, 500);
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
      'Content-Type': `application/x-amz-json-${this.protocol.jsonVersion ?? '1.1'}`,
      'Content-Length': Buffer.byteLength(payload),
      'x-amzn-RequestId': call.requestId,
      'Date': new Date(this.now()).toUTCString(),
    };
    if (errorType !== undefined) headers['x-amzn-ErrorType'] = errorType;
    res.writeHead(status, headers);
    res.end(payload);
  }
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

export function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) throw new Error(`${name} must be >= 0`);
  return value;
}
