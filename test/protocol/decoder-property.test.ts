/**
 * Property tests of the decoder (fuzz/decoder-properties.ts) with a small
 * number of runs, so npm test stays quick. FERRY_PROPERTY_RUNS sets the number
 * of runs per property (default 300); FERRY_PROPERTY_SEED replays a failure.
 * npm run fuzz runs the same properties far longer.
 */
import { test } from 'node:test';
import { decoderProperties } from '../../fuzz/decoder-properties.js';

const numRuns = Number(process.env.FERRY_PROPERTY_RUNS ?? 300);
const seed = process.env.FERRY_PROPERTY_SEED === undefined ? undefined : Number(process.env.FERRY_PROPERTY_SEED);

for (const { name, run } of decoderProperties) {
  void test(name, () => run({ numRuns, seed }));
}
