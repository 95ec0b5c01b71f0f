/**
 * The tools people use today, run on loopback for comparison rows: OpenSSH
 * (sshd + scp) and vsftpd + curl. The bench never installs them; it looks for
 * them, starts private instances with their own configuration in a temporary
 * folder, and reports a row as skipped when something is missing.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnTracked, stopChild, waitForOutput } from './processes.js';
import { now } from './util.js';

function findExecutable(name: string, extraDirs: string[] = ['/usr/sbin', '/sbin']): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
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

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt += 1) {
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

export interface ExternalServer {
  /** Downloads `remoteFile` (an absolute path for scp, a name under the root for FTP) into `target`; ms. */
  download(remoteFile: string, target: string): Promise<number>;
  stop(): Promise<void>;
}

async function timedCommand(command: string, args: string[]): Promise<number> {
  const started = now();
  const child = spawnTracked(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const elapsed = now() - started;
  if (code !== 0) throw new Error(`${path.basename(command)} exited with ${code}: ${errors.trim().slice(0, 300)}`);
  return elapsed;
}

/** Why OpenSSH cannot be used here, or undefined when it can. */
export function opensshMissing(): string | undefined {
  for (const tool of ['sshd', 'scp', 'ssh-keygen']) if (!findExecutable(tool)) return `${tool} not installed`;
  return undefined;
}

/** A private sshd on a loopback port, with throwaway host and client keys. */
export async function startSshd(workDir: string): Promise<ExternalServer> {
  const missing = opensshMissing();
  if (missing) throw new Error(missing);
  const sshd = findExecutable('sshd')!;
  const scp = findExecutable('scp')!;
  const keygen = findExecutable('ssh-keygen')!;
  const dir = path.join(workDir, 'sshd');
  await fs.mkdir(dir, { recursive: true });
  for (const key of ['host_key', 'client_key']) {
    const made = spawnSync(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr.toString().trim()}`);
  }
  await fs.copyFile(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  // sshd insists on its privilege-separation folder; the system service normally creates it.
  if (!existsSync('/run/sshd') && process.getuid?.() === 0) mkdirSync('/run/sshd', { mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password', 'Subsystem sftp internal-sftp', '',
  ].join('\n'));
  const child = spawnTracked(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const failed = waitForOutput(child, /fatal|error|Bad configuration/i, 60_000).catch(() => undefined);
  await Promise.race([waitForPort(port), failed.then((match) => {
    if (match) throw new Error(`sshd: ${match.input?.trim().slice(0, 300)}`);
  })]);
  child.stdout!.resume();
  child.stderr!.resume();
  const user = os.userInfo().username;
  return {
    download: (remoteFile, target) => timedCommand(scp, [
      '-q', '-i', path.join(dir, 'client_key'), '-P', String(port), '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR',
      `${user}@127.0.0.1:${remoteFile}`, target,
    ]),
    stop: () => stopChild(child),
  };
}

/** Why vsftpd + curl cannot be used here, or undefined when they can. */
export function vsftpdMissing(): string | undefined {
  for (const tool of ['vsftpd', 'curl']) if (!findExecutable(tool)) return `${tool} not installed`;
  return undefined;
}

/** A private anonymous, read-only vsftpd serving `root` on a loopback port. */
export async function startVsftpd(workDir: string, root: string): Promise<ExternalServer> {
  const missing = vsftpdMissing();
  if (missing) throw new Error(missing);
  // vsftpd enters the anonymous user's home before its anon_root: that user must have a real one.
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  if (!/^ftp:/m.test(passwd)) throw new Error('no "ftp" system user (vsftpd\'s package creates it)');
  const vsftpd = findExecutable('vsftpd')!;
  const curl = findExecutable('curl')!;
  const dir = path.join(workDir, 'vsftpd');
  const empty = path.join(dir, 'empty');
  await fs.mkdir(empty, { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'vsftpd.conf');
  await fs.writeFile(config, [
    'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
    'anonymous_enable=YES', 'no_anon_password=YES', `anon_root=${root}`, 'local_enable=NO', 'write_enable=NO',
    'pasv_enable=YES', 'pasv_address=127.0.0.1', 'seccomp_sandbox=NO', `secure_chroot_dir=${empty}`,
    'xferlog_enable=NO', 'dirmessage_enable=NO', 'ftp_username=ftp', 'use_sendfile=YES', '',
  ].join('\n'));
  const child = spawnTracked(vsftpd, [config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const failed = waitForOutput(child, /OOPS|error/i, 60_000).catch(() => undefined);
  await Promise.race([waitForPort(port), failed.then((match) => {
    if (match) throw new Error(`vsftpd: ${match.input?.trim().slice(0, 300)}`);
  })]);
  child.stdout!.resume();
  child.stderr!.resume();
  return {
    download: (remoteFile, target) => timedCommand(curl, ['-sS', '-o', target, `ftp://127.0.0.1:${port}/${remoteFile}`]),
    stop: () => stopChild(child),
  };
}
