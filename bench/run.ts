/**
 * Runs the benchmarks and prints their Markdown tables: `npx projen bench`, or
 * `npx projen bench b2 b3` for some of them. The handler bundle must be built
 * first (the projen task does that).
 */
import * as os from 'os';
import { runSynthBench } from './b1-synth';
import { runDeployLatencyBench } from './b2-deploy-latency';
import { runThrottlingBench } from './b3-throttling';
import { runHandlerBench } from './b4-handler';

const BENCHES: Record<string, () => Promise<string>> = {
  b1: runSynthBench,
  b2: runDeployLatencyBench,
  b3: runThrottlingBench,
  b4: runHandlerBench,
};

async function main(): Promise<void> {
  const requested = process.argv.slice(2).map((name) => name.toLowerCase());
  const unknown = requested.filter((name) => !(name in BENCHES));
  if (unknown.length > 0) throw new Error(`Unknown benchmark(s): ${unknown.join(', ')}. Choose from ${Object.keys(BENCHES).join(', ')}.`);
  const selected = requested.length > 0 ? requested : Object.keys(BENCHES);

  const cpus = os.cpus();
  console.log(`Machine: ${os.availableParallelism()} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), `
    + `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}, `
    + `load average at start ${os.loadavg()[0].toFixed(2)}\n`);
  for (const name of selected) {
    const started = Date.now();
    console.log(await BENCHES[name]());
    console.log(`\n(${name} took ${Math.round((Date.now() - started) / 1000)} s)\n`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
