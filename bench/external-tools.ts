/**
 * The tools people use today, as private instances on loopback, for the
 * peers' rows: OpenSSH (sshd; scp and sftp as clients) and vsftpd (curl and
 * lftp as clients). The bench never installs them; it looks for them, starts
 * its own servers with their own configuration in a temporary folder, and
 * reports a row as skipped, saying what is missing, when it cannot.
 *
 * Shape, for every suite that compares against them:
 *
 *   const sshd = await startSshd(workDir);          // PrivateSshd: host, port, user, identityFile, ...
 *   await scpCopy(sshd, remote(sshd, '/abs/file'), '/local/file');   // ms, whole process
 *   await sftpBatch(sshd, ['get -r /abs/dir /local/dir']);          // ms
 *   await sshd.stop();
 *
 *   const ftp = await startVsftpd(workDir, root, { writable: 'incoming' });  // PrivateVsftpd
 *   await curlDownload(ftp, 'big.bin', '/local/big.bin');             // ms
 *   await curlUpload(ftp, '/local/big.bin', 'incoming/big.bin');      // ms
 *   await lftpMirror(ftp, 'tree', '/local/tree', 'download');         // ms
 *   await ftp.stop();
 *
 * Each client command is timed from spawn to exit (what a user waits for,
 * start-up and handshake included) and fails with its own error text.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { spawnTracked, stopChild, waitForOutput } from './processes.js';
import { now } from './util.js';

/** The program's path on PATH or in /usr/sbin (where Debian puts daemons), or undefined. */
export function findExecutable(name: string, extraDirs: string[] = ['/usr/sbin', '/sbin']): string | undefined {
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

/** "NAME not installed" for the first of `names` that is missing, or undefined when all are here. */
export function toolsMissing(...names: string[]): string | undefined {
  const missing = names.find((name) => findExecutable(name) === undefined);
  return missing === undefined ? undefined : `${missing} not installed`;
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

/** Waits until a freshly started server listens, or fails with its own complaint. */
async function serverReady(child: ReturnType<typeof spawnTracked>, port: number, complaint: RegExp, name: string): Promise<void> {
  const failed = waitForOutput(child, complaint, 60_000).catch(() => undefined);
  await Promise.race([waitForPort(port), failed.then((match) => {
    if (match) throw new Error(`${name}: ${match.input?.trim().slice(0, 300)}`);
  })]);
  child.stdout!.resume();
  child.stderr!.resume();
}

/**
 * Runs `command args` to its end; resolves with the milliseconds from spawn
 * to exit, rejects with the program's own error text on a non-zero exit.
 */
export async function timedCommand(command: string, args: string[], options: { cwd?: string } = {}): Promise<number> {
  const started = now();
  const child = spawnTracked(command, args, { stdio: ['ignore', 'ignore', 'pipe'], ...options });
  let errors = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (errors.length < 4000) errors += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  const elapsed = now() - started;
  if (code !== 0) throw new Error(`${path.basename(command)} exited with ${code}: ${errors.trim().slice(0, 300)}`);
  return elapsed;
}

// ---------------------------------------------------------------------------------------------
// OpenSSH

/** A private sshd on a loopback port, with throwaway host and client keys; log in as `user` with `identityFile`. */
export interface PrivateSshd {
  host: string;
  port: number;
  /** The account the bench runs as (the remote paths are this machine's). */
  user: string;
  /** The client's private key (ed25519, no passphrase), authorized for `user`. */
  identityFile: string;
  /** The server's public host key, `ssh-ed25519 AAAA…`. */
  hostPublicKey: string;
  /** A known_hosts file that trusts exactly this server (`[127.0.0.1]:PORT ssh-ed25519 …`). */
  knownHostsFile: string;
  /** `-o` options for ssh, scp and sftp: this key only, batch mode, this server's known_hosts, quiet. */
  clientOptions: string[];
  stop(): Promise<void>;
}

/** A value in sshd_config or an `-o` option, quoted so that a folder with spaces stays one word. */
function sshQuoted(value: string): string {
  return `"${value}"`;
}

/** Why a private sshd cannot be started here, or undefined when it can. */
export function opensshMissing(): string | undefined {
  return toolsMissing('sshd', 'ssh-keygen');
}

export async function startSshd(workDir: string): Promise<PrivateSshd> {
  const missing = opensshMissing();
  if (missing) throw new Error(missing);
  const sshd = findExecutable('sshd')!;
  const keygen = findExecutable('ssh-keygen')!;
  const dir = path.join(workDir, 'sshd');
  await fs.mkdir(dir, { recursive: true });
  for (const key of ['host_key', 'client_key']) {
    await fs.rm(path.join(dir, key), { force: true });
    const made = spawnSync(keygen, ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, key)]);
    if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr.toString().trim()}`);
  }
  await fs.copyFile(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  // sshd insists on its privilege-separation folder; the system service normally creates it.
  if (!existsSync('/run/sshd') && process.getuid?.() === 0) mkdirSync('/run/sshd', { mode: 0o755 });
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${sshQuoted(path.join(dir, 'host_key'))}`,
    `AuthorizedKeysFile ${sshQuoted(path.join(dir, 'authorized_keys'))}`, `PidFile ${sshQuoted(path.join(dir, 'sshd.pid'))}`,
    'PubkeyAuthentication yes', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'UsePAM no', 'StrictModes no', 'PermitRootLogin prohibit-password', 'Subsystem sftp internal-sftp',
    // Many short sessions in a row (scp, sftp, the SFTP kind's tests): none may be refused as a flood.
    'MaxStartups 100', 'MaxSessions 100', '',
  ].join('\n'));
  const hostPublicKey = (await fs.readFile(path.join(dir, 'host_key.pub'), 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');
  const knownHostsFile = path.join(dir, 'known_hosts');
  await fs.writeFile(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  const child = spawnTracked(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  await serverReady(child, port, /fatal|error|Bad configuration/i, 'sshd');
  const identityFile = path.join(dir, 'client_key');
  return {
    host: '127.0.0.1',
    port,
    user: os.userInfo().username,
    identityFile,
    hostPublicKey,
    knownHostsFile,
    clientOptions: [
      '-o', `IdentityFile=${sshQuoted(identityFile)}`, '-o', 'IdentitiesOnly=yes', '-o', 'BatchMode=yes',
      '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${sshQuoted(knownHostsFile)}`, '-o', 'LogLevel=ERROR',
      '-F', '/dev/null',
    ],
    stop: () => stopChild(child),
  };
}

/** `user@127.0.0.1:PATH`, the remote side of an scp copy. */
export function sshRemote(sshd: PrivateSshd, remotePath: string): string {
  return `${sshd.user}@${sshd.host}:${remotePath}`;
}

/** `scp [-r] FROM TO` (OpenSSH's defaults: the SFTP protocol, its default cipher); ms, whole process. */
export function scpCopy(sshd: PrivateSshd, from: string, to: string, options: { recursive?: boolean } = {}): Promise<number> {
  const scp = findExecutable('scp');
  if (!scp) return Promise.reject(new Error('scp not installed'));
  return timedCommand(scp, [
    '-q', ...(options.recursive ? ['-r'] : []), '-P', String(sshd.port), ...sshd.clientOptions, from, to,
  ]);
}

/** `sftp -b BATCH` with these commands (e.g. `get -r /abs/dir /local/dir`); ms, whole process. */
export async function sftpBatch(sshd: PrivateSshd, commands: string[]): Promise<number> {
  const sftp = findExecutable('sftp');
  if (!sftp) throw new Error('sftp not installed');
  const batch = path.join(path.dirname(sshd.knownHostsFile), `batch-${process.pid}-${Date.now()}`);
  await fs.writeFile(batch, `${commands.join('\n')}\n`);
  try {
    return await timedCommand(sftp, ['-q', '-b', batch, '-P', String(sshd.port), ...sshd.clientOptions, `${sshd.user}@${sshd.host}`]);
  } finally {
    await fs.rm(batch, { force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// vsftpd

/** A private vsftpd serving `root` to anonymous logins on a loopback port. */
export interface PrivateVsftpd {
  host: string;
  port: number;
  /** Log in with these: anonymous, any password. */
  user: string;
  password: string;
  /** The server's root folder (paths below are relative to it). */
  root: string;
  /** The folder under `root` the server may write into (created, owned by the `ftp` user), if asked for. */
  writable: string | undefined;
  /** `ftp://127.0.0.1:PORT/PATH` for a path relative to the root. */
  url(relativePath: string): string;
  stop(): Promise<void>;
}

/** Why a private vsftpd cannot be started here, or undefined when it can. */
export function vsftpdMissing(): string | undefined {
  return toolsMissing('vsftpd');
}

/**
 * Starts vsftpd on `root`. With `writable: 'NAME'` the folder root/NAME is
 * made and handed to the `ftp` user, and anonymous uploads, folders and
 * overwrites are allowed there (only there: the root stays the bench's).
 */
export async function startVsftpd(workDir: string, root: string, options: { writable?: string } = {}): Promise<PrivateVsftpd> {
  const missing = vsftpdMissing();
  if (missing) throw new Error(missing);
  // vsftpd enters the anonymous user's home before its anon_root: that user must have a real one.
  const passwd = await fs.readFile('/etc/passwd', 'utf8').catch(() => '');
  const ftpUser = /^ftp:[^:]*:(\d+):(\d+):/m.exec(passwd);
  if (!ftpUser) throw new Error('no "ftp" system user (vsftpd\'s package creates it)');
  if (process.getuid?.() !== 0) throw new Error('vsftpd must be started as root (it chroots into its root)');
  const vsftpd = findExecutable('vsftpd')!;
  const dir = path.join(workDir, `vsftpd-${path.basename(root)}`);
  const empty = path.join(dir, 'empty');
  await fs.mkdir(empty, { recursive: true, mode: 0o755 });
  if (options.writable) {
    const writable = path.join(root, options.writable);
    await fs.mkdir(writable, { recursive: true, mode: 0o755 });
    await fs.chown(writable, Number(ftpUser[1]), Number(ftpUser[2]));
  }
  const port = await freePort();
  const config = path.join(dir, 'vsftpd.conf');
  await fs.writeFile(config, [
    'listen=YES', 'listen_ipv6=NO', 'listen_address=127.0.0.1', `listen_port=${port}`, 'background=NO',
    'anonymous_enable=YES', 'no_anon_password=YES', `anon_root=${root}`, 'local_enable=NO',
    ...(options.writable
      ? ['write_enable=YES', 'anon_upload_enable=YES', 'anon_mkdir_write_enable=YES', 'anon_other_write_enable=YES', 'anon_umask=022']
      : ['write_enable=NO']),
    'pasv_enable=YES', 'pasv_address=127.0.0.1', 'seccomp_sandbox=NO', `secure_chroot_dir=${empty}`,
    'xferlog_enable=NO', 'dirmessage_enable=NO', 'ftp_username=ftp', 'use_sendfile=YES',
    // lftp's mirror opens eight connections at once, and each transfer opens a data connection.
    'max_clients=0', 'max_per_ip=0', '',
  ].join('\n'));
  const child = spawnTracked(vsftpd, [config], { stdio: ['ignore', 'pipe', 'pipe'] });
  await serverReady(child, port, /OOPS|error/i, 'vsftpd');
  return {
    host: '127.0.0.1',
    port,
    user: 'anonymous',
    password: 'bench@ferry.invalid',
    root,
    writable: options.writable,
    url: (relativePath) => `ftp://127.0.0.1:${port}/${relativePath.replace(/^\/+/, '')}`,
    stop: () => stopChild(child),
  };
}

/** `curl -o LOCAL ftp://…/REMOTE` (passive mode, anonymous); ms, whole process. */
export function curlDownload(ftp: PrivateVsftpd, remotePath: string, localPath: string): Promise<number> {
  const curl = findExecutable('curl');
  if (!curl) return Promise.reject(new Error('curl not installed'));
  return timedCommand(curl, ['-sS', '--fail', '-o', localPath, ftp.url(remotePath)]);
}

/** `curl -T LOCAL ftp://…/REMOTE` (into the server's writable folder); ms, whole process. */
export function curlUpload(ftp: PrivateVsftpd, localPath: string, remotePath: string): Promise<number> {
  const curl = findExecutable('curl');
  if (!curl) return Promise.reject(new Error('curl not installed'));
  return timedCommand(curl, ['-sS', '--fail', '-T', localPath, ftp.url(remotePath)]);
}

/**
 * `lftp -c 'mirror --parallel=N REMOTE LOCAL'` (download) or `mirror -R
 * --parallel=N LOCAL REMOTE` (upload), the usual way to move a tree over
 * FTP; ms, whole process. Permissions are not mirrored (anonymous FTP may not
 * chmod), nothing else is changed from lftp's defaults.
 */
export function lftpMirror(ftp: PrivateVsftpd, remoteDir: string, localDir: string,
  direction: 'download' | 'upload', parallel = 8): Promise<number> {
  const lftp = findExecutable('lftp');
  if (!lftp) return Promise.reject(new Error('lftp not installed'));
  const quote = (text: string): string => `"${text.replace(/["\\]/g, '\\$&')}"`;
  const mirror = direction === 'download'
    ? `mirror --no-perms --parallel=${parallel} ${quote(remoteDir)} ${quote(localDir)}`
    : `mirror -R --no-perms --parallel=${parallel} ${quote(localDir)} ${quote(remoteDir)}`;
  return timedCommand(lftp, ['-c', [
    'set cmd:fail-exit yes', 'set net:max-retries 1', 'set ftp:passive-mode yes',
    `open -u ${ftp.user},${ftp.password} -p ${ftp.port} ${ftp.host}`, mirror,
  ].join('; ')]);
}
