/**
 * The build's task graph (.projen/tasks.json, generated from .projenrc.ts): no package can
 * be built without the handler bundle. `.ci/ecosystem.sh packaging` proves the same on a
 * fresh clone; this test catches a change to .projenrc.ts in seconds.
 */
import { execSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { BUNDLE_MIN_NODE_MAJOR } from '../src/private/handler-runtime';

interface Step { readonly spawn?: string; readonly exec?: string; readonly execArgs?: string[] }
const tasks: Record<string, { steps?: Step[] }> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '.projen', 'tasks.json'), 'utf8')).tasks;
const BUNDLE = 'assets/provider-handler/index.js';

describe('packaging always includes the handler bundle', () => {
  test('compile, the task jsii users run, bundles the handler before jsii compiles', () => {
    const steps = tasks.compile.steps ?? [];
    expect(steps[0]).toEqual({ spawn: 'bundle:handler' });
    expect(steps.findIndex((step) => step.exec?.startsWith('jsii'))).toBeGreaterThan(0);
    expect(tasks['bundle:handler'].steps?.[0].exec).toContain(`--outfile=${BUNDLE}`);
  });

  test.each(['js', 'python', 'java', 'dotnet', 'go'])('package:%s checks for the handler bundle before it packages', (target) => {
    expect(tasks[`package:${target}`].steps?.[0]).toEqual({ spawn: 'check:handler-bundle' });
  });

  test('the bundle check fails without the bundle, saying how to build it, and passes with it', () => {
    const check = tasks['check:handler-bundle'].steps![0].exec!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-bundle-check-'));
    try {
      expect(() => execSync(check, { cwd: dir, stdio: 'pipe' })).toThrow(/assets\/provider-handler\/index.js is missing: run npx projen compile/);
      fs.mkdirSync(path.join(dir, path.dirname(BUNDLE)), { recursive: true });
      fs.writeFileSync(path.join(dir, BUNDLE), '');
      expect(() => execSync(check, { cwd: dir, stdio: 'pipe' })).not.toThrow();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the bundle and the runtimes it is deployed to', () => {
  test('the bundle targets the oldest Node.js major the handler runtime may be (ADR 0011)', () => {
    expect(tasks['bundle:handler'].steps?.[0].exec).toContain(`--target=node${BUNDLE_MIN_NODE_MAJOR}`);
  });

  test('the package declares the Node.js majors ADR 0012 supports for synthesis', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(pkg.engines.node).toBe('>= 22.0.0');
  });
});

describe('the aws-cdk-lib the construct tests run against', () => {
  test('is the minimum the package supports, or the newest tested version when the second run asks for it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
    const expected = process.env.CDK_PERSONALIZE_AWS_CDK_LIB_UNDER_TEST ?? pkg.devDependencies['aws-cdk-lib'];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(require('aws-cdk-lib/package.json').version).toBe(expected);
    expect(pkg.peerDependencies['aws-cdk-lib']).toBe(`^${pkg.devDependencies['aws-cdk-lib']}`);
  });
});

describe('tests leave nothing behind', () => {
  test('an App a test makes without an outdir synthesizes into the test file\'s own folder, which the file removes', () => {
    const app = new App();
    new Stack(app, 'Scratch');
    app.synth();

    expect(path.basename(app.outdir)).toMatch(/^cdk-personalize-synth-/);
    expect(app.outdir).toBe(process.env.CDK_OUTDIR);
    const jest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).jest;
    expect(jest.setupFilesAfterEnv).toEqual(['<rootDir>/test/support/synth-outdir.ts']);
  });
});
