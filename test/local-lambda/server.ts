/**
 * A local AWS Lambda endpoint for asynchronous invokes (InvocationType Event). The
 * request comes through the AWS SDK's signer and HTTP stack; the function runs in the
 * environment's copy of the bundled handler, under its Lambda timeout.
 *
 * Lambda's recursive loop detection is played as AWS documents it ("Use Lambda recursive
 * loop detection to prevent infinite loops", Lambda developer guide): Lambda counts how
 * often one request passes through the same function, by the X-Ray trace header that the
 * AWS SDK sends on from inside a function (its recursion-detection middleware), and stops
 * the chain at about the 16th invocation. Loops made of Lambda functions alone are
 * detected too. A stopped asynchronous invocation is accepted (HTTP 202), then dropped:
 * it never runs, and only the function's DLQ or on-failure destination would see it.
 */
import { createHash, randomBytes } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

/** Where an invocation's time comes from: the harness's virtual clock, or real time. */
export interface LambdaClock {
  now(): number;
  /** Calls `fire` after `ms`; the returned function cancels it. */
  schedule(ms: number, fire: () => void, label?: string): () => void;
}

const REAL_TIME: LambdaClock = {
  now: () => Date.now(),
  schedule: (ms, fire) => {
    const timer = setTimeout(fire, ms).unref();
    return () => clearTimeout(timer);
  },
};

export interface Invocation {
  readonly functionArn: string;
  readonly payload: unknown;
  readonly startedAt: number;
  /** How many times this request has passed through this function, this invocation included. */
  readonly chainLength: number;
  finishedAt?: number;
  /** 'refused': Lambda itself failed the invocation (an injected throttle); the function never ran. */
  outcome?: 'ok' | 'error' | 'timed out' | 'stopped as a recursive loop' | 'refused';
  error?: string;
  errorType?: string;
}

/** Runs one invocation of `handler` with `payload`, under `timeoutMs`, with the X-Ray trace header `traceId`; resolves with its result. */
export type FunctionRunner = (handler: string, payload: unknown, timeoutMs: number, functionArn: string, traceId: string) => Promise<unknown>;

/** What a synchronous invocation returned: the result, or Lambda's error type and error payload. */
export type InvokeResult = { readonly output: unknown } | { readonly error: string; readonly cause: string };

/** The invocation at which Lambda stops a recursive chain ("after approximately 16 invocations"). */
export const RECURSIVE_CHAIN_LIMIT = 16;

export interface FunctionConfig {
  /** The handler the function runs, e.g. 'watchTraining'. */
  readonly handler: string;
  readonly timeoutMs: number;
}

export class LocalLambda {
  public static async start(clock: LambdaClock = REAL_TIME): Promise<LocalLambda> {
    const lambda = new LocalLambda(clock);
    await new Promise<void>((resolve) => lambda.server.listen(0, '127.0.0.1', resolve));
    lambda.server.unref();
    return lambda;
  }

  public readonly invocations: Invocation[] = [];
  private readonly server: http.Server;
  private readonly running = new Set<Promise<void>>();
  private readonly faults: Array<{ functionArn: RegExp; error: string; cause: string }> = [];
  private runner?: FunctionRunner;
  /** How every function runs: by its handler, with a timeout. */
  private config?: (functionArn: string) => FunctionConfig | undefined;

  private constructor(private readonly clock: LambdaClock) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    // No server-side keep-alive timeout: on a busy machine a client may reuse an idle socket just as the
    // server closes it, and its call fails with ECONNRESET however correct the code under test is.
    this.server.keepAliveTimeout = 0;
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Where invocations run, and which functions exist. */
  public attach(runner: FunctionRunner, config: (functionArn: string) => FunctionConfig | undefined): void {
    this.runner = runner;
    this.config = config;
  }

