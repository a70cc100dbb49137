/**
 * Every App a test file makes without an outdir synthesizes into one folder of this file's
 * own (aws-cdk-lib reads CDK_OUTDIR), removed when the file's tests end: otherwise each App
 * leaves a cdk.out folder in the system temp folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-synth-'));
process.env.CDK_OUTDIR = outdir;

afterAll(() => {
  fs.rmSync(outdir, { recursive: true, force: true });
});
