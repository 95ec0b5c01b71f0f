/**
 * Ferry's SFTP kind (src/remote/sftp) against OpenSSH's own clients, all
 * talking to the same private sshd (test/helpers/sshd.ts) on loopback: the
 * big file through `sftp` and `scp`, and a tree of many small files through
 * `scp -r`. Every contender uses the same cipher (aes128-gcm@openssh.com, the
 * first choice of ssh2; OpenSSH's clients would otherwise pick
 * chacha20-poly1305), and each is timed as a command from spawn to exit
 * (`ferry get`, `sftp -b`, `scp`): start-up, connecting and logging in
 * included. Ferry's SFTP kind uses ssh2's native AES-GCM binding when it was
 * built at install (the row says which). Contenders alternate run by run so drift on a
 * shared machine hits all of them; every delivered file is hashed by the
 * bench.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startSshd, type Sshd } from '../../test/helpers/sshd.js';
import { findSystemTool } from '../../test/helpers/system-tool.js';
import { sizeLabel, type BenchContext, type Suite } from '../context.js';
import { makeRow, skippedRow, type BenchRow } from '../report.js';
import {
  errorMessage, flushDirtyPages, hashTree, median, now, removeQuietly, sameTree, sha256File, writeSmallTree,
} from '../util.js';
import { bigFileSetup } from './big-file.js';
import { FERRY, timeNode } from './commands.js';

const CIPHER = 'aes128-gcm@openssh.com';

/** Whether ssh2 found its native crypto binding (built by its install script); without it, it deciphers in JS over node:crypto. */
function ssh2NativeCrypto(): boolean {
  const crypto = createRequire(import.meta.url)('ssh2/lib/protocol/crypto.js') as { bindingAvailable?: boolean };
  return crypto.bindingAvailable === true;
}

function opensshOptions(server: Sshd): string[] {
  return [
    '-q', '-i', server.clientKey, '-P', String(server.port), '-c', CIPHER, '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${path.join(server.home, '.ssh', 'known_hosts')}`, '-o', 'LogLevel=ERROR',
  ];
}

async function timed(command: string, args: string[], input?: string): Promise<number> {
  const started = now();
  const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-2000);
  });
  if (input !== undefined) child.stdin!.end(input);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const elapsed = now() - started;
  if (code !== 0) throw new Error(`${path.basename(command)} exited with ${code}: ${errors.trim().slice(0, 300)}`);
  return elapsed;
}

/**
 * `ferry get [-r]` from the same sshd, run as a user runs it: a whole process,
 * start-up, connecting and logging in included, as the OpenSSH commands it is
 * compared with. (Timed inside the bench's own process instead, the same
 * download cost 1.5–2 × more: ssh2 allocates the file's size in buffers several
 * times over, and in the bench's small, long-lived heap V8 answered that with
 * a full mark-compact every few MiB, ~100 per GiB, where the command's fresh
 * process collects them young; PERFORMANCE.md has the figures.)
 */
function ferryGet(server: Sshd, remotePath: string, target: string, options: { recursive?: boolean } = {}): Promise<number> {
  const url = `sftp://${server.user}@127.0.0.1:${server.port}${remotePath}`;
  return timeNode([FERRY, 'get', ...(options.recursive ? ['-r'] : []), '-i', server.clientKey, url, target], server.clientEnv());
}

