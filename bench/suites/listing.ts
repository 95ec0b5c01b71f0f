/**
 * Listing a huge folder: time to the first batch on the client and to the
 * whole listing, against reading the same folder locally (readdir + lstat).
 */
import { lstatSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { BenchContext, Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { startFerryd } from '../processes.js';
import { makeRow, type BenchRow } from '../report.js';
import { flushDirtyPages, median, now, writeManyEmptyFiles } from '../util.js';

/**
 * The local baseline: every name and its lstat, as a file manager needs them.
 * Synchronous lstat is the fastest way Node has (a promise per entry through
 * the thread pool is several times slower), so the baseline is not a straw man.
 */
async function localListing(dir: string): Promise<number> {
  const names = await fs.readdir(dir);
  for (const name of names) lstatSync(path.join(dir, name));
  return names.length;
}

export const listingSuite: Suite = {
  name: 'listing',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const { listEntries } = context.sizes;
    const serverRoot = path.join(context.workDir, 'list-root');
    const folder = path.join(serverRoot, 'many');
    context.log(`creating ${listEntries} entries`);
    await writeManyEmptyFiles(folder, listEntries);
    // Writing back 100 000 new inodes otherwise runs during the first timed listings of both contenders.
    flushDirtyPages();

    const server = await startFerryd(serverRoot);
    const client = await connectPlain(server.host, server.port);
    const firstBatch: number[] = [];
    const whole: number[] = [];
    const local: number[] = [];
    let counts = true;
    try {
      // One untimed round of each warms the dentry and inode caches.
      await localListing(folder);
      await client.list('many');
      for (let run = 0; run < context.sizes.runs + 2; run += 1) {
        let started = now();
        if (await localListing(folder) !== listEntries) counts = false;
        local.push(now() - started);

        let first: number | undefined;
        started = now();
        const entries = await client.list('many', {
          onBatch: () => {
            first ??= now() - started;
          },
        });
        whole.push(now() - started);
        firstBatch.push(first ?? Number.NaN);
        if (entries.length !== listEntries) counts = false;
      }
    } finally {
      await quitQuietly(client);
      await server.stop();
    }
    const reason = counts ? undefined : 'the listing did not return every entry';
    const label = `list ${listEntries.toLocaleString('en-US')} entries`;
    return [
      makeRow({
        id: 'list-first-batch', suite: this.name, figure: `${label}: first batch`, unit: 'ms',
        ferry: median(firstBatch), baseline: median(local), baselineLabel: 'local readdir+lstat, whole',
        target: { kind: 'abs-max', value: 50 }, hashesMatched: counts, ...(reason ? { reason } : {}),
        samples: { ferry: firstBatch, baseline: local },
      }),
      makeRow({
        id: 'list-whole', suite: this.name, figure: `${label}: whole`, unit: 'ms',
        ferry: median(whole), baseline: median(local), baselineLabel: 'local readdir+lstat',
        target: { kind: 'abs-max', value: 500 }, hashesMatched: counts, ...(reason ? { reason } : {}),
        samples: { ferry: whole, baseline: local },
      }),
    ];
  },
};
