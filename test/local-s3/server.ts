/**
 * A local Amazon S3 endpoint for tests: the REST-XML protocol, path-style
 * (`/BUCKET/KEY`), on 127.0.0.1. It answers the object calls the handler and the
 * local Personalize service make: PutObject, CopyObject (PUT with
 * `x-amz-copy-source`), HeadObject, GetObject and DeleteObject, with S3's own error
 * bodies (`<Error><Code>NoSuchKey</Code>…`). Buckets exist once `createBucket` made
 * them. Signatures are not checked, but a request without an Authorization header
 * is refused (AccessDenied), as S3 refuses anonymous requests to a private bucket.
 *
 *   const s3 = await LocalS3.start();
 *   s3.createBucket('assets'); s3.putObject('assets', 'a.csv', 'ID\n1\n');
 *   process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
 */
import { createHash } from 'crypto';
import * as http from 'http';
import { AddressInfo } from 'net';
import { signerOf, traceRootOf } from '../local-service/json-server';

/** An answer of a routed bucket: a status, and an S3 error code for an error. */
export interface S3Answer {
  readonly status: number;
  readonly code?: string;
}

/** A bucket served by something else (the wait-condition bucket: see harness/signals.ts). */
export interface S3Route {
  receive(method: string, key: string, query: URLSearchParams, contentType: string | undefined, body: Buffer): S3Answer;
}

/** What S3 answers when IAM denies a call (AccessDenied); undefined when the call is allowed. */
export type S3Authorizer = (accessKeyId: string | undefined, operation: string,
  input: { readonly Bucket: string; readonly Key: string; readonly CopySource?: string },
  traceRoot?: string) => { readonly message: string } | undefined;

export interface LocalS3Options {
  /** Every bucket exists (for the lifecycle harness, which does not simulate AWS::S3::Bucket). @default false */
  readonly anyBucket?: boolean;
}

export interface S3CallRecord {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  /** `bucket/key` of a copy's source. */
  readonly copySource?: string;
  readonly status: number;
}

interface StoredObject {
  readonly body: Buffer;
  readonly etag: string;
}

export class LocalS3 {
  /** Starts a server on 127.0.0.1 on a random port; it never keeps the process alive. */
  public static async start(options: LocalS3Options = {}): Promise<LocalS3> {
    const s3 = new LocalS3(options);
    await new Promise<void>((resolve) => s3.server.listen(0, '127.0.0.1', resolve));
    s3.server.unref();
    return s3;
  }

  public readonly calls: S3CallRecord[] = [];
  /** Decides each signed object request as IAM would; unset, every call is allowed. */
  public authorizer?: S3Authorizer;
  private readonly buckets = new Map<string, Map<string, StoredObject>>();
  private readonly server: http.Server;
  private faults: Array<{ code: string; status: number }> = [];
  private readonly routes = new Map<string, S3Route>();

