/**
 * Reference rows: the big file through the tools people use (scp; vsftpd +
 * curl) against the raw TCP pipe, when they are installed. No targets: they
 * show where Ferry's figures sit.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { startVsftpd, vsftpdMissing } from '../external-tools.js';
import { rawPipeDownload } from '../raw-pipe.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import { errorMessage, flushDirtyPages, median, removeQuietly, sha256File } from '../util.js';
import { bigFileSetup, rawDownloadSamples } from './big-file.js';
import { scpSamples } from './tls.js';

async function rawSamples(context: BenchContext, source: string): Promise<number[]> {
  const samples = rawDownloadSamples(context);
  if (samples.length >= context.sizes.runs) return samples;
  const target = path.join(context.workDir, 'tools-raw.bin');
  while (samples.length < context.sizes.runs) {
    flushDirtyPages();
    samples.push(await rawPipeDownload(source, target));
    await removeQuietly(target);
  }
  return samples;
}

export const toolsSuite: Suite = {
  name: 'tools',
  async run(context: BenchContext): Promise<BenchRow[]> {
    const label = sizeLabel(context.sizes.bigFile);
    const scpRow = {
      id: 'scp-vs-raw', suite: this.name, figure: `${label} download, scp`, unit: 's',
      baselineLabel: 'raw TCP pipe', target: { kind: 'none', note: 'reference (3.2 ×)' } as const,
    };
    const ftpRow = {
      id: 'ftp-vs-raw', suite: this.name, figure: `${label} download, vsftpd + curl`, unit: 's',
      baselineLabel: 'raw TCP pipe', target: { kind: 'none', note: 'reference (1.8–2.4 ×)' } as const,
    };
    if (!context.sizes.externalTools) {
      const reason = 'external tools are not run in this mode';
      return [skippedRow(scpRow, reason), skippedRow(ftpRow, reason)];
    }
    const { serverRoot, name, source, hash } = await bigFileSetup(context);
    const seconds = (values: number[]): number => median(values) / 1000;
    const rows: BenchRow[] = [];

    const scp = await scpSamples(context, source, hash);
    if (typeof scp === 'string') {
      rows.push(skippedRow(scpRow, scp));
    } else {
      const raw = await rawSamples(context, source);
      rows.push(makeRow({ ...scpRow, ferry: seconds(scp), baseline: seconds(raw), samples: { ferry: scp, baseline: raw } }));
    }

    const ftpMissing = vsftpdMissing();
    if (ftpMissing) {
      rows.push(skippedRow(ftpRow, ftpMissing));
      return rows;
    }
    const ftpTimes: number[] = [];
    try {
      const ftp = await startVsftpd(context.workDir, serverRoot);
      try {
        const target = path.join(context.workDir, 'ftp-out.bin');
        for (let run = 0; run < context.sizes.runs; run += 1) {
          context.log(`FTP run ${run + 1}/${context.sizes.runs}`);
          flushDirtyPages();
          ftpTimes.push(await ftp.download(name, target));
          if (await sha256File(target) !== hash) throw new Error('FTP delivered a different file');
          await fs.rm(target, { force: true });
        }
      } finally {
        await ftp.stop();
      }
    } catch (error) {
      rows.push(skippedRow(ftpRow, `vsftpd unusable here: ${errorMessage(error)}`));
      return rows;
    }
    const raw = await rawSamples(context, source);
    rows.push(makeRow({ ...ftpRow, ferry: seconds(ftpTimes), baseline: seconds(raw), samples: { ferry: ftpTimes, baseline: raw } }));
    return rows;
  },
};
