/**
 * `npm run bench`: every figure of docs/PERFORMANCE.md in one run on this
 * machine, each against a baseline taken in the same run.
 *
 *   node dist/bench/run.js [--quick | --tiny] [--only SUITE[,SUITE...]] [--out DIR] [--dir DIR]
 *
 * The run works in a temporary folder on tmpfs (/dev/shm) when there is one,
 * so the figures show the protocol's cost rather than the disk's; --dir DIR
 * puts it elsewhere (a disk, to see what a user's disk adds).
 *
 * Prints one table on stdout (progress goes to stderr) and writes
 * bench-results/bench-<timestamp>.json and bench-results/latest.json.
 * Environment: FERRY_BENCH_MODE=full|quick|tiny, FERRY_BENCH_ONLY=SUITE,...
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchMode } from './context.js';
import { defaultBenchDir, runBench, SUITES } from './harness.js';
import { formatTable, writeReport } from './report.js';

function usage(): string {
  return [
    'usage: npm run bench -- [--quick | --tiny] [--only SUITE[,SUITE...]] [--out DIR] [--dir DIR]',
    `--dir: where the run's temporary folder goes (default ${defaultBenchDir()})`,
    `suites: ${SUITES.map((suite) => suite.name).join(', ')}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      tiny: { type: 'boolean', default: false },
      only: { type: 'string', multiple: true },
      out: { type: 'string', default: 'bench-results' },
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  const envMode = process.env.FERRY_BENCH_MODE;
  const mode: BenchMode = values.tiny ? 'tiny' : values.quick ? 'quick'
    : envMode === 'quick' || envMode === 'tiny' ? envMode : 'full';
  const only = [...(values.only ?? []), ...(process.env.FERRY_BENCH_ONLY ? [process.env.FERRY_BENCH_ONLY] : [])]
    .flatMap((names) => names.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  const started = Date.now();
  const log = (message: string): void => {
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${message}\n`);
  };
  const stop = (): void => {
    // The harness ends its children and removes its folder on the way out.
    log('interrupted');
    process.exitCode = 130;
  };
  process.once('SIGINT', stop);
  const dir = values.dir === undefined ? undefined : path.resolve(values.dir);
  const report = await runBench({ mode, only, log, dir });
  process.stdout.write(`\nFerry bench (${mode}, in ${path.dirname(report.workDir)}), ${report.machine.cpus} × ${report.machine.cpuModel}, Node ${report.machine.node}\n\n`);
  process.stdout.write(`${formatTable(report.rows)}\n\n`);
  const file = await writeReport(report, path.resolve(values.out));
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${usage()}\n`);
  process.exitCode = 1;
});
