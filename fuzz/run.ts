/**
 * npm run fuzz: (a) the decoder properties with many runs, (b) the live fuzzer
 * against a real ferryd. Exits 1 when anything failed.
 *
 *   node dist/fuzz/run.js [--seconds 60] [--property-runs 100000] [--attackers 24]
 *                         [--good-clients 2] [--seed N] [--skip-properties] [--skip-live]
 *
 * Environment equivalents: FERRY_FUZZ_SECONDS, FERRY_PROPERTY_RUNS, FERRY_FUZZ_SEED.
 * FERRY_FUZZ_SETTLE_MS (default 15000): how long the server may take to release
 * sessions and buffers after the attack before its memory is judged;
 * FERRY_FUZZ_TRACE_SETTLE=1 prints each reading meanwhile.
 * FERRY_FUZZ_SERVER_LOG=1 shows the server's warnings. FERRY_FUZZ_SERVER_NICE=N runs
 * the server at that niceness (a server starved of CPU, as on a loaded machine).
 */
import { parseArgs } from 'node:util';
import { decoderProperties } from './decoder-properties.js';
import { formatLiveFuzzReport, liveFuzzProblems, runLiveFuzz } from './live-fuzz.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env.FERRY_FUZZ_SECONDS ?? '60' },
    'property-runs': { type: 'string', default: process.env.FERRY_PROPERTY_RUNS ?? '100000' },
    attackers: { type: 'string', default: '24' },
    'good-clients': { type: 'string', default: '2' },
    seed: { type: 'string', default: process.env.FERRY_FUZZ_SEED ?? String(Date.now() % 2 ** 31) },
    'skip-properties': { type: 'boolean', default: false },
    'skip-live': { type: 'boolean', default: false },
  },
});

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const seed = Math.floor(positive('seed', values.seed));
let failed = false;

if (!values['skip-properties']) {
  const numRuns = Math.floor(positive('property-runs', values['property-runs']));
  console.log(`decoder properties: ${numRuns} runs each, seed ${seed}`);
  for (const { name, run } of decoderProperties) {
    const started = performance.now();
    try {
      run({ numRuns, seed });
      console.log(`  ok   ${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      failed = true;
      console.log(`  FAIL ${name}\n${String(error)}`);
    }
  }
}

if (!values['skip-live']) {
  const seconds = positive('seconds', values.seconds);
  console.log(`live fuzz: ${seconds} s against a real ferryd on 127.0.0.1, seed ${seed}`);
  const report = await runLiveFuzz({
    durationMs: seconds * 1000,
    attackers: Math.max(1, Math.floor(positive('attackers', values.attackers))),
    goodClients: Math.max(1, Math.floor(positive('good-clients', values['good-clients']))),
    seed,
    log: (line) => console.log(`  ${line}`),
  });
  for (const line of formatLiveFuzzReport(report)) console.log(line);
  const problems = liveFuzzProblems(report);
  for (const problem of problems) console.log(`  PROBLEM: ${problem}`);
  if (problems.length > 0) failed = true;
}

console.log(failed ? 'fuzz: FAILED' : 'fuzz: passed');
process.exit(failed ? 1 : 0);
