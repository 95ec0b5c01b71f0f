/**
 * `ferry sync` of a large tree where few files changed, in both directions,
 * against what it cannot do without: one listing of the tree plus the
 * transfer of exactly the changed files. Its overhead is the second listing
 * (the other side's) and the comparison. With rsync and OpenSSH installed, a
 * row more: the same upload case against rsync over a private sshd.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BenchContext, Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { startFerryd } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { rsyncMissing, startRsyncServer } from '../rsync-over-ssh.js';
import { median, now, removeQuietly } from '../util.js';
import { RemotePlace } from '../../src/sync/remote-place.js';
import { LocalPlace } from '../../src/sync/local-place.js';
import { runSync } from '../../src/sync/run-sync.js';

const FILE_SIZE = 4 * 1024;
const SIZES = { full: [10_000, 100], quick: [10_000, 100], tiny: [500, 10] } as const;

function writeTree(top: string, files: number, mtime: Date): string[] {
  const names: string[] = [];
  const content = Buffer.alloc(FILE_SIZE, 1);
  for (let i = 0; i < files; i++) {
    const folder = `d${Math.floor(i / 100)}`;
    fs.mkdirSync(path.join(top, folder), { recursive: true });
    const name = `${folder}/f${i}.bin`;
    fs.writeFileSync(path.join(top, name), content);
    fs.utimesSync(path.join(top, name), mtime, mtime);
    names.push(name);
  }
  return names;
}

/** Rewrites every (files/changed)-th file with new content (same size, new mtime): the changed set. */
function change(top: string, names: readonly string[], changed: number, round: number): string[] {
  const step = Math.floor(names.length / changed);
  const picked = names.filter((_, i) => i % step === 0).slice(0, changed);
  const content = Buffer.alloc(FILE_SIZE, 2 + round);
  const when = new Date(Date.UTC(2024, 0, 2, 0, 0, round + 1));
  for (const name of picked) {
    fs.writeFileSync(path.join(top, name), content);
    fs.utimesSync(path.join(top, name), when, when);
  }
  return picked;
}

export const syncSuite: Suite = {
  name: 'sync',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const [files, changed] = SIZES[context.mode];
    const runs = context.sizes.runs;
    const serverRoot = path.join(context.workDir, 'sync-root');
    const localTop = path.join(context.workDir, 'sync-local');
    const mtime = new Date(Date.UTC(2024, 0, 1));
    context.log(`writing ${files} files on each side`);
    const names = writeTree(localTop, files, mtime);
    writeTree(path.join(serverRoot, 'tree'), files, mtime);
    const server = await startFerryd(serverRoot);
    const client = await connectPlain(server.host, server.port);
    const rows: BenchRow[] = [];
    try {
      const remote = new RemotePlace(client, '/tree', 'bench');
      const local = new LocalPlace(localTop);
      for (const direction of ['upload', 'download'] as const) {
        const [source, target] = direction === 'upload' ? [local, remote] : [remote, local];
        const changedSide = direction === 'upload' ? localTop : path.join(serverRoot, 'tree');
        const syncTimes: number[] = [];
        const baseTimes: number[] = [];
        let exact = true;
        // One untimed round first (V8 warm-up of the per-file paths).
        for (let round = -1; round < runs; round++) {
          const picked = change(changedSide, names, changed, (direction === 'upload' ? 0 : 100) + round + 1);
          let started = now();
          const outcome = await runSync(source, target, {});
          const syncMs = now() - started;
          if (outcome.plan.update.length !== changed || outcome.plan.create.length !== 0
            || outcome.bytes !== changed * FILE_SIZE) exact = false;
          // Baseline: one listing of the tree, then exactly the changed files, the same way.
          change(changedSide, names, changed, 200 + round);
          const subset = { folders: [], files: picked.map((name) => ({ relative: name, size: FILE_SIZE, facts: { size: FILE_SIZE, mtimeMs: 0, mode: 0o644 } })) };
          started = now();
          await client.list('/tree', { recursive: true });
          if (direction === 'upload') await client.uploadSubset(localTop, '/tree', subset);
          else await client.downloadSubset('/tree', localTop, subset);
          const baseMs = now() - started;
          if (round >= 0) {
            syncTimes.push(syncMs);
            baseTimes.push(baseMs);
          }
          // Back in step for the next round (the baseline's copy has other mtimes).
          await runSync(source, target, {});
        }
        rows.push(makeRow({
          id: `sync-${direction}`, suite: this.name, figure: `sync ${direction}, ${changed} of ${files} files changed`, unit: 's',
          ferry: median(syncTimes) / 1000, baseline: median(baseTimes) / 1000,
          baselineLabel: `list + ${direction} of the ${changed}`,
          target: { kind: 'ratio-max', value: 1.5 }, hashesMatched: exact, samples: { ferry: syncTimes, baseline: baseTimes },
        }));
      }
      rows.push(await againstRsync(context, { local, remote, localTop, names, changed, files }));
    } finally {
      await quitQuietly(client);
      await server.stop();
      await removeQuietly(localTop);
    }
    return rows;
  },
};

/**
 * The upload case beside rsync: each round changes the same files, then
 * times `ferry sync` into the server's tree and `rsync -a` over ssh into a
 * copy of the tree (both on loopback, both with the quick check of size and
 * mtime).
 */
async function againstRsync(
  context: BenchContext,
  setup: { local: LocalPlace; remote: RemotePlace; localTop: string; names: string[]; changed: number; files: number },
): Promise<BenchRow> {
  const base = {
    id: 'sync-upload-rsync', suite: syncSuite.name, figure: `sync upload, ${setup.changed} of ${setup.files} files changed, against rsync`,
    unit: 's', baselineLabel: 'rsync -a over ssh (loopback)', target: { kind: 'none' } as const,
  };
  const missing = rsyncMissing();
  if (missing) return skippedRow(base, missing);
  const copy = path.join(context.workDir, 'rsync-copy');
  const rsync = await startRsyncServer(context.workDir);
  try {
    await rsync.push(setup.localTop, copy);
    const ferryTimes: number[] = [];
    const rsyncTimes: number[] = [];
    let exact = true;
    for (let round = -1; round < context.sizes.runs; round++) {
      change(setup.localTop, setup.names, setup.changed, 300 + round + 1);
      let started = now();
      const outcome = await runSync(setup.local, setup.remote, {});
      const ferryMs = now() - started;
      if (outcome.plan.update.length !== setup.changed) exact = false;
      started = now();
      await rsync.push(setup.localTop, copy);
      const rsyncMs = now() - started;
      if (round >= 0) {
        ferryTimes.push(ferryMs);
        rsyncTimes.push(rsyncMs);
      }
    }
    return makeRow({
      ...base, ferry: median(ferryTimes) / 1000, baseline: median(rsyncTimes) / 1000, hashesMatched: exact,
      samples: { ferry: ferryTimes, baseline: rsyncTimes },
    });
  } catch (error) {
    return skippedRow(base, error instanceof Error ? error.message : String(error), 'error');
  } finally {
    await rsync.stop();
    await removeQuietly(copy);
  }
}
