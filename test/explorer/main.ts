/**
 * `npx projen explore [--seeds N] [--seed S] [--first F] [--budget SECONDS] [--jobs J] [--concurrency C]`
 *
 * Runs seeds F, F+1, ... (N of them, default 20; F defaults to 1) or the one seed S,
 * until N are done or the budget is spent (no new seed starts after it). J worker
 * processes (default: one per CPU, at most 2) each run C seeds at a time (default 4).
 * Prints each failing seed with the command that replays it, then the counts.
 * Exits 1 on any violation.
 */
import { ChildProcess, fork } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { formatSummary, planSeed, PlannedStep, report, runPlans, SeedResult, summarizeResults } from './explorer';
import { ensureFreshBundle } from '../harness/bundle';

interface Options {
  readonly seeds: number[];
  readonly budgetMs: number;
  readonly jobs: number;
  readonly concurrency: number;
}

function parse(argv: string[]): Options {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    if (index < 0) return undefined;
    const raw = argv[index + 1];
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < 0) throw new Error(`${flag} needs a whole number, got '${raw}'`);
    return parsed;
  };
  const known = new Set(['--seeds', '--seed', '--first', '--budget', '--jobs', '--concurrency']);
  for (let i = 0; i < argv.length; i += 2) {
    if (!known.has(argv[i])) throw new Error(`Unknown option '${argv[i]}'; usage: explore [--seeds N] [--seed S] [--first F] [--budget SECONDS] [--jobs J] [--concurrency C]`);
  }
  const seed = value('--seed');
  const first = value('--first') ?? 1;
  const count = value('--seeds') ?? (value('--budget') !== undefined ? 1_000_000 : 20);
  return {
    seeds: seed !== undefined ? [seed] : Array.from({ length: count }, (_, i) => first + i),
    budgetMs: (value('--budget') ?? Infinity) * 1000,
    jobs: Math.max(1, Math.min(value('--jobs') ?? Math.min(2, os.cpus().length), seed !== undefined ? 1 : Infinity)),
    concurrency: Math.max(1, value('--concurrency') ?? 4),
  };
}

/** The parent: hands seeds to the workers one at a time until they or the budget run out. */
async function main(options: Options): Promise<number> {
  await ensureFreshBundle();
  const started = Date.now();
  const results: SeedResult[] = [];
  const queue = [...options.seeds];
  const onResult = (result: SeedResult) => {
    results.push(result);
    if (result.violations.length > 0) console.log(report(result));
    if (results.length % 100 === 0) console.log(`... ${results.length} seeds, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };
  const nextSeed = () => (Date.now() - started < options.budgetMs ? queue.shift() : undefined);

  if (options.seeds.length === 1) {
    const seed = options.seeds[0];
    let plan: { seed: number; steps: PlannedStep[] } | undefined = { seed, steps: planSeed(seed) };
    await runPlans(async () => {
      const current = plan;
      plan = undefined;
      return current;
    }, (result) => {
      onResult(result);
      if (result.violations.length === 0) console.log(result.trace.join('\n'));
    });
  } else {
    await Promise.all(Array.from({ length: options.jobs }, () => runWorker(options.concurrency, nextSeed, onResult)));
  }
  const summary = summarizeResults(results, Date.now() - started);
  console.log(formatSummary(summary));
  if (summary.failed.length > 0) console.log(`replay: ${summary.failed.map((r) => `npx projen explore --seed ${r.seed}`).join('\n        ')}`);
  return summary.failed.length > 0 ? 1 : 0;
}

/** One worker process that keeps `concurrency` seeds in flight. */
function runWorker(concurrency: number, nextSeed: () => number | undefined, onResult: (result: SeedResult) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(__filename, ['--worker'], { execArgv: process.execArgv, stdio: 'inherit' });
    let inFlight = 0;
    const feed = () => {
      while (inFlight < concurrency) {
        const seed = nextSeed();
        if (seed === undefined) break;
        inFlight++;
        // Planning synthesizes templates (CPU work): here, not in the worker, whose environments it would stall.
        child.send({ seed, steps: planSeed(seed) });
      }
      if (inFlight === 0) child.send({ done: true });
    };
    child.on('message', (result: SeedResult) => {
      inFlight--;
      onResult(result);
      feed();
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`explorer worker exited with ${code}`))));
    child.send({ concurrency });
    feed();
  });
}

/** A worker: runs the plans it is sent, `concurrency` at a time (one recycled environment each), and answers with each result. */
function worker(): void {
  const waiting: Array<(plan: { seed: number; steps: PlannedStep[] } | undefined) => void> = [];
  const plans: Array<{ seed: number; steps: PlannedStep[] } | undefined> = [];
  let runners = 0;
  const next = () => new Promise<{ seed: number; steps: PlannedStep[] } | undefined>((resolve) => {
    if (plans.length > 0) resolve(plans.shift());
    else waiting.push(resolve);
  });
  const deliver = (plan: { seed: number; steps: PlannedStep[] } | undefined) => {
    const taker = waiting.shift();
    if (taker) taker(plan);
    else plans.push(plan);
  };
  process.on('message', (message: { seed?: number; steps?: PlannedStep[]; done?: boolean; concurrency?: number }) => {
    if (message.concurrency) {
      for (; runners < message.concurrency; runners++) {
        void runPlans(next, (result) => process.send!(result)).then(() => {
          if (--runners === 0) process.disconnect();
        });
      }
      return;
    }
    if (message.done) {
      for (let i = 0; i < runners; i++) deliver(undefined);
      return;
    }
    deliver({ seed: message.seed!, steps: message.steps! });
  });
}

/**
 * Every App this process makes synthesizes into one folder of its own (aws-cdk-lib reads
 * CDK_OUTDIR), removed on exit: not a cdk.out per stack left in the system temp folder.
 * Each worker has its own, as two processes must not write one stack's files at once.
 */
function synthesizeIntoOwnFolder(): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-personalize-explore-'));
  process.env.CDK_OUTDIR = outdir;
  process.on('exit', () => fs.rmSync(outdir, { recursive: true, force: true }));
}

synthesizeIntoOwnFolder();
if (process.argv.includes('--worker')) {
  worker();
} else {
  let options: Options;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  main(options).then((code) => process.exit(code), (error) => {
    console.error(error);
    process.exit(1);
  });
}