  private constructor(private readonly options: LocalS3Options) {
    this.server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.handle(request, Buffer.concat(chunks), response));
    });
    // No server-side keep-alive timeout: on a busy machine a client may reuse an idle socket just as the
    // server closes it, and its call fails with ECONNRESET however correct the code under test is.
    this.server.keepAliveTimeout = 0;
    this.server.on('connection', (socket) => socket.unref());
  }

  public get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public createBucket(bucket: string): void {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  public putObject(bucket: string, key: string, body: string | Buffer): void {
    this.objectsOf(bucket).set(key, stored(Buffer.from(body)));
  }

  /** The object's content, or undefined. */
  public getObject(bucket: string, key: string): string | undefined {
    return this.buckets.get(bucket)?.get(key)?.body.toString('utf8');
  }

  public hasObject(bucket: string, key: string): boolean {
    return this.buckets.get(bucket)?.has(key) === true;
  }

  /** Whether `s3://BUCKET/KEY` is an object, or `s3://BUCKET/PREFIX/` has objects under it. */
  /** The objects a location (`s3://BUCKET/KEY`, or a prefix ending in '/') names. */
  public objectsAt(location: string): Array<{ bucket: string; key: string }> {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
    if (!match) return [];
    const [, bucket, key] = match;
    const keys = [...this.buckets.get(bucket)?.keys() ?? []];
    return keys.filter((k) => (key.endsWith('/') || key === '' ? k.startsWith(key) : k === key)).map((k) => ({ bucket, key: k }));
  }

  public hasData(location: string): boolean {
    const match = /^s3:\/\/([^/]+)\/(.*)$/.exec(location);
    if (!match) return false;
    const [, bucket, key] = match;
    const keys = [...this.buckets.get(bucket)?.keys() ?? []];
    return key.endsWith('/') || key === '' ? keys.some((k) => k.startsWith(key)) : keys.includes(key);
  }

  /** Serves `bucket` with `route` (before any fault, signature or object rule), as another AWS service owns it. */
  public route(bucket: string, route: S3Route): void {
    this.routes.set(bucket, route);
  }

  /** The next `times` requests fail with this S3 error (503 SlowDown by default: S3's throttle). */
  public failNext(times: number, code = 'SlowDown', status = 503): void {
    for (let i = 0; i < times; i++) this.faults.push({ code, status });
  }

  public reset(): void {
    this.buckets.clear();
    this.calls.length = 0;
    this.faults = [];
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private objectsOf(bucket: string): Map<string, StoredObject> {
    if (this.options.anyBucket) this.createBucket(bucket);
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`local-s3: no bucket '${bucket}'; createBucket it first`);
    return objects;
  }

  private handle(request: http.IncomingMessage, body: Buffer, response: http.ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
    const key = rest.map((part) => decodeURIComponent(part)).join('/');
    const method = request.method ?? 'GET';
    const copyHeader = request.headers['x-amz-copy-source'] as string | undefined;
    const copySource = copyHeader ? decodeURIComponent(copyHeader.replace(/^\//, '')) : undefined;
    const answer = (status: number, xml = '', headers: Record<string, string> = {}) => {
      this.calls.push({ method, bucket, key, copySource, status });
      response.writeHead(status, { 'content-type': 'application/xml', ...headers });
      response.end(method === 'HEAD' ? undefined : xml);
    };
    const error = (status: number, code: string, message: string) =>
      answer(status, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);

    const routed = this.routes.get(bucket);
    if (routed) {
      const result = routed.receive(method, key, url.searchParams, request.headers['content-type'], body);
      return result.code ? error(result.status, result.code, `${bucket} refused the request`) : answer(result.status);
    }
    const fault = this.faults.shift();
    if (fault) return error(fault.status, fault.code, 'Injected fault');
    if (!request.headers.authorization) return error(403, 'AccessDenied', 'Anonymous access is denied');
    if (this.options.anyBucket) this.createBucket(bucket);
    const objects = this.buckets.get(bucket);
    if (!objects) return error(404, 'NoSuchBucket', `The specified bucket does not exist: ${bucket}`);
    if (key === '') return error(400, 'InvalidRequest', 'local-s3 answers object operations only');
    const operation = method === 'PUT' ? (copySource === undefined ? 'PutObject' : 'CopyObject')
      : method === 'GET' ? 'GetObject' : method === 'HEAD' ? 'HeadObject' : method === 'DELETE' ? 'DeleteObject' : method;
    const denied = this.authorizer?.(signerOf(request.headers), operation, { Bucket: bucket, Key: key, CopySource: copySource },
      traceRootOf(request.headers));
    if (denied) return error(403, 'AccessDenied', denied.message);

    switch (method) {
      case 'PUT': {
        if (copySource === undefined) {
          const object = stored(body);
          objects.set(key, object);
          return answer(200, '', { etag: object.etag });
        }
        const [fromBucket, ...fromKey] = copySource.split('/');
        const source = this.buckets.get(fromBucket)?.get(fromKey.join('/'));
        if (!source) return error(404, 'NoSuchKey', `The specified key does not exist: ${copySource}`);
        objects.set(key, source);
        return answer(200, `<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><ETag>${source.etag}</ETag></CopyObjectResult>`);
      }
      case 'GET':
      case 'HEAD': {
        const object = objects.get(key);
        if (!object) return error(404, 'NoSuchKey', `The specified key does not exist: ${key}`);
        this.calls.push({ method, bucket, key, status: 200 });
        response.writeHead(200, { 'etag': object.etag, 'content-length': String(object.body.length) });
        response.end(method === 'HEAD' ? undefined : object.body);
        return;
      }
      case 'DELETE':
        objects.delete(key);
        return answer(204);
      default:
        return error(405, 'MethodNotAllowed', `local-s3 does not answer ${method}`);
    }
  }
}

function stored(body: Buffer): StoredObject {
  return { body, etag: `"${createHash('md5').update(body).digest('hex')}"` };
}

/**
 * A local S3 for the tests of one jest block, which the handler's S3 calls reach through
 * AWS_ENDPOINT_URL_S3: started before them, emptied before each (then given `buckets`),
 * stopped after them. Call the returned getter inside tests.
 */
export function useLocalS3(buckets: string[] = []): () => LocalS3 {
  let s3: LocalS3 | undefined;
  beforeAll(async () => {
    s3 = await LocalS3.start();
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_S3;
    await s3?.stop();
  });
  beforeEach(() => {
    s3!.reset();
    buckets.forEach((bucket) => s3!.createBucket(bucket));
  });
  return () => s3!;
}
