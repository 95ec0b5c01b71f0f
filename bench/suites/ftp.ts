/**
 * The FTP kind (src/remote/ftp) against the FTP tools people use, on one
 * private anonymous vsftpd (bench/external-tools.ts) serving both: the big file against `curl`, and a
 * tree of small files against `lftp mirror --parallel=8` (eight connections,
 * as the FTP kind's pool). Every contender is timed as a command from spawn
 * to exit (`ferry get [-r]`, `curl`, `lftp`): start-up, connecting and
 * logging in included. Every result is hashed by the bench.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { curlDownload, lftpMirror, startVsftpd, toolsMissing, type PrivateVsftpd } from '../external-tools.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import {
  errorMessage, flushDirtyPages, hashTree, median, removeQuietly, sameTree, sha256File, writeSmallTree,
} from '../util.js';
import { bigFileSetup } from './big-file.js';
import { commandEnvironment, FERRY, timeNode } from './commands.js';

export const ftpSuite: Suite = {
  name: 'ftp',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const { runs, smallFiles, smallFileSize } = context.sizes;
    const bigRow = {
      id: 'ftp-download-big', suite: this.name, figure: `${sizeLabel(context.sizes.bigFile)} download, Ferry's FTP kind`, unit: 's',
      baselineLabel: 'curl, same vsftpd', target: { kind: 'ratio-max', value: 1.1 } as const,
    };
    const treeRow = {
      id: 'ftp-tree-download', suite: this.name, figure: `${smallFiles} × ${sizeLabel(smallFileSize)} tree download, Ferry's FTP kind`,
      unit: 's', baselineLabel: 'lftp mirror --parallel=8', target: { kind: 'ratio-max', value: 1.0 } as const,
    };
    if (!context.sizes.externalTools) {
      const reason = 'external tools are not run in this mode';
      return [skippedRow(bigRow, reason), skippedRow(treeRow, reason)];
    }
    const missing = toolsMissing('vsftpd', 'curl', 'lftp');
    if (missing) return [skippedRow(bigRow, missing), skippedRow(treeRow, missing)];

    const big = await bigFileSetup(context);
    const root = path.join(context.workDir, 'ftp-root');
    await fs.mkdir(root, { recursive: true });
    // The same bytes as the other big-file rows, without a second copy.
    await fs.link(big.source, path.join(root, big.name));
    context.log(`writing ${smallFiles} × ${sizeLabel(smallFileSize)} files for FTP`);
    await writeSmallTree(path.join(root, 'tree'), smallFiles, smallFileSize);
    const expectedTree = await hashTree(path.join(root, 'tree'));
    const out = path.join(context.workDir, 'ftp-out');
    await fs.mkdir(out, { recursive: true });

    let server: PrivateVsftpd;
    try {
      server = await startVsftpd(context.workDir, root);
    } catch (error) {
      const reason = `vsftpd unusable here: ${errorMessage(error)}`;
      return [skippedRow(bigRow, reason), skippedRow(treeRow, reason)];
    }
    const origin = `ftp://127.0.0.1:${server.port}`;
    const env = commandEnvironment(out);
    const rows: BenchRow[] = [];
    try {
      const ferryBig: number[] = [];
      const curlBig: number[] = [];
      let bigMatched = true;
      for (let run = 0; run < runs; run += 1) {
        context.log(`FTP ${sizeLabel(context.sizes.bigFile)} run ${run + 1}/${runs}`);
        const curlTarget = path.join(out, 'curl.bin');
        flushDirtyPages();
        curlBig.push(await curlDownload(server, big.name, curlTarget));
        if (await sha256File(curlTarget) !== big.hash) throw new Error('curl delivered a different file');
        await removeQuietly(curlTarget);

        const ferryTarget = path.join(out, 'ferry.bin');
        flushDirtyPages();
        ferryBig.push(await timeNode([FERRY, 'get', `${origin}/${big.name}`, ferryTarget], env));
        if (await sha256File(ferryTarget) !== big.hash) bigMatched = false;
        await removeQuietly(ferryTarget);
      }
      rows.push(makeRow({
        ...bigRow, ferry: median(ferryBig) / 1000, baseline: median(curlBig) / 1000, hashesMatched: bigMatched,
        samples: { ferry: ferryBig, baseline: curlBig },
        ...(bigMatched ? {} : { status: 'fail' as const, reason: 'a downloaded file differed' }),
      }));

      const ferryTree: number[] = [];
      const lftpTree: number[] = [];
      let treeMatched = true;
      for (let run = 0; run < runs; run += 1) {
        context.log(`FTP ${smallFiles} files run ${run + 1}/${runs}`);
        const lftpTarget = path.join(out, `lftp-${run}`);
        flushDirtyPages();
        lftpTree.push(await lftpMirror(server, '/tree', lftpTarget, 'download', 8));
        if (!sameTree(expectedTree, await hashTree(lftpTarget))) throw new Error('lftp delivered a different tree');

        const ferryTarget = path.join(out, `ferry-${run}`);
        flushDirtyPages();
        ferryTree.push(await timeNode([FERRY, 'get', '-r', `${origin}/tree`, ferryTarget], env));
        if (!sameTree(expectedTree, await hashTree(ferryTarget))) treeMatched = false;
      }
      rows.push(makeRow({
        ...treeRow, ferry: median(ferryTree) / 1000, baseline: median(lftpTree) / 1000, hashesMatched: treeMatched,
        samples: { ferry: ferryTree, baseline: lftpTree },
        ...(treeMatched ? {} : { status: 'fail' as const, reason: 'a downloaded tree differed' }),
      }));
    } finally {
      await server.stop();
      await removeQuietly(out);
      await removeQuietly(root);
    }
    return rows;
  },
};
