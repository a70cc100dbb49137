/**
 * The two S3 calls the handler makes: CopyObject and DeleteObject, on objects the
 * constructs name. The handler bundles no S3 client (the package depends on the
 * Personalize and Rekognition clients only), so these are plain REST requests,
 * signed with Signature Version 4 and the credentials the Personalize client
 * resolves. AWS_ENDPOINT_URL_S3 points them at a local S3 in tests (path-style
 * addressing then), as the SDK does.
 */
import { createHash, createHmac } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { SDK_CLIENT_CONFIG } from './sdk-client';

export interface S3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface S3Target {
  readonly region: string;
  readonly credentials: () => Promise<S3Credentials>;
  /** Epoch ms, for the signature's date. */
  readonly now: () => number;
}

/** An error S3 answered, named by its `Code` so that the engine's retry can classify it. */
export class S3Error extends Error {
  public readonly $metadata: { httpStatusCode: number };
  constructor(code: string, message: string, status: number) {
    super(`S3 ${code}: ${message}`);
    this.name = code;
    this.$metadata = { httpStatusCode: status };
  }
}

/** Copies s3://fromBucket/fromKey to s3://bucket/key; copying the same object again changes nothing. */
export async function copyObject(target: S3Target, fromBucket: string, fromKey: string, bucket: string, key: string): Promise<void> {
  const response = await send(target, 'PUT', bucket, key, { 'x-amz-copy-source': `/${fromBucket}/${encodeKey(fromKey)}` });
  // CopyObject can fail after answering 200: the error is then in the body.
  if (response.status >= 300 || /<Error>/.test(response.body)) throw errorOf(response.status >= 300 ? response.status : 500, response.body);
}

/** Deletes s3://bucket/key; a missing object is no error (S3 answers 204 either way). */
export async function deleteObject(target: S3Target, bucket: string, key: string): Promise<void> {
  const response = await send(target, 'DELETE', bucket, key, {});
  if (response.status >= 300 && response.status !== 404) throw errorOf(response.status, response.body);
}

interface RawResponse {
  readonly status: number;
  readonly body: string;
}

async function send(target: S3Target, method: string, bucket: string, key: string, extraHeaders: Record<string, string>): Promise<RawResponse> {
  const override = process.env.AWS_ENDPOINT_URL_S3;
  const suffix = target.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  const url = override
    ? new URL(`${override.replace(/\/$/, '')}/${bucket}/${encodeKey(key)}`)
    : new URL(`https://${bucket}.s3.${target.region}.${suffix}/${encodeKey(key)}`);
  const headers = signedHeaders(await target.credentials(), target.region, method, url, extraHeaders, new Date(target.now()));
  const client = url.protocol === 'http:' ? http : https;
  return new Promise<RawResponse>((resolve, reject) => {
    const request = client.request(url, { method, headers, timeout: SDK_CLIENT_CONFIG.requestHandler.requestTimeout }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error(`S3 ${method} timed out`), { name: 'TimeoutError' })));
    request.on('error', reject);
    request.end();
  });
}

const EMPTY_PAYLOAD_HASH = sha256Hex('');

/** Signature Version 4 headers for a request without a body. */
export function signedHeaders(credentials: S3Credentials, region: string, method: string, url: URL,
  extra: Record<string, string>, date: Date): Record<string, string> {
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    'host': url.host,
    'x-amz-content-sha256': EMPTY_PAYLOAD_HASH,
    'x-amz-date': amzDate,
    ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    ...extra,
  };
  const names = Object.keys(headers).map((name) => name.toLowerCase()).sort();
  const canonicalHeaders = names.map((name) => `${name}:${String(headers[name]).trim()}\n`).join('');
  const canonicalRequest = [method, url.pathname, '', canonicalHeaders, names.join(';'), EMPTY_PAYLOAD_HASH].join('\n');
  const scope = `${day}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const signingKey = ['s3', 'aws4_request'].reduce((key, part) => hmac(key, part),
    hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region));
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** URI-encodes each segment of a key the way S3 signs it (RFC 3986, `/` kept). */
export function encodeKey(key: string): string {
  return key.split('/').map((segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('/');
}

function errorOf(status: number, body: string): S3Error {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? (status >= 500 ? 'InternalError' : `Http${status}`);
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? body.slice(0, 200);
  return new S3Error(code, message, status);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: string | Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}
