/**
 * The endpoint behind AWS::CloudFormation::WaitConditionHandle: each handle's Ref is a
 * URL here, standing in for CloudFormation's presigned S3 URL. A signal is an HTTP PUT
 * of `{"Status", "Reason", "UniqueId", "Data"}` with an empty Content-Type (as the
 * presigned URL is signed); signals with the same UniqueId count once, the last one
 * winning, as in CloudFormation.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';

export interface Signal {
  readonly Status: 'SUCCESS' | 'FAILURE';
  readonly Reason?: string;
  readonly UniqueId: string;
  readonly Data?: string;
}

export class SignalEndpoint {
  /** Every PUT received, in order, with the handle URL it was sent to. */
  public readonly received: Array<{ readonly url: string; readonly signal: Signal }> = [];
  private readonly handles = new Map<string, Map<string, Signal>>();
  private readonly listeners = new Set<() => void>();
  private server?: http.Server;
  private baseUrl?: string;

  /** A new handle's URL. */
  public async newHandle(): Promise<string> {
    const base = await this.start();
    const url = `${base}/handles/${randomUUID()}`;
    this.handles.set(url, new Map());
    return url;
  }

  /** The signals a handle holds, by UniqueId. */
  public signalsOf(url: string): Map<string, Signal> {
    return this.handles.get(url) ?? new Map();
  }

  /** Calls `listener` after every signal, until the returned function removes it. */
  public onSignal(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  public async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async start(): Promise<string> {
    if (this.baseUrl && this.server) return this.baseUrl;
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    server.unref();
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.baseUrl;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const url = `${this.baseUrl}${req.url}`;
      const signals = this.handles.get(url);
      // S3 answers 403 SignatureDoesNotMatch to a PUT with a Content-Type the URL was not signed with.
      if (req.method !== 'PUT' || (req.headers['content-type'] ?? '') !== '') return end(res, 403, 'SignatureDoesNotMatch');
      if (!signals) return end(res, 404, 'NoSuchKey');
      let signal: Signal;
      try {
        signal = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return end(res, 400, 'not JSON');
      }
      if ((signal.Status !== 'SUCCESS' && signal.Status !== 'FAILURE') || typeof signal.UniqueId !== 'string') return end(res, 400, 'bad signal');
      signals.set(signal.UniqueId, signal);
      this.received.push({ url, signal });
      end(res, 200, '');
      for (const listener of [...this.listeners]) listener();
    });
  }
}

function end(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status);
  res.end(body);
}
