/**
 * Benchmarks measure in child processes, so nothing the runner has loaded or
 * warmed up (modules, JIT, SDK clients) leaks into a measurement.
 */
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';

export const REPO_ROOT = path.join(__dirname, '..', '..');
const RESULT_PREFIX = 'BENCH_RESULT ';
const READY_LINE = 'BENCH_READY';

export interface ChildJob {
  /** A TypeScript file in bench/, run with ts-node (transpile only). */
  readonly script: string;
  readonly input: unknown;
}

/** Runs one job in a fresh node process and returns what it reported. */
export async function runChild<T>(job: ChildJob): Promise<T> {
  return startChild(job, false).result as Promise<T>;
}

/** Runs jobs one after another, each in a fresh process. */
export async function runSequentially<T>(jobs: ChildJob[]): Promise<T[]> {
  const results: T[] = [];
  for (const job of jobs) results.push(await runChild<T>(job));
  return results;
}

/**
 * Starts every job, waits until all have loaded their modules, then lets them
 * measure at the same moment: start-up work (CPU-bound) never overlaps a
 * measurement (mostly idle waiting), so jobs that wait can share the two cores.
 */
export async function runTogether<T>(jobs: ChildJob[]): Promise<T[]> {
  const children = jobs.map((job) => startChild(job, true));
  await Promise.all(children.map((child) => Promise.race([child.ready, child.result])));
  for (const child of children) child.process.stdin!.end('go\n');
  return Promise.all(children.map((child) => child.result as Promise<T>));
}

interface RunningChild {
  readonly process: ChildProcess;
  /** Resolves once the child has loaded everything and waits for the go. */
  readonly ready: Promise<void>;
  readonly result: Promise<unknown>;
}

function startChild(job: ChildJob, waitForGo: boolean): RunningChild {
  const script = path.join(__dirname, '..', job.script);
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, JSON.stringify(job.input)], {
    cwd: REPO_ROOT,
    env: { ...process.env, TS_NODE_PROJECT: path.join(REPO_ROOT, 'bench', 'tsconfig.json'), BENCH_WAIT_FOR_GO: waitForGo ? 'true' : '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout!.on('data', (chunk) => {
    stdout += chunk;
    if (stdout.includes(`${READY_LINE}\n`)) signalReady();
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const result = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.split('\n').find((candidate) => candidate.startsWith(RESULT_PREFIX));
      if (code !== 0 || !line) {
        reject(new Error(`bench/${job.script} ${JSON.stringify(job.input)} exited with ${code}:\n${stderr || stdout}`));
        return;
      }
      resolve(JSON.parse(line.slice(RESULT_PREFIX.length)));
    });
  });
  return { process: child, ready, result };
}

/**
 * The child side: reads the job input, waits for the parent's go when asked to,
 * and reports the result (or fails the process with the error).
 */
export function childMain<I, R>(setup: (input: I) => Promise<() => Promise<R>>): void {
  const input = JSON.parse(process.argv[2] ?? '{}') as I;
  void (async () => {
    const measure = await setup(input);
    if (process.env.BENCH_WAIT_FOR_GO === 'true') {
      process.stdout.write(`${READY_LINE}\n`);
      await new Promise<void>((resolve) => {
        process.stdin.once('data', () => resolve());
        process.stdin.resume();
      });
      process.stdin.pause();
    }
    const result = await measure();
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
    process.exit(0);
  })().catch((error) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
