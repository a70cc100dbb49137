/**
 * The local S3 answers the object calls the handler makes through the AWS SDK
 * (lambda/kinds/s3-objects.ts), with S3's status codes and error bodies.
 */
import { LocalS3, useLocalS3 } from './server';
import { copyObject, deleteObject } from '../../lambda/kinds/s3-objects';

const localS3 = useLocalS3(['assets', 'copies']);
process.env.AWS_REGION = 'us-east-1';
process.env.AWS_ACCESS_KEY_ID = 'test';
process.env.AWS_SECRET_ACCESS_KEY = 'test';

let s3: LocalS3;
beforeEach(() => {
  s3 = localS3();
});

test('CopyObject copies an object, keys with spaces and slashes included, and copying again changes nothing', async () => {
  s3.putObject('assets', 'dir/a b.csv', 'ID\n1\n');
  await copyObject('assets', 'dir/a b.csv', 'copies', 'imports/x.csv');
  await copyObject('assets', 'dir/a b.csv', 'copies', 'imports/x.csv');
  expect(s3.getObject('copies', 'imports/x.csv')).toBe('ID\n1\n');
  expect(s3.calls.map((c) => [c.method, c.copySource, c.status])).toEqual([['PUT', 'assets/dir/a b.csv', 200], ['PUT', 'assets/dir/a b.csv', 200]]);
});

test('a missing source or bucket is S3\'s NoSuchKey or NoSuchBucket, with the HTTP status', async () => {
  await expect(copyObject('assets', 'nope.csv', 'copies', 'x.csv')).rejects.toMatchObject({ name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
  await expect(copyObject('assets', 'nope.csv', 'elsewhere', 'x.csv')).rejects.toMatchObject({ name: 'NoSuchBucket' });
});

test('DeleteObject removes the object, and a missing one is no error', async () => {
  s3.putObject('copies', 'x.csv', 'x');
  await deleteObject('copies', 'x.csv');
  await deleteObject('copies', 'x.csv');
  expect(s3.hasObject('copies', 'x.csv')).toBe(false);
});

test('an injected SlowDown answers 503, which the engine retries', async () => {
  s3.putObject('assets', 'a.csv', 'x');
  s3.failNext(1);
  await expect(copyObject('assets', 'a.csv', 'copies', 'a.csv')).rejects.toMatchObject({ name: 'SlowDown', $metadata: { httpStatusCode: 503 } });
  await copyObject('assets', 'a.csv', 'copies', 'a.csv');
  expect(s3.hasObject('copies', 'a.csv')).toBe(true);
});

test('hasData finds an object by key and objects by prefix', () => {
  s3.putObject('assets', 'data/a.csv', 'x');
  expect(s3.hasData('s3://assets/data/a.csv')).toBe(true);
  expect(s3.hasData('s3://assets/data/')).toBe(true);
  expect(s3.hasData('s3://assets/other/')).toBe(false);
  expect(s3.hasData('s3://assets/data/b.csv')).toBe(false);
});
