/**
 * Server memory must not grow with file size: ferryd's peak RSS while
 * serving a small file against while serving a huge one. The files are
 * sparse (no disk space, fast to make) but every byte still crosses the
 * socket and is written and hashed by the client.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { RssSampler, readMemory, startFerryd } from '../processes.js';
import { makeRow, type BenchRow } from '../report.js';
import { flushDirtyPages, now, removeQuietly, sha256File, writeSparseFile } from '../util.js';

const MB = 1e6;

export const rssFlatSuite: Suite = {
  name: 'rss-flat',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const { rssSmallFile, rssLargeFile } = context.sizes;
    const serverRoot = path.join(context.workDir, 'rss-root');
    const outDir = path.join(context.workDir, 'rss-out');
    await fs.mkdir(serverRoot, { recursive: true });
    await fs.mkdir(outDir, { recursive: true });
    await writeSparseFile(path.join(serverRoot, 'small.bin'), rssSmallFile);
    await writeSparseFile(path.join(serverRoot, 'large.bin'), rssLargeFile);
    // Both are all zeros, so the small file's hash is the large file's prefix's: hash each once.
    const smallHash = await sha256File(path.join(serverRoot, 'small.bin'));
    context.log(`hashing the ${sizeLabel(rssLargeFile)} sparse file`);
    const largeHash = await sha256File(path.join(serverRoot, 'large.bin'));

    const server = await startFerryd(serverRoot);
    const client = await connectPlain(server.host, server.port);
    const idle = readMemory(server.pid)?.rss ?? Number.NaN;
    let matched = true;
    const peaks: Record<string, number> = {};
    const times: Record<string, number> = {};
    try {
      for (const [name, hash] of [['small.bin', smallHash], ['large.bin', largeHash]] as const) {
        context.log(`RSS while downloading ${name}`);
        const target = path.join(outDir, name);
        flushDirtyPages();
        const sampler = new RssSampler(server.pid, 10).start();
        const started = now();
        await client.download(name, target, { overwrite: true });
        times[name] = now() - started;
        peaks[name] = sampler.stop();
        if (await sha256File(target) !== hash) matched = false;
        await removeQuietly(target);
      }
    } finally {
      await quitQuietly(client);
      await server.stop();
    }
    const small = peaks['small.bin']! / MB;
    const large = peaks['large.bin']! / MB;
    return [makeRow({
      id: 'rss-flat', suite: this.name,
      figure: `ferryd peak RSS, ${sizeLabel(rssLargeFile)} vs ${sizeLabel(rssSmallFile)} download`, unit: 'MB',
      ferry: large, baseline: small, baselineLabel: `during ${sizeLabel(rssSmallFile)}`,
      target: { kind: 'growth-max', value: 50 }, hashesMatched: matched,
      details: {
        idleMb: idle / MB, growthMb: large - small,
        largeMBps: rssLargeFile / MB / (times['large.bin']! / 1000),
      },
    })];
  },
};