  /** Waits until every invocation, and every one they started, has finished. */
  public async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(req.url ?? '');
      const answer = (status: number, type?: string, message = '') => {
        res.writeHead(status, type ? { 'x-amzn-errortype': type, 'content-type': 'application/json' } : {});
        res.end(type ? JSON.stringify({ Type: 'User', message }) : '');
      };
      // The SDK signs every request; an unsigned one would be refused.
      if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) return answer(403, 'AccessDeniedException', 'unsigned request');
      if (req.method !== 'POST' || !match) return answer(404, 'UnknownOperationException', `${req.method} ${req.url}`);
      if (req.headers['x-amz-invocation-type'] !== 'Event') return answer(400, 'InvalidParameterValueException', 'only Event invocations are simulated');
      const functionArn = decodeURIComponent(match[1]);
      const config = this.config?.(functionArn);
      if (!config || !this.runner) return answer(404, 'ResourceNotFoundException', `Function not found: ${functionArn}`);
      const payload = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
      answer(202);
      const { traceId, chainLength } = continueTrace(req.headers['x-amzn-trace-id'], functionArn);
      if (chainLength >= RECURSIVE_CHAIN_LIMIT) {
        this.invocations.push({
          functionArn,
          payload,
          startedAt: this.clock.now(),
          finishedAt: this.clock.now(),
          chainLength,
          outcome: 'stopped as a recursive loop',
          error: `Lambda stopped the ${chainLength}th invocation of ${functionArn} in one chain`,
        });
        return;
      }
      this.run(functionArn, config, payload, traceId, chainLength);
    });
  }

  /**
   * A synchronous invocation from inside AWS (a Step Functions Task): not through the HTTP
   * API, and the start of a new trace. Resolves with the result or Lambda's error.
   */
  public async invokeSync(functionArn: string, payload: unknown): Promise<InvokeResult> {
    const config = this.config?.(functionArn);
    if (!config || !this.runner) return { error: 'Lambda.ResourceNotFoundException', cause: `Function not found: ${functionArn}` };
    const fault = this.takeFault(functionArn);
    if (fault) return fault;
    const { traceId, chainLength } = continueTrace(undefined, functionArn);
    const invocation = this.run(functionArn, config, payload, traceId, chainLength);
    const outcome = await invocation.done;
    if (outcome === 'ok') return { output: invocation.result };
    if (outcome === 'timed out') {
      return { error: 'Sandbox.Timedout', cause: JSON.stringify({ errorMessage: `Task timed out after ${(config.timeoutMs / 1000).toFixed(2)} seconds` }) };
    }
    return { error: invocation.record.errorType ?? 'Error', cause: JSON.stringify({ errorType: invocation.record.errorType, errorMessage: invocation.record.error }) };
  }

  /** The next `times` synchronous invocations of functions whose ARN matches fail as Lambda's service would (e.g. throttling). */
  public failNext(functionArn: RegExp, times: number, error = 'Lambda.TooManyRequestsException', cause = 'Rate Exceeded.'): void {
    for (let i = 0; i < times; i++) this.faults.push({ functionArn, error, cause });
  }

  private takeFault(functionArn: string): InvokeResult | undefined {
    const index = this.faults.findIndex((fault) => fault.functionArn.test(functionArn));
    if (index < 0) return undefined;
    const [fault] = this.faults.splice(index, 1);
    this.invocations.push({
      functionArn,
      payload: undefined,
      startedAt: this.clock.now(),
      finishedAt: this.clock.now(),
      chainLength: 0,
      outcome: 'refused',
      error: fault.error,
    });
    return { error: fault.error, cause: fault.cause };
  }

  private run(functionArn: string, config: FunctionConfig, payload: unknown, traceId: string, chainLength: number) {
    const invocation: Invocation = { functionArn, payload, startedAt: this.clock.now(), chainLength };
    this.invocations.push(invocation);
    let cancelTimeout: (() => void) | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      cancelTimeout = this.clock.schedule(config.timeoutMs, () => resolve('timed out'), `${config.handler} Lambda timeout`);
    });
    const handle: { result?: unknown; record: Invocation; done: Promise<Invocation['outcome']> } = { record: invocation, done: undefined! };
    const running = Promise.race([this.runner!(config.handler, payload, config.timeoutMs, functionArn, traceId).then((result) => {
      handle.result = result;
      return 'ok' as const;
    }), timedOut])
      .then((outcome) => {
        invocation.outcome = outcome;
      }, (error: Error) => {
        invocation.outcome = 'error';
        invocation.error = error.message;
        invocation.errorType = error.name;
      })
      .finally(() => {
        cancelTimeout?.();
        invocation.finishedAt = this.clock.now();
        this.running.delete(running);
      });
    this.running.add(running);
    handle.done = running.then(() => invocation.outcome);
    return handle;
  }
}

/**
 * The trace header of an invocation made by a request that carried `header`: the same
 * trace, with this function's count in the chain one higher (`Lineage=HASH:COUNT`, one
 * entry per function, as the header Lambda adds).
 */
function continueTrace(header: string | string[] | undefined, functionArn: string): { traceId: string; chainLength: number } {
  const text = Array.isArray(header) ? header[0] : header;
  const fields = new Map((text ?? '').split(';').filter(Boolean).map((field) => field.split('=') as [string, string]));
  const functionHash = createHash('sha256').update(functionArn).digest('hex').slice(0, 8);
  const lineage = new Map((fields.get('Lineage') ?? '').split(',').filter(Boolean).map((entry) => {
    const [hash, count] = entry.split(':');
    return [hash, Number(count)] as [string, number];
  }));
  const chainLength = (lineage.get(functionHash) ?? 0) + 1;
  lineage.set(functionHash, chainLength);
  fields.set('Root', fields.get('Root') ?? `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`);
  fields.set('Lineage', [...lineage].map(([hash, count]) => `${hash}:${count}`).join(','));
  return { traceId: [...fields].map(([key, value]) => `${key}=${value}`).join(';'), chainLength };
}
