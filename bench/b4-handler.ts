/**
 * B4: the handler bundle's size and its cold `require` time.
 *
 * Lambda's Node.js runtimes ship AWS SDK v3, so the bundle leaves the SDK
 * packages external and Lambda's copy is loaded at require time. Here the SDK
 * comes from node_modules, so the bundle's own cost is shown apart from the SDK's.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import * as esbuild from 'esbuild';
import { HANDLER_BUNDLE } from './lib/bundled-handler';
import { bytes, fixed, markdownTable } from './lib/markdown';
import { REPO_ROOT } from './lib/processes';
import { median } from './lib/stats';

const PROCESSES = 15;
const SDK_MODULE = '@aws-sdk/client-personalize';

/** Milliseconds spent in `require(target)`, measured inside a fresh node process after `preload` is required. */
function coldRequireMs(target: string, preload?: string): number {
  const script = [
    preload ? `require(${JSON.stringify(preload)});` : '',
    'const started = process.hrtime.bigint();',
    `require(${JSON.stringify(target)});`,
    'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, CDK_PERSONALIZE_SILENT: 'true', AWS_REGION: 'us-east-1' },
  });
  if (child.status !== 0) throw new Error(`require(${target}) failed in a fresh process:\n${child.stderr}`);
  return Number(child.stdout);
}

function medianColdRequireMs(target: string, preload?: string): number {
  return median(Array.from({ length: PROCESSES }, () => coldRequireMs(target, preload)));
}

/** The same entry point bundled with the SDK inside, the choice the library did not make. */
function bundleWithSdk(): string {
  const outfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-bench-')), 'index.js');
  esbuild.buildSync({
    entryPoints: [path.join(REPO_ROOT, 'lambda', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    legalComments: 'none',
    logLevel: 'warning',
    outfile,
  });
  return outfile;
}

function sizes(file: string): { raw: number; gzip: number } {
  const content = fs.readFileSync(file);
  return { raw: content.length, gzip: zlib.gzipSync(content, { level: 9 }).length };
}

export async function runHandlerBench(): Promise<string> {
  if (!fs.existsSync(HANDLER_BUNDLE)) throw new Error(`${HANDLER_BUNDLE} is missing; run \`npx projen bundle:handler\` first.`);
  const shipped = sizes(HANDLER_BUNDLE);
  const sdkBundledFile = bundleWithSdk();
  const sdkBundled = sizes(sdkBundledFile);

  const bundleCold = medianColdRequireMs(HANDLER_BUNDLE);
  const sdkAlone = medianColdRequireMs(SDK_MODULE);
  const bundleAfterSdk = medianColdRequireMs(HANDLER_BUNDLE, SDK_MODULE);
  const sdkBundledCold = medianColdRequireMs(sdkBundledFile);
  fs.rmSync(path.dirname(sdkBundledFile), { recursive: true, force: true });

  const table = markdownTable(
    ['what is required', 'bytes', 'gzip bytes', `cold require, median of ${PROCESSES} processes (ms)`],
    [
      ['`assets/provider-handler/index.js` as shipped (loads the SDK from node_modules)', bytes(shipped.raw), bytes(shipped.gzip), fixed(bundleCold, 1)],
      [`\`${SDK_MODULE}\` alone (in Lambda: the runtime's copy)`, '–', '–', fixed(sdkAlone, 1)],
      ['the shipped bundle once the SDK is loaded: the library\'s own cost', bytes(shipped.raw), bytes(shipped.gzip), fixed(bundleAfterSdk, 1)],
      ['for comparison: the same entry point with the SDK bundled in', bytes(sdkBundled.raw), bytes(sdkBundled.gzip), fixed(sdkBundledCold, 1)],
    ],
  );
  return [
    '### B4: handler bundle size and cold require time',
    '',
    table,
  ].join('\n');
}
