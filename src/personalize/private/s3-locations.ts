/**
 * What jobs that read or write S3 (imports, batch jobs) check of their locations, once: the
 * API's limit on an S3 path, S3's on a key, and the `dataVersion` that re-runs a job.
 */
import { Token } from 'aws-cdk-lib';

/** DataSource.dataLocation and S3DataConfig.path (botocore S3Location): at most 256 characters. */
export const S3_PATH_MAX_LENGTH = 256;
/** S3 object keys are at most 1,024 bytes of UTF-8. */
const S3_KEY_MAX_BYTES = 1024;
const DATA_VERSION_MAX_LENGTH = 256;

/** Refuses a key or prefix longer than S3 allows. */
export function checkKeyBytes(property: string, key: string): void {
  if (Token.isUnresolved(key)) return;
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > S3_KEY_MAX_BYTES) {
    throw new Error(`Invalid ${property}: '${key.slice(0, 40)}…' is ${bytes} bytes long; S3 keys are at most ${S3_KEY_MAX_BYTES} bytes.`);
  }
}

/** Refuses a `dataVersion` that is empty or longer than 256 characters. */
export function checkDataVersion(dataVersion: string | undefined): void {
  if (dataVersion === undefined || Token.isUnresolved(dataVersion)) return;
  if (dataVersion.length === 0 || dataVersion.length > DATA_VERSION_MAX_LENGTH) {
    throw new Error(`Invalid dataVersion: '${dataVersion}' (${dataVersion.length} characters). Expected 1-${DATA_VERSION_MAX_LENGTH} characters.`);
  }
}
