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
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { Release, SimClock } from './sim-clock';
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
  onEvent(event: LifecycleEvent, timeoutMs: number, traceId?: string): Promise<OnEventResult>;
  isComplete(event: LifecycleEvent, timeoutMs: number, traceId?: string): Promise<IsCompleteResult>;
}

export interface HandlerHost extends BundledHandlers {
  /** Runs another entry point of the bundle as the function `functionArn`, under an X-Ray trace header. */
  invoke(handler: string, payload: unknown, timeoutMs: number, functionArn: string, traceId?: string): Promise<unknown>;
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

/**
 * The worker: loads the bundle once and runs one handler call per message, on the
 * harness's virtual clock. `now` reads the time the main thread shares; a sleep asks the
 * main thread for a timer and waits for its wake-up. The thread reports when it is quiet
 * (no HTTP request of its own in flight, its event loop idle for two turns), so the clock
 * never moves while the handler works.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('worker_threads');
const http = require('http');
const https = require('https');
const shared = new Float64Array(workerData.sharedTime);
let lastSeen = 0;
let inFlight = 0;
let checkPending = false;
// Work of the thread's own that is not an HTTP request: file reads (the SDK's config files), DNS, connects, writes.
const WORK = /(Req(Wrap|Callback|Promise)$|^(TCPConnectWrap|WriteWrap|ShutdownWrap|Zlib)$)/;
// File system calls of the thread's own (the SDK reads its config files), counted here: Node.js 26 no longer lists
// them in process.getActiveResourcesInfo(), and a read the clock does not see lets it jump to the Lambda timeout.
const fs = require('fs');
let fileCalls = 0;
const FILE_CALLS = ['readFile', 'stat', 'lstat', 'access', 'open', 'readdir'];
for (const name of FILE_CALLS) {
  const promised = fs.promises[name];
  fs.promises[name] = function (...args) {
    fileCalls++;
    return promised.apply(this, args).finally(() => { fileCalls--; quietCheck(); });
  };
  const callback = fs[name];
  fs[name] = function (...args) {
    const done = args[args.length - 1];
    if (typeof done !== 'function') return callback.apply(this, args);
    fileCalls++;
    args[args.length - 1] = function (...results) { fileCalls--; quietCheck(); return done.apply(this, results); };
    return callback.apply(this, args);
  };
}
// Quiet: nothing to do but wait for answers to the requests in flight (which their servers account for) and for wake-ups.
const working = () => fileCalls > 0 || process.getActiveResourcesInfo().some((kind) => WORK.test(kind));
const quietCheck = () => {
  if (checkPending) return;
  checkPending = true;
  setImmediate(() => setImmediate(() => {
    checkPending = false;
    if (working()) setTimeout(quietCheck, 1);
    else parentPort.postMessage({ quiet: lastSeen, inFlight });
  }));
};
// Count this thread's HTTP requests from the first byte to the end of the answer.
for (const transport of [http, https]) {
  const request = transport.request;
  transport.request = function (...args) {
    const req = request.apply(this, args);
    inFlight++;
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      inFlight--;
      quietCheck();
    };
    req.on('response', (res) => {
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
    });
    req.on('error', finish);
    req.on('close', () => { if (!req.res) finish(); });
    return req;
  };
}
// Lambda's per-invocation context, as the Node.js runtime keeps it for the AWS SDK: the X-Ray trace header, which
// the SDK's recursion-detection middleware sends on with every call, so Lambda can count invocation chains.
const { AsyncLocalStorage } = require('async_hooks');
const invocationContext = new AsyncLocalStorage();
globalThis.awslambda = {
  InvokeStore: {
    getXRayTraceId: () => invocationContext.getStore()?.traceId,
    getRequestId: () => invocationContext.getStore()?.requestId ?? '-',
    getTenantId: () => undefined,
    getTraceparent: () => undefined,
    getTracestate: () => undefined,
    getBaggage: () => undefined,
    hasContext: () => invocationContext.getStore() !== undefined,
    getContext: () => invocationContext.getStore(),
  },
};
let nextSleep = 0;
const sleepers = new Map();
const clock = {
  now: () => shared[0],
  sleep: (ms) => new Promise((resolve) => {
    const id = nextSleep++;
    sleepers.set(id, resolve);
    parentPort.postMessage({ sleep: id, ms });
    quietCheck();
  }),
  random: () => Math.random(),
};
const bundle = require(workerData.bundlePath);
if (typeof bundle.createHandlers !== 'function') throw new Error(workerData.bundlePath + ' does not export createHandlers');
const handlers = bundle.createHandlers({ ...workerData.options, clock });
parentPort.on('message', (message) => {
  lastSeen = message.seq;
  if (message.wake !== undefined) {
    const resolve = sleepers.get(message.wake);
    sleepers.delete(message.wake);
    resolve();
  } else {
    const { id, fn, payload, deadline, functionArn, traceId } = message;
    const context = { getRemainingTimeInMillis: () => Math.max(0, deadline - shared[0]), invokedFunctionArn: functionArn };
    invocationContext.run({ traceId, requestId: String(id) }, () => Promise.resolve().then(() => handlers[fn](payload, context))).then(
      (result) => parentPort.postMessage({ id, result: JSON.stringify(result === undefined ? null : result) }),
      (error) => parentPort.postMessage({ id, error: { name: error && error.name, message: error && error.message, stack: error && error.stack } }),
    ).finally(quietCheck);
  }
  quietCheck();
});
`;

/** Starts a fresh copy of the bundle with these environment variables and handler options, on `clock`. */
export function startHandlerHost(env: Record<string, string>, options: HandlerOptions, clock: SimClock): HandlerHost {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    env: { ...process.env, ...env },
    workerData: { bundlePath: BUNDLE_PATH, options, sharedTime: clock.shared.buffer },
  });
  worker.unref();
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  // The clock waits while the thread has a message it has not answered with a quiet report.
  let posted = 0;
  let busy: Release | undefined;
  const post = (message: Record<string, unknown>) => {
    posted++;
    busy ??= clock.hold();
    worker.postMessage({ ...message, seq: posted });
  };
  const sender = {};
  worker.on('message', (message) => {
    if (message.quiet !== undefined) {
      if (message.quiet !== posted) return;
      clock.reportInFlight(sender, message.inFlight);
      busy?.();
      busy = undefined;
      return;
    }
    if (message.sleep !== undefined) {
      clock.schedule(message.ms, () => post({ wake: message.sleep }), 'handler sleep');
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.error) call.reject(Object.assign(new Error(message.error.message), { name: message.error.name, stack: message.error.stack }));
    else call.resolve(JSON.parse(message.result));
  });
  worker.on('error', (error) => {
    failure = error;
    for (const call of pending.values()) call.reject(error);
    pending.clear();
    busy?.();
    busy = undefined;
  });

  const call = (fn: string, payload: unknown, timeoutMs: number, functionArn?: string, traceId = newTraceId()) => new Promise<any>((
    resolve, reject) => {
    if (failure) return reject(failure);
    const id = nextId++;
    pending.set(id, { resolve, reject });
    post({ id, fn, payload, deadline: clock.now() + timeoutMs, functionArn, traceId });
  });
  return {
    onEvent: (event, timeoutMs, traceId) => call('onEvent', event, timeoutMs, undefined, traceId),
    isComplete: (event, timeoutMs, traceId) => call('isComplete', event, timeoutMs, undefined, traceId),
    invoke: (handler, payload, timeoutMs, functionArn, traceId) => call(handler, payload, timeoutMs, functionArn, traceId),
    stop: async () => {
      busy?.();
      busy = undefined;
      clock.reportInFlight(sender, 0);
      await worker.terminate();
    },
  };
}

/** An X-Ray trace header that starts a new trace, as Lambda gives an invocation nobody traced before. */
export function newTraceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Sampled=0`;
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
