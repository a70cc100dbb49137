/**
 * What stands behind AWS::CloudFormation::WaitConditionHandle: each handle's Ref is a
 * presigned S3 URL in the wait-condition bucket of the stack's region,
 * `https://cloudformation-waitcondition-REGION.s3.amazonaws.com/STACK-ARN/ID?…Signature=…`,
 * as CloudFormation hands them out. A signal is an HTTP PUT of
 * `{"Status", "Reason", "UniqueId", "Data"}` to it with an empty Content-Type (as the URL
 * was signed); signals with the same UniqueId count once, the last one winning.
 *
 * The handler sends the PUT to the local S3 (AWS_ENDPOINT_URL_S3), path-style; the local
 * S3 passes requests for the wait-condition bucket here (`receive`).
 */
import { randomUUID } from 'crypto';
import type { S3Answer, S3Route } from '../local-s3/server';

export interface Signal {
  readonly Status: 'SUCCESS' | 'FAILURE';
  readonly Reason?: string;
  readonly UniqueId: string;
  readonly Data?: string;
}

export class SignalEndpoint implements S3Route {
  /** Every PUT received, in order, with the handle URL it was sent to. */
  public readonly received: Array<{ readonly url: string; readonly signal: Signal }> = [];
  public readonly bucket: string;
  /** Handle URLs by their key in the bucket, and the signals each holds by UniqueId. */
  private readonly handles = new Map<string, { readonly url: string; readonly signals: Map<string, Signal> }>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly stackId: string, region: string) {
    this.bucket = `cloudformation-waitcondition-${region}`;
  }

  /** A new handle's URL. */
  public newHandle(): string {
    const key = `${this.stackId}/${randomUUID()}`;
    const url = `https://${this.bucket}.s3.amazonaws.com/${encodeURIComponent(key)}?AWSAccessKeyId=HARNESS&Expires=4102444800&Signature=harness`;
    this.handles.set(key, { url, signals: new Map() });
    return url;
  }

  /** The signals a handle holds, by UniqueId. */
  public signalsOf(url: string): Map<string, Signal> {
    return [...this.handles.values()].find((handle) => handle.url === url)?.signals ?? new Map();
  }

  /** Calls `listener` after every signal, until the returned function removes it. */
  public onSignal(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A request for the wait-condition bucket, from the local S3. */
  public receive(method: string, key: string, query: URLSearchParams, contentType: string | undefined, body: Buffer): S3Answer {
    // S3 answers 403 SignatureDoesNotMatch to a request the URL was not signed for: another method or a Content-Type.
    if (method !== 'PUT' || (contentType ?? '') !== '' || query.get('Signature') !== 'harness') return { status: 403, code: 'SignatureDoesNotMatch' };
    const handle = this.handles.get(key);
    if (!handle) return { status: 404, code: 'NoSuchKey' };
    let signal: Signal;
    try {
      signal = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, code: 'MalformedJSON' };
    }
    if ((signal.Status !== 'SUCCESS' && signal.Status !== 'FAILURE') || typeof signal.UniqueId !== 'string') return { status: 400, code: 'MalformedSignal' };
    handle.signals.set(signal.UniqueId, signal);
    this.received.push({ url: handle.url, signal });
    for (const listener of [...this.listeners]) listener();
    return { status: 200 };
  }
}
