/**
 * One big file down and up through Ferry (real ferryd process, client library
 * here) against a raw TCP pipe of the same file between two Node processes,
 * and against socat on both ends (C, the wire's floor: bench/wire-baseline.ts).
 * Contenders alternate run by run so drift on a shared machine hits both.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { startFerryd } from '../processes.js';
import { rawPipeDownload, rawPipeUpload } from '../raw-pipe.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { socatFile, socatMissing } from '../wire-baseline.js';
import { flushDirtyPages, median, now, removeQuietly, sha256File, warmFile, writeRandomFile } from '../util.js';

export interface BigFileSetup {
  serverRoot: string;
  /** Name of the file inside serverRoot. */
  name: string;
  source: string;
  hash: string;
}

/** Writes the big file once per run of the bench and shares it between suites. */
export async function bigFileSetup(context: BenchContext): Promise<BigFileSetup> {
  const cached = context.shared.get('big-file') as BigFileSetup | undefined;
  if (cached) return cached;
  const serverRoot = path.join(context.workDir, 'big-root');
  await fs.mkdir(serverRoot, { recursive: true });
  const name = 'big.bin';
  const source = path.join(serverRoot, name);
  context.log(`writing ${sizeLabel(context.sizes.bigFile)} test file`);
  await writeRandomFile(source, context.sizes.bigFile);
  const hash = await sha256File(source);
  await warmFile(source);
  const setup = { serverRoot, name, source, hash };
  context.shared.set('big-file', setup);
  return setup;
}

/** Raw pipe download times, measured once per bench run and shared with other suites' rows. */
export function rawDownloadSamples(context: BenchContext): number[] {
  let samples = context.shared.get('raw-download') as number[] | undefined;
  if (!samples) {
    samples = [];
    context.shared.set('raw-download', samples);
  }
  return samples;
}

export const bigFileSuite: Suite = {
  name: 'big-file',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const { serverRoot, name, source, hash } = await bigFileSetup(context);
    const outDir = path.join(context.workDir, 'big-out');
    await fs.mkdir(outDir, { recursive: true });
    const label = sizeLabel(context.sizes.bigFile);
    const server = await startFerryd(serverRoot);
    const client = await connectPlain(server.host, server.port);
    const ferryDown: number[] = [];
    const ferryUp: number[] = [];
    const rawDown = rawDownloadSamples(context);
    const rawUp: number[] = [];
    const rawUpSynced: number[] = [];
    const socat: number[] = [];
    const noSocat = socatMissing();
    let downHashesMatched = true;
    let upHashesMatched = true;
    try {
      for (let run = 0; run < context.sizes.runs; run += 1) {
        context.log(`${label} run ${run + 1}/${context.sizes.runs}`);
        // Raw pipe, download shape.
        const rawTarget = path.join(outDir, 'raw.bin');
        flushDirtyPages();
        rawDown.push(await rawPipeDownload(source, rawTarget));
        await removeQuietly(rawTarget);
        if (!noSocat) {
          flushDirtyPages();
          socat.push(await socatFile(source, rawTarget));
          await removeQuietly(rawTarget);
        }

        // Ferry download.
        const downTarget = path.join(outDir, `ferry-${run}.bin`);
        flushDirtyPages();
        let started = now();
        await client.download(name, downTarget, { overwrite: true });
        ferryDown.push(now() - started);
        if (await sha256File(downTarget) !== hash) downHashesMatched = false;
        await removeQuietly(downTarget);

        // Raw pipe, upload shape.
        const rawUpTarget = path.join(serverRoot, 'raw-up.bin');
        flushDirtyPages();
        rawUp.push(await rawPipeUpload(source, rawUpTarget));
        await removeQuietly(rawUpTarget);
        // The same, flushed to disk at the end as Ferry's server must before it renames an upload.
        flushDirtyPages();
        rawUpSynced.push(await rawPipeUpload(source, rawUpTarget, { fsync: true }));
        await removeQuietly(rawUpTarget);

        // Ferry upload.
        const upName = `up-${run}.bin`;
        flushDirtyPages();
        started = now();
        await client.upload(source, upName, { overwrite: true });
        ferryUp.push(now() - started);
        if (await sha256File(path.join(serverRoot, upName)) !== hash) upHashesMatched = false;
        await removeQuietly(path.join(serverRoot, upName));
      }
    } finally {
      await quitQuietly(client);
      await server.stop();
    }
    const seconds = (values: number[]): number => median(values) / 1000;
    const throughput = (values: number[]): number => context.sizes.bigFile / (median(values) / 1000) / 1e6;
    const socatRows = (['download', 'upload'] as const).map((direction) => {
      const base = {
        id: `${direction}-big-socat`, suite: this.name, figure: `${label} ${direction} vs socat`, unit: 's',
        baselineLabel: 'socat → socat', target: { kind: 'ratio-max', value: 1.5 } as const,
      };
      const ferry = direction === 'download' ? ferryDown : ferryUp;
      return noSocat ? skippedRow(base, noSocat) : makeRow({
        ...base, ferry: seconds(ferry), baseline: seconds(socat),
        hashesMatched: direction === 'download' ? downHashesMatched : upHashesMatched,
        samples: { ferry, baseline: socat }, details: { socatMBps: throughput(socat) },
      });
    });
    return [
      ...socatRows,
      makeRow({
        id: 'download-big', suite: this.name, figure: `${label} download`, unit: 's',
        ferry: seconds(ferryDown), baseline: seconds(rawDown.slice(-context.sizes.runs)), baselineLabel: 'raw TCP pipe',
        target: { kind: 'ratio-max', value: 1.15 }, hashesMatched: downHashesMatched,
        samples: { ferry: ferryDown, baseline: rawDown.slice(-context.sizes.runs) },
        details: { ferryMBps: throughput(ferryDown), rawMBps: throughput(rawDown), issue2Target: '≤ 1.25 ×' },
      }),
      makeRow({
        id: 'upload-big', suite: this.name, figure: `${label} upload`, unit: 's',
        ferry: seconds(ferryUp), baseline: seconds(rawUp), baselineLabel: 'raw TCP pipe',
        target: { kind: 'ratio-max', value: 1.15 }, hashesMatched: upHashesMatched,
        samples: { ferry: ferryUp, baseline: rawUp },
        details: { ferryMBps: throughput(ferryUp), rawMBps: throughput(rawUp), issue2Target: '≤ 1.25 ×' },
      }),
      makeRow({
        id: 'upload-big-fsync', suite: this.name, figure: `${label} upload vs pipe + fsync`, unit: 's',
        ferry: seconds(ferryUp), baseline: seconds(rawUpSynced), baselineLabel: 'raw TCP pipe + fsync',
        target: { kind: 'none', note: 'protocol overhead alone' }, hashesMatched: upHashesMatched,
        samples: { ferry: ferryUp, baseline: rawUpSynced },
      }),
    ];
  },
};
