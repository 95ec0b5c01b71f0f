/**
 * The bench harness in its tiny mode: real ferryd processes, real transfers,
 * small sizes. Checks the shape of the table and the JSON and that every
 * Ferry transfer delivered the right bytes; never the timings.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runBench } from '../../bench/harness.js';
import { runningChildren } from '../../bench/processes.js';
import { formatTable, writeReport, type BenchReport } from '../../bench/report.js';

/** Suites whose rows are Ferry's own transfers: they must run, not be skipped. */
const FERRY_SUITES = ['big-file', 'small-files', 'commands', 'many-clients', 'listing', 'rss-flat'];

void test('the bench harness runs every Ferry suite in tiny mode and reports matching hashes', { timeout: 180_000 }, async () => {
  const report = await runBench({ mode: 'tiny', only: [...FERRY_SUITES, 'tls'] });

  assert.equal(report.mode, 'tiny');
  assert.ok(report.machine.cpus > 0);
  for (const suite of FERRY_SUITES) {
    const rows = report.rows.filter((row) => row.suite === suite);
    assert.ok(rows.length > 0, `suite ${suite} produced rows`);
    for (const row of rows) {
      const expected = row.target.kind === 'none' ? ['info'] : ['pass', 'fail'];
      assert.ok(expected.includes(row.status), `${row.id}: ${row.status} ${row.reason ?? ''}`);
      assert.ok(row.ferry !== null && Number.isFinite(row.ferry) && row.ferry > 0, `${row.id} has a Ferry figure`);
      assert.notEqual(row.hashesMatched, false, `${row.id}: every transfer delivered the right bytes`);
    }
  }
  const transferRows = report.rows.filter((row) => ['download-big', 'upload-big', 'tree-download', 'tree-upload',
    'clients-throughput', 'rss-flat'].includes(row.id));
  assert.equal(transferRows.length, 6);
  for (const row of transferRows) {
    assert.equal(row.hashesMatched, true, `${row.id} checked its hashes`);
    assert.ok(row.baseline === null || row.ratio === row.ferry! / row.baseline);
  }
  // TLS runs when the server offers it, or says why not.
  for (const row of report.rows.filter((each) => each.suite === 'tls')) {
    if (row.status === 'skipped' || row.status === 'error') assert.ok(row.reason, `${row.id} says why`);
    else assert.notEqual(row.hashesMatched, false);
  }

  const table = formatTable(report.rows).split('\n');
  assert.match(table[0]!, /^figure +\| unit +\| Ferry +\| baseline +\| ratio +\| target +\| result$/);
  assert.equal(table.length, report.rows.length + 2);
  for (const row of report.rows) assert.ok(table.some((line) => line.startsWith(row.figure)), row.figure);

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-bench-smoke-'));
  try {
    const file = await writeReport(report, dir);
    const written = JSON.parse(await fs.readFile(file, 'utf8')) as BenchReport;
    const latest = JSON.parse(await fs.readFile(path.join(dir, 'latest.json'), 'utf8')) as BenchReport;
    assert.deepEqual(written, latest);
    assert.equal(written.rows.length, report.rows.length);
    for (const row of written.rows) {
      for (const key of ['id', 'suite', 'figure', 'unit', 'ferry', 'baseline', 'ratio', 'target', 'status']) {
        assert.ok(key in row, `${row.id} has ${key}`);
      }
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
  // The harness removed its own folder and ended its processes.
  await assert.rejects(fs.stat(report.workDir), { code: 'ENOENT' });
  assert.equal(runningChildren(), 0);
});
