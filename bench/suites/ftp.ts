/**
 * The FTP kind (src/remote/ftp) against the FTP tools people use, on one
 * private anonymous vsftpd serving both: the big file against `curl`, and a
 * tree of small files against `lftp mirror --parallel=8` (eight connections,
 * as the FTP kind's pool). Every contender's timing includes connecting and
 * logging in, and every result is hashed by the bench.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { openRemote } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { spawnTracked, stopChild } from '../processes.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import {
  errorMessage, flushDirtyPages, hashTree, median, now, removeQuietly, sameTree, sha256File, writeSmallTree,
} from '../util.js';
import { bigFileSetup } from './big-file.js';

function findTool(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin'].filter(Boolean)) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch { /* not here */ }
  }
  return undefined;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`vsftpd did not listen on ${port}`);
}

/** A private anonymous, read-only vsftpd serving `root` on a loopback port, with room for 8+ connections. */
async function startAnonymousVsftpd(workDir: string, root: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const dir = path.join(workDir, 'ftp-suite-vsftpd');
  const empty = path.join(dir, 'empty');
  await fs.mkdir(empty, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'vsftpd.conf');
  await fs.writeFile(config, [
    'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
    'anonymous_enable=YES', 'no_anon_password=YES', `anon_root=${root}`, 'local_enable=NO', 'write_enable=NO',
    'pasv_enable=YES', 'pasv_address=127.0.0.1', 'seccomp_sandbox=NO', `secure_chroot_dir=${empty}`,
    'xferlog_enable=NO', 'dirmessage_enable=NO', 'ftp_username=ftp', 'use_sendfile=YES',
    'max_clients=200', 'max_per_ip=100', '',
  ].join('\n'));
  const child = spawnTracked(findTool('vsftpd')!, [config], { stdio: ['ignore', 'ignore', 'ignore'] });
  await waitForPort(port);
  return { port, stop: () => stopChild(child) };
}

function timedCommand(command: string, args: string[]): number {
  const started = now();
  const result = spawnSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const elapsed = now() - started;
  if (result.status !== 0) throw new Error(`${path.basename(command)} failed: ${(result.stderr ?? '').trim().slice(0, 300)}`);
  return elapsed;
}

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
    const missing = ['vsftpd', 'curl', 'lftp'].find((tool) => !findTool(tool));
    if (missing) return [skippedRow(bigRow, `${missing} not installed`), skippedRow(treeRow, `${missing} not installed`)];

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

    let server: { port: number; stop: () => Promise<void> };
    try {
      server = await startAnonymousVsftpd(context.workDir, root);
    } catch (error) {
      const reason = `vsftpd unusable here: ${errorMessage(error)}`;
      return [skippedRow(bigRow, reason), skippedRow(treeRow, reason)];
    }
    const origin = `ftp://127.0.0.1:${server.port}`;
    const curl = findTool('curl')!;
    const lftp = findTool('lftp')!;
    const rows: BenchRow[] = [];
    try {
      const ferryBig: number[] = [];
      const curlBig: number[] = [];
      let bigMatched = true;
      for (let run = 0; run < runs; run += 1) {
        context.log(`FTP ${sizeLabel(context.sizes.bigFile)} run ${run + 1}/${runs}`);
        const curlTarget = path.join(out, 'curl.bin');
        flushDirtyPages();
        curlBig.push(timedCommand(curl, ['-sS', '-o', curlTarget, `${origin}/${big.name}`]));
        if (await sha256File(curlTarget) !== big.hash) throw new Error('curl delivered a different file');
        await removeQuietly(curlTarget);

        const ferryTarget = path.join(out, 'ferry.bin');
        flushDirtyPages();
        const started = now();
        const remote = await openRemote(parseRemoteUrl(origin));
        await remote.download(`/${big.name}`, ferryTarget);
        await remote.quit();
        ferryBig.push(now() - started);
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
        lftpTree.push(timedCommand(lftp, [
          '-e', `set cmd:fail-exit yes; set net:max-retries 1; mirror --parallel=8 /tree ${lftpTarget}; quit`, origin,
        ]));
        if (!sameTree(expectedTree, await hashTree(lftpTarget))) throw new Error('lftp delivered a different tree');

        const ferryTarget = path.join(out, `ferry-${run}`);
        flushDirtyPages();
        const started = now();
        const remote = await openRemote(parseRemoteUrl(origin));
        await remote.downloadTree('/tree', ferryTarget);
        await remote.quit();
        ferryTree.push(now() - started);
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
