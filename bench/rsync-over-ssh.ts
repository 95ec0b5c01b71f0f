/**
 * rsync over a private sshd on a loopback port, for the sync suite's
 * comparison row: its own throwaway host and client keys and configuration
 * in a temporary folder, as external-tools.ts starts sshd for scp. The bench
 * never installs rsync or OpenSSH; `rsyncMissing` says when a row is skipped.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { findSystemTool } from '../test/helpers/system-tool.js';
import { spawnTracked, stopChild, waitForOutput } from './processes.js';
import { now } from './util.js';

export interface RsyncServer {
  /** `rsync -a [--delete] localDir/ user@127.0.0.1:remoteDir/` over the private sshd; elapsed ms. */
  push(localDir: string, remoteDir: string, options?: { delete?: boolean }): Promise<number>;
  stop(): Promise<void>;
}

/** Why rsync over ssh cannot run here, or undefined when it can. */
export function rsyncMissing(): string | undefined {
  for (const tool of ['rsync', 'sshd', 'ssh', 'ssh-keygen']) if (!findSystemTool(tool)) return `${tool} not installed`;
  return undefined;
}

export async function startRsyncServer(workDir: string): Promise<RsyncServer> {
  const missing = rsyncMissing();
  if (missing) throw new Error(missing);
  const dir = path.join(workDir, 'rsync-sshd');
  await fs.mkdir(dir, { recursive: true });
  for (const key of ['host_key', 'client_key']) {
    const made = spawnSync(findSystemTool('ssh-keygen')!, ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr.toString().trim()}`);
  }
  await fs.copyFile(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  if (!existsSync('/run/sshd') && process.getuid?.() === 0) mkdirSync('/run/sshd', { mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password', '',
  ].join('\n'));
  const child = spawnTracked(findSystemTool('sshd')!, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const failed = waitForOutput(child, /fatal|error|Bad configuration/i, 60_000).catch(() => undefined);
  await Promise.race([waitForPort(port), failed.then((match) => {
    if (match) throw new Error(`sshd: ${match.input?.trim().slice(0, 300)}`);
  })]);
  child.stdout!.resume();
  child.stderr!.resume();
  const ssh = [
    findSystemTool('ssh')!, '-i', path.join(dir, 'client_key'), '-p', String(port), '-o', 'BatchMode=yes',
    '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
  ].join(' ');
  const user = os.userInfo().username;
  return {
    push: (localDir, remoteDir, options = {}) => timed(findSystemTool('rsync')!, [
      '-a', ...(options.delete ? ['--delete'] : []), '-e', ssh, `${localDir}/`, `${user}@127.0.0.1:${remoteDir}/`,
    ]),
    stop: () => stopChild(child),
  };
}

async function timed(command: string, args: string[]): Promise<number> {
  const started = now();
  const child = spawnTracked(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const elapsed = now() - started;
  if (code !== 0) throw new Error(`rsync exited with ${code}: ${errors.trim().slice(0, 300)}`);
  return elapsed;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
}
