/**
 * A local AWS Lambda endpoint for asynchronous invokes (InvocationType Event), the
 * only kind the handler makes: it starts the training watcher. The request comes from
 * the handler through the AWS SDK's signer and HTTP stack; the function runs in the
 * environment's copy of the bundled handler, under the Lambda timeout the test gives it.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

export interface Invocation {
  readonly functionArn: string;
  readonly payload: unknown;
  readonly startedAt: number;
  finishedAt?: number;
  outcome?: 'ok' | 'error' | 'timed out';
  error?: string;
}

/** Runs one invocation of `handler` (e.g. index.watchTraining) with `payload`, under `timeoutMs`. */
export type FunctionRunner = (handler: string, payload: unknown, timeoutMs: number, functionArn: string) => Promise<void>;

export interface FunctionConfig {
  /** The handler the function runs, e.g. 'watchTraining'. */
  readonly handler: string;
  readonly timeoutMs: number;
}

export class LocalLambda {
  public static async start(): Promise<LocalLambda> {
    const lambda = new LocalLambda();
    await new Promise<void>((resolve) => lambda.server.listen(0, '127.0.0.1', resolve));
    lambda.server.unref();
    return lambda;
  }

  public readonly invocations: Invocation[] = [];
  private readonly server: http.Server;
  private readonly running = new Set<Promise<void>>();
  private runner?: FunctionRunner;
  /** How every function runs: by its handler, with a timeout. */
  private config?: (functionArn: string) => FunctionConfig | undefined;

  private constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
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
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
      this.run(functionArn, config, payload);
    });
  }

  private run(functionArn: string, config: FunctionConfig, payload: unknown): void {
    const invocation: Invocation = { functionArn, payload, startedAt: Date.now() };
    this.invocations.push(invocation);
    const timedOut = new Promise<'timed out'>((resolve) => setTimeout(() => resolve('timed out'), config.timeoutMs).unref());
    const running = Promise.race([this.runner!(config.handler, payload, config.timeoutMs, functionArn).then(() => 'ok' as const), timedOut])
      .then((outcome) => {
        invocation.outcome = outcome;
      }, (error: Error) => {
        invocation.outcome = 'error';
        invocation.error = error.message;
      })
      .finally(() => {
        invocation.finishedAt = Date.now();
        this.running.delete(running);
      });
    this.running.add(running);
  }
}
