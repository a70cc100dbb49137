/**
 * The handler as it ships: assets/provider-handler/index.js, built by
 * `npx projen bundle:handler`. The harness rebuilds it when it is missing or
 * older than its sources.
 *
 * Each environment runs its own copy in a worker thread, like a Lambda sandbox:
 * its own module state (the bundle caches one PersonalizeClient, built from the
 * environment on first use), its own environment variables, and plain Node.js.
 * Inside jest's module sandbox the SDK would see errors from Node's http module
 * as foreign objects (`instanceof Error` is false across realms) and replace them
 * with a wrapper that drops their code (ECONNRESET), which Lambda never does.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { HandlerOptions } from '../../lambda';
import type { IsCompleteResult, LifecycleEvent, OnEventResult } from '../../lambda/engine';

const ROOT = path.join(__dirname, '..', '..');
export const BUNDLE_PATH = path.join(ROOT, 'assets', 'provider-handler', 'index.js');
/** Everything the bundle is built from: lambda/ and what it imports from src/private. */
const SOURCE_DIRS = [path.join(ROOT, 'lambda'), path.join(ROOT, 'src', 'private')];
const LOCK_DIR = `${BUNDLE_PATH}.lock`;
const LOCK_STALE_MS = 120_000;

/** Each call gets the Lambda timeout it runs under; the handler reads what is left through Lambda's context object. */
export interface BundledHandlers {
  onEvent(event: LifecycleEvent, timeoutMs: number): Promise<OnEventResult>;
  isComplete(event: LifecycleEvent, timeoutMs: number): Promise<IsCompleteResult>;
}

export interface HandlerHost extends BundledHandlers {
  /** Runs another entry point of the bundle (the training watcher) as the function `functionArn`. */
  invoke(handler: string, payload: unknown, timeoutMs: number, functionArn: string): Promise<void>;
  /** The longest the handler's thread was starved of CPU (a 10 ms timer fired late) in answers since `since` (epoch ms). */
  longestStallSince(since: number): number;
  stop(): Promise<void>;
}

/**
 * Builds the bundle if it is missing or stale. Jest workers run test files in
 * parallel, so one builds under a lock directory and the others wait for it.
 */
export async function ensureFreshBundle(): Promise<void> {
  if (isFresh()) return;
  const deadline = Date.now() + LOCK_STALE_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() > deadline) fs.rmSync(LOCK_DIR, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 200));
      if (isFresh()) return;
    }
  }
  try {
    if (!isFresh()) execFileSync('npx', ['projen', 'bundle:handler'], { cwd: ROOT, stdio: 'pipe' });
  } finally {
    fs.rmSync(LOCK_DIR, { recursive: true, force: true });
  }
  if (!isFresh()) throw new Error(`npx projen bundle:handler did not produce a fresh ${BUNDLE_PATH}`);
}

/** The worker: loads the bundle once and runs one handler call per message. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const bundle = require(workerData.bundlePath);
if (typeof bundle.createHandlers !== 'function') throw new Error(workerData.bundlePath + ' does not export createHandlers');
const handlers = bundle.createHandlers(workerData.options);
// How late a 10 ms timer fires here: a thread starved of CPU, reported with each answer.
let stalled = 0;
let expected = Date.now() + 10;
setInterval(() => {
  const now = Date.now();
  stalled = Math.max(stalled, now - expected);
  expected = now + 10;
}, 10).unref();
const answer = (message) => {
  parentPort.postMessage({ ...message, stalled });
  stalled = 0;
};
parentPort.on('message', ({ id, fn, payload, timeoutMs, functionArn }) => {
  const deadline = Date.now() + timeoutMs;
  const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()), invokedFunctionArn: functionArn };
  Promise.resolve().then(() => handlers[fn](payload, context)).then(
    (result) => answer({ id, result: JSON.stringify(result === undefined ? null : result) }),
    (error) => answer({ id, error: { name: error && error.name, message: error && error.message, stack: error && error.stack } }),
  );
});
`;

/** Starts a fresh copy of the bundle with these environment variables and handler options. */
export function startHandlerHost(env: Record<string, string>, options: HandlerOptions): HandlerHost {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    env: { ...process.env, ...env },
    workerData: { bundlePath: BUNDLE_PATH, options },
  });
  worker.unref();
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const stalls: Array<[number, number]> = [];
  worker.on('message', ({ id, result, error, stalled }) => {
    if (stalled >= 20) stalls.push([Date.now(), stalled]);
    const call = pending.get(id);
    if (!call) return;
    pending.delete(id);
    if (error) call.reject(Object.assign(new Error(error.message), { name: error.name, stack: error.stack }));
    else call.resolve(JSON.parse(result));
  });
  worker.on('error', (error) => {
    failure = error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  });

  const call = (fn: string, payload: unknown, timeoutMs: number, functionArn?: string) => new Promise<any>((resolve, reject) => {
    if (failure) return reject(failure);
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ id, fn, payload, timeoutMs, functionArn });
  });
  return {
    onEvent: (event, timeoutMs) => call('onEvent', event, timeoutMs),
    isComplete: (event, timeoutMs) => call('isComplete', event, timeoutMs),
    invoke: (handler, payload, timeoutMs, functionArn) => call(handler, payload, timeoutMs, functionArn),
    longestStallSince: (since) => stalls.filter(([at]) => at >= since).reduce((longest, [, ms]) => Math.max(longest, ms), 0),
    stop: async () => {
      await worker.terminate();
    },
  };
}

function isFresh(): boolean {
  if (!fs.existsSync(BUNDLE_PATH)) return false;
  const built = fs.statSync(BUNDLE_PATH).mtimeMs;
  return SOURCE_DIRS.every((dir) => newestTypeScript(dir) <= built);
}

function newestTypeScript(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestTypeScript(full));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}
