/**
 * A short live fuzz (a few seconds) of a real ferryd in its own process:
 * hostile connections and a good client at once. npm run fuzz runs the same
 * for a minute or more. FERRY_LIVE_FUZZ_SECONDS changes the length here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLiveFuzzReport, liveFuzzProblems, runLiveFuzz } from '../../fuzz/live-fuzz.js';

const seconds = Number(process.env.FERRY_LIVE_FUZZ_SECONDS ?? 4);

void test('a ferryd under mutated, truncated, oversized and random frames keeps serving a good client', { timeout: 120_000 }, async () => {
  const report = await runLiveFuzz({ durationMs: seconds * 1000, attackers: 8, goodClients: 1, seed: 20261124 });
  const summary = formatLiveFuzzReport(report).join('\n');
  assert.ok(report.attack.connections > 0 && report.attack.framesSent > 0, summary);
  assert.deepEqual(liveFuzzProblems(report), [], summary);
});
