/**
 * A tree of many small files, recursive download and upload through Ferry
 * (downloadTree / uploadTree) against `tar c | socat | TCP | tar x` of the same tree
 * (bench/wire-baseline.ts).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { connectPlain, quitQuietly } from '../ferry.js';
import { startFerryd } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { socatMissing, tarSocat } from '../wire-baseline.js';
import { flushDirtyPages, hashTree, median, now, removeQuietly, sameTree, writeSmallTree } from '../util.js';

/** Small trees are cheap: more repetitions give a steadier median. */
const EXTRA_RUNS = 2;

export const smallFilesSuite: Suite = {
  name: 'small-files',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const { smallFiles, smallFileSize } = context.sizes;
    const runs = context.sizes.runs + (context.mode === 'tiny' ? 0 : EXTRA_RUNS);
    const serverRoot = path.join(context.workDir, 'small-root');
    const tree = path.join(serverRoot, 'tree');
    const outDir = path.join(context.workDir, 'small-out');
    await fs.mkdir(outDir, { recursive: true });
    context.log(`writing ${smallFiles} × ${sizeLabel(smallFileSize)} files`);
    await writeSmallTree(tree, smallFiles, smallFileSize);
    const expected = await hashTree(tree);

    const noSocat = socatMissing();
    if (noSocat) context.log(`no tar | socat baseline: ${noSocat}`);
    const server = await startFerryd(serverRoot);
    const client = await connectPlain(server.host, server.port);
    const ferryDown: number[] = [];
    const ferryUp: number[] = [];
    const tarDown: number[] = [];
    const tarUp: number[] = [];
    let downMatched = true;
    let upMatched = true;
    // Outputs are removed only after the last run: on this ext4 (mounted with `discard`) deleting
    // thousands of files between runs made every later run of every contender several times slower.
    const outputs: string[] = [];
    try {
      // One untimed tree each way first, as the listing suite does: ferryd is a long-running server, and
      // the first trees of a process mostly measure V8 compiling the per-file paths (the first two of
      // seven timed runs took 1.5–2.2 × the rest before this).
      context.log('warm-up tree download and upload (untimed)');
      await client.downloadTree('tree', path.join(outDir, 'warm-up'), { overwrite: true });
      outputs.push(path.join(outDir, 'warm-up'));
      await client.uploadTree(tree, 'warm-up', { overwrite: true });
      outputs.push(path.join(serverRoot, 'warm-up'));
      for (let run = 0; run < runs; run += 1) {
        context.log(`${smallFiles} files run ${run + 1}/${runs}`);
        // Download shape: the server's tree lands in a local folder.
        const tarTarget = path.join(outDir, `tar-${run}`);
        if (!noSocat) {
          await fs.mkdir(tarTarget);
          flushDirtyPages();
          tarDown.push(await tarSocat(tree, tarTarget));
          outputs.push(tarTarget);
        }

        const downTarget = path.join(outDir, `ferry-${run}`);
        flushDirtyPages();
        let started = now();
        await client.downloadTree('tree', downTarget, { overwrite: true });
        ferryDown.push(now() - started);
        if (!sameTree(expected, await hashTree(downTarget))) downMatched = false;
        outputs.push(downTarget);

        // Upload shape: a local tree lands in the server's root.
        const tarUpTarget = path.join(serverRoot, `tar-up-${run}`);
        if (!noSocat) {
          await fs.mkdir(tarUpTarget);
          flushDirtyPages();
          tarUp.push(await tarSocat(tree, tarUpTarget));
          outputs.push(tarUpTarget);
        }

        const upName = `up-${run}`;
        flushDirtyPages();
        started = now();
        await client.uploadTree(tree, upName, { overwrite: true });
        ferryUp.push(now() - started);
        if (!sameTree(expected, await hashTree(path.join(serverRoot, upName)))) upMatched = false;
        outputs.push(path.join(serverRoot, upName));
      }
    } finally {
      await quitQuietly(client);
      await server.stop();
      for (const output of outputs) await removeQuietly(output);
    }
    const label = `${smallFiles} × ${sizeLabel(smallFileSize)}`;
    const seconds = (values: number[]): number => median(values) / 1000;
    const rows: BenchRow[] = [];
    for (const [direction, ferry, tar, matched] of [
      ['download', ferryDown, tarDown, downMatched],
      ['upload', ferryUp, tarUp, upMatched],
    ] as const) {
      const ratioRow = {
        id: `tree-${direction}`, suite: this.name, figure: `${label} tree ${direction}`, unit: 's',
        baselineLabel: 'tar | socat', target: { kind: 'ratio-max', value: 3 } as const,
      };
      rows.push(noSocat ? skippedRow(ratioRow, noSocat) : makeRow({
        ...ratioRow, ferry: seconds(ferry), baseline: seconds(tar), hashesMatched: matched, samples: { ferry, baseline: tar },
      }));
      rows.push(makeRow({
        id: `tree-${direction}-abs`, suite: this.name, figure: `${label} tree ${direction}, absolute`, unit: 's',
        ferry: seconds(ferry), baseline: null, baselineLabel: '',
        target: { kind: 'abs-max', value: 0.25 }, hashesMatched: matched,
      }));
    }
    return rows;
  },
};
