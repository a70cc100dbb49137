/**
 * The two S3 calls the handler makes, on objects the constructs name: copying an
 * import's source into the construct's bucket, and removing that copy.
 * AWS_ENDPOINT_URL_S3 points the client at a local S3 in tests; buckets are then
 * addressed by path, since a local endpoint has no bucket subdomains.
 */
import { CopyObjectCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { processClient } from './sdk-client';

const s3 = processClient((config) => new S3Client({ ...config, forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }));

/** Copies s3://fromBucket/fromKey to s3://bucket/key; copying the same object again changes nothing. */
export async function copyObject(fromBucket: string, fromKey: string, bucket: string, key: string): Promise<void> {
  // The copy source is a URL path: each key segment is percent-encoded, `/` kept.
  const source = `${fromBucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`;
  await s3().send(new CopyObjectCommand({ CopySource: source, Bucket: bucket, Key: key }));
}

/** Deletes s3://bucket/key; S3 answers a missing object as deleted. */
export async function deleteObject(bucket: string, key: string): Promise<void> {
  await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
}
