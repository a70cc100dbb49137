/**
 * Starts a watcher: an asynchronous Lambda Invoke (InvocationType Event) of a watcher
 * function. The package ships without @aws-sdk/client-lambda, so the call is made with
 * the SDK's own request signer and HTTP handler, and the credentials Lambda puts in the
 * environment. AWS_ENDPOINT_URL_LAMBDA points it elsewhere, as for every SDK client.
 */
import { createHash, createHmac } from 'crypto';
// Parts of the SDK that @aws-sdk/client-personalize already brings (and the Lambda runtime ships), not declared on their own.
/* eslint-disable import/no-extraneous-dependencies */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { HttpRequest } from '@smithy/core/protocols';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { SignatureV4 } from '@smithy/signature-v4';
/* eslint-enable import/no-extraneous-dependencies */
import type { KindContext } from '../resource-kind';

/** What a watcher is asked to follow. */
export interface WatchRequest {
  /** The custom resource type whose resource is watched; the watcher picks what to ask the service by it. */
  readonly resourceType: string;
  readonly arn: string;
  /** The presigned URL of the wait condition handle to signal. */
  readonly signalUrl: string;
  /** When the training started (epoch ms): the watcher gives up once the longest wait condition has timed out. */
  readonly startedAt: number;
}

/** SHA-256 and HMAC-SHA-256 as the signer asks for them, from Node's crypto. */
class Sha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  public update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }
  public async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

let handler: NodeHttpHandler | undefined;

/** Invokes `functionArn` asynchronously with `payload`, with the engine's retries. */
export async function invokeAsync(context: Pick<KindContext, 'call' | 'region'>, functionArn: string, payload: unknown): Promise<void> {
  const region = process.env.AWS_REGION ?? context.region;
  const domain = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const endpoint = new URL(process.env.AWS_ENDPOINT_URL_LAMBDA ?? `https://lambda.${region}.${domain}`);
  const body = JSON.stringify(payload);
  const request = new HttpRequest({
    method: 'POST',
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port: endpoint.port ? Number(endpoint.port) : undefined,
    path: `/2015-03-31/functions/${encodeURIComponent(functionArn)}/invocations`,
    headers: { 'host': endpoint.host, 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
    body,
  });
  const signer = new SignatureV4({ credentials: fromEnv(), region, service: 'lambda', sha256: Sha256 });
  handler ??= new NodeHttpHandler({ connectionTimeout: 5_000, requestTimeout: 20_000 });
  await context.call('Invoke', async () => {
    const { response } = await handler!.handle(await signer.sign(request) as HttpRequest);
    const text = await readBody(response.body);
    // Event invocations answer 202 Accepted; errors carry their type in a header, as the SDK reads them.
    if (response.statusCode !== 202) {
      const name = String(response.headers['x-amzn-errortype'] ?? 'LambdaError').split(':')[0];
      throw Object.assign(new Error(`Lambda Invoke of ${functionArn} answered ${response.statusCode}: ${text}`),
        { name, $metadata: { httpStatusCode: response.statusCode } });
    }
  });
}

/** Starts the watcher for a training that just began. */
export function startWatcher(context: KindContext, functionArn: string, request: WatchRequest): Promise<void> {
  return invokeAsync(context, functionArn, request);
}

async function readBody(stream: unknown): Promise<string> {
  if (!stream || typeof (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator] !== 'function') return '';
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
