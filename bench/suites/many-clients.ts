/**
 * Many clients at once, each downloading its own file: every hash must
 * match, the aggregate throughput must stay close to one client's alone, and
 * the server's memory must stay bounded.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { RssSampler, readMemory, startFerryd } from '../processes.js';
import { makeRow, type BenchRow } from '../report.js';
import { flushDirtyPages, median, now, removeQuietly, sha256File, warmFile, writeRandomFile } from '../util.js';

const MB = 1e6;

export const manyClientsSuite: Suite = {
  name: 'many-clients',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const { clients, clientFile, soloFiles } = context.sizes;
    // Each round moves clients × clientFile bytes; three rounds are plenty for a median.
    const runs = Math.min(context.sizes.runs, 3);
    const serverRoot = path.join(context.workDir, 'clients-root');
    const outDir = path.join(context.workDir, 'clients-out');
    await fs.mkdir(serverRoot, { recursive: true });
    await fs.mkdir(outDir, { recursive: true });
    context.log(`writing ${clients} × ${sizeLabel(clientFile)} files`);
    const names: string[] = [];
    const hashes: string[] = [];
    for (let index = 0; index < clients; index += 1) {
      const name = `c${String(index).padStart(3, '0')}.bin`;
      await writeRandomFile(path.join(serverRoot, name), clientFile);
      names.push(name);
      hashes.push(await sha256File(path.join(serverRoot, name)));
      await warmFile(path.join(serverRoot, name));
    }

    // Every client comes from 127.0.0.1: lift the per-address limit above the client count.
    const server = await startFerryd(serverRoot, ['--max-per-address', String(clients + 10)]);
    const soloMBps: number[] = [];
    const aggregateMBps: number[] = [];
    const peaks: number[] = [];
    let matched = true;
    let completed = 0;
    let failures: string[] = [];
    try {
      for (let run = 0; run < runs; run += 1) {
        // One client alone, its files one after another.
        context.log(`one client, ${soloFiles} files, run ${run + 1}/${runs}`);
        const solo = await connectPlain(server.host, server.port);
        flushDirtyPages();
        const soloStart = now();
        for (let index = 0; index < soloFiles; index += 1) {
          await solo.download(names[index]!, path.join(outDir, `solo-${index}.bin`), { overwrite: true });
        }
        soloMBps.push((soloFiles * clientFile) / MB / ((now() - soloStart) / 1000));
        await quitQuietly(solo);
        for (let index = 0; index < soloFiles; index += 1) {
          if (await sha256File(path.join(outDir, `solo-${index}.bin`)) !== hashes[index]) matched = false;
        }
        for (let index = 0; index < soloFiles; index += 1) await removeQuietly(path.join(outDir, `solo-${index}.bin`));

        // All clients at once; connecting is not timed.
        context.log(`${clients} clients at once, run ${run + 1}/${runs}`);
        const sessions = await Promise.all(names.map(() => connectPlain(server.host, server.port)));
        flushDirtyPages();
        const sampler = new RssSampler(server.pid).start();
        const started = now();
        const results = await Promise.allSettled(sessions.map((client, index) =>
          client.download(names[index]!, path.join(outDir, `all-${index}.bin`), { overwrite: true })));
        const elapsed = now() - started;
        peaks.push(sampler.stop());
        await Promise.all(sessions.map(quitQuietly));
        failures = results.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
        completed = results.length - failures.length;
        aggregateMBps.push((completed * clientFile) / MB / (elapsed / 1000));
        for (let index = 0; index < clients; index += 1) {
          const target = path.join(outDir, `all-${index}.bin`);
          const ok = results[index]!.status === 'fulfilled' && await sha256File(target) === hashes[index];
          if (!ok) matched = false;
          await removeQuietly(target);
        }
      }
    } finally {
      const finalMemory = readMemory(server.pid);
      if (finalMemory) peaks.push(finalMemory.hwm);
      await server.stop();
    }
    const peakMb = Math.max(...peaks) / MB;
    const reason = failures.length > 0 ? `${failures.length} of ${clients} failed: ${failures[0]}` : undefined;
    return [
      makeRow({
        id: 'clients-throughput', suite: this.name,
        figure: `${clients} clients × ${sizeLabel(clientFile)}: aggregate`, unit: 'MB/s',
        ferry: median(aggregateMBps), baseline: median(soloMBps), baselineLabel: 'one client alone',
        target: { kind: 'ratio-min', value: 0.7 }, hashesMatched: matched, ...(reason ? { reason } : {}),
        samples: { ferry: aggregateMBps, baseline: soloMBps },
        details: { completed, clients },
      }),
      makeRow({
        id: 'clients-rss', suite: this.name, figure: `${clients} clients: ferryd peak RSS`, unit: 'MB',
        ferry: peakMb, baseline: null, baselineLabel: '',
        target: { kind: 'abs-max', value: 150 }, hashesMatched: matched,
        details: { peakSamplesMb: peaks.map((bytes) => bytes / MB) },
      }),
    ];
  },
};