export const sftpSuite: Suite = {
  name: 'sftp',
  async run(context: BenchContext): Promise<BenchRow[]> {
    // Said in the figure: the row measures a different program without the binding.
    const label = `${sizeLabel(context.sizes.bigFile)}${ssh2NativeCrypto() ? '' : ' (ssh2 without its native binding)'}`;
    const base = { suite: this.name, unit: 's' } as const;
    const vsSftp = {
      ...base, id: 'sftp-download-vs-sftp', figure: `${label} download, Ferry's SFTP kind`, baselineLabel: 'OpenSSH sftp',
      target: { kind: 'ratio-max', value: 1.0 } as const,
    };
    const vsScp = {
      ...base, id: 'sftp-download-vs-scp', figure: `${label} download, Ferry's SFTP kind`, baselineLabel: 'scp',
      target: { kind: 'ratio-max', value: 1.0 } as const,
    };
    const treeLabel = `${context.sizes.smallFiles} × ${sizeLabel(context.sizes.smallFileSize)}`;
    const vsScpTree = {
      ...base, id: 'sftp-tree-vs-scp', figure: `${treeLabel} tree download, Ferry's SFTP kind`, baselineLabel: 'scp -r',
      target: { kind: 'ratio-max', value: 0.5 } as const,
    };
    const all = [vsSftp, vsScp, vsScpTree];
    if (!context.sizes.externalTools) return all.map((row) => skippedRow(row, 'external tools are not run in this mode'));
    const missing = ['sshd', 'sftp', 'scp', 'ssh-keygen'].find((tool) => !findSystemTool(tool));
    if (missing) return all.map((row) => skippedRow(row, `${missing} not installed`));

    const { source, hash } = await bigFileSetup(context);
    const tree = path.join(context.workDir, 'sftp-tree');
    context.log(`writing ${treeLabel} files`);
    await writeSmallTree(tree, context.sizes.smallFiles, context.sizes.smallFileSize);
    const expectedTree = await hashTree(tree);
    const outDir = path.join(context.workDir, 'sftp-out');
    await fs.mkdir(outDir, { recursive: true });

    let server: Sshd;
    try {
      server = await startSshd();
      await server.trustHostKey();
    } catch (error) {
      return all.map((row) => skippedRow(row, `sshd unusable here: ${errorMessage(error)}`));
    }
    const sftp = findSystemTool('sftp')!;
    const scp = findSystemTool('scp')!;
    const remoteUser = `${server.user}@127.0.0.1`;
    const times = { ferry: [] as number[], sftp: [] as number[], scp: [] as number[], ferryTree: [] as number[], scpTree: [] as number[] };
    let bigMatched = true;
    let treeMatched = true;
    let bigError: string | undefined;
    let treeError: string | undefined;
    try {
      const target = path.join(outDir, 'big.bin');
      const check = async (): Promise<void> => {
        if (await sha256File(target) !== hash) bigMatched = false;
        await removeQuietly(target);
      };
      for (let run = 0; run < context.sizes.runs; run += 1) {
        context.log(`SFTP ${label} run ${run + 1}/${context.sizes.runs}`);
        flushDirtyPages();
        times.ferry.push(await ferryGet(server, source, target));
        await check();
        flushDirtyPages();
        times.sftp.push(await timed(sftp, [...opensshOptions(server), '-b', '-', remoteUser], `get ${source} ${target}\n`));
        await check();
        flushDirtyPages();
        times.scp.push(await timed(scp, [...opensshOptions(server), `${remoteUser}:${source}`, target]));
        await check();
      }
    } catch (error) {
      bigError = `run failed: ${errorMessage(error)}`;
    }
    try {
      const outputs: string[] = [];
      for (let run = 0; run < context.sizes.runs; run += 1) {
        context.log(`SFTP ${treeLabel} tree run ${run + 1}/${context.sizes.runs}`);
        const ferryTarget = path.join(outDir, `ferry-tree-${run}`);
        flushDirtyPages();
        times.ferryTree.push(await ferryGet(server, tree, ferryTarget, { recursive: true }));
        if (!sameTree(expectedTree, await hashTree(ferryTarget))) treeMatched = false;
        outputs.push(ferryTarget);
        const scpTarget = path.join(outDir, `scp-tree-${run}`);
        flushDirtyPages();
        times.scpTree.push(await timed(scp, [...opensshOptions(server), '-r', `${remoteUser}:${tree}`, scpTarget]));
        if (!sameTree(expectedTree, await hashTree(scpTarget))) treeMatched = false;
        outputs.push(scpTarget);
      }
      for (const output of outputs) await removeQuietly(output);
    } catch (error) {
      treeError = `run failed: ${errorMessage(error)}`;
    } finally {
      await server.stop();
    }
    const seconds = (values: number[]): number => median(values) / 1000;
    const details = { cipher: CIPHER, timing: 'connect, log in, transfer, quit' };
    return [
      ...bigError ? [skippedRow(vsSftp, bigError, 'error'), skippedRow(vsScp, bigError, 'error')] : [
      makeRow({ ...vsSftp, ferry: seconds(times.ferry), baseline: seconds(times.sftp), hashesMatched: bigMatched,
        samples: { ferry: times.ferry, baseline: times.sftp }, details }),
      makeRow({ ...vsScp, ferry: seconds(times.ferry), baseline: seconds(times.scp), hashesMatched: bigMatched,
        samples: { ferry: times.ferry, baseline: times.scp }, details }),
      ],
      treeError ? skippedRow(vsScpTree, treeError, 'error') : makeRow({ ...vsScpTree, ferry: seconds(times.ferryTree), baseline: seconds(times.scpTree), hashesMatched: treeMatched,
        samples: { ferry: times.ferryTree, baseline: times.scpTree }, details }),
    ];
  },
};
