/**
 * Signals a CloudFormation wait condition: an HTTP PUT of the signal to the handle's
 * presigned URL, with an empty Content-Type, as the URL was signed. The URL must be the
 * wait-condition bucket of the function's own region: a forged request must not make the
 * function PUT anywhere else. AWS_ENDPOINT_URL_S3, which points the SDK at a local S3
 * in tests, sends the same request there, path-style.
 */
import * as http from 'http';
import * as https from 'https';
import { Clock } from '../clock';
import { RetryPolicy, withRetries } from '../retry';

export interface Signal {
  readonly success: boolean;
  /** CloudFormation shows a failure's reason in the stack's events. */
  readonly reason: string;
  /** Signals with the same UniqueId count once; the resource ARN makes a repeated signal harmless. */
  readonly uniqueId: string;
  readonly data: string;
}

/** CloudFormation keeps a reason to a readable length. */
const MAX_REASON = 1000;

/**
 * The bucket behind a wait condition handle's URL, if it is the wait-condition bucket of
 * `region` (`cloudformation-waitcondition-REGION`, virtual-hosted on S3): the bucket AWS's
 * VPC endpoint guide names for wait-condition responses. Anything else is refused.
 */
export function waitConditionBucket(url: string, region: string): string | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const bucket = `cloudformation-waitcondition-${region}`;
  const hosts = [`${bucket}.s3.amazonaws.com`, `${bucket}.s3.${region}.amazonaws.com`, `${bucket}.s3.${region}.amazonaws.com.cn`];
  return target.protocol === 'https:' && hosts.includes(target.hostname) && target.port === '' ? bucket : undefined;
}

export async function sendSignal(
  url: string, region: string, signal: Signal, clock: Clock, retryPolicy?: RetryPolicy, deadline?: number,
): Promise<void> {
  const bucket = waitConditionBucket(url, region);
  if (!bucket) throw new Error(`Refusing to signal '${new URL(url).origin}': not the wait-condition endpoint of region ${region}`);
  const body = JSON.stringify({
    Status: signal.success ? 'SUCCESS' : 'FAILURE',
    Reason: signal.reason.slice(0, MAX_REASON),
    UniqueId: signal.uniqueId,
    Data: signal.data,
  });
  const target = new URL(url);
  const override = process.env.AWS_ENDPOINT_URL_S3;
  const destination = override ? new URL(`${override.replace(/\/$/, '')}/${bucket}${target.pathname}${target.search}`) : target;
  await withRetries('SignalWaitCondition', clock, () => put(destination, body), retryPolicy, deadline);
}

function put(target: URL, body: string): Promise<void> {
  const transport = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = transport.request(target, {
      method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: 20_000,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(Object.assign(new Error(`The wait condition handle answered HTTP ${status}`), { $metadata: { httpStatusCode: status } }));
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('The wait condition handle did not answer'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(body);
  });
}
