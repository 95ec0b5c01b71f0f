/**
 * A private OpenSSH sshd for the SFTP tests: its own sshd_config, host key,
 * authorized_keys and folders in a temporary folder, listening on an
 * ephemeral loopback port, stopped (and its folder removed) by `stop()`.
 *
 * Logins it can test:
 * - keys: `clientKey` (ed25519, no passphrase) is authorized for the user
 *   running the tests;
 * - password and keyboard-interactive: a throwaway system user
 *   (`withPasswordUser`) made with useradd and given a random password with
 *   chpasswd when the tests run as root (as they do here and in CI), removed by
 *   `stop()`. sshd checks the password through PAM (UsePAM yes), which is also
 *   what offers keyboard-interactive. Without root there is no such user and
 *   `passwordUser` stays undefined; the tests needing it say so.
 *
 * The client side gets a home folder of its own (`home`, with `.ssh/`), so
 * known_hosts, ~/.ssh/config and default keys never touch the real ones:
 * pass `clientEnv()` as OpenRemoteOptions.env.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForListener } from './listener.js';
import { findSystemTool } from './system-tool.js';
import { removeTempFolder, tempFolder } from './temp-folders.js';

export interface SshdOptions {
  /** Make a throwaway user with a password (root only): password and keyboard-interactive logins. */
  withPasswordUser?: boolean;
  /** Methods sshd offers (AuthenticationMethods is left alone; these switch each on or off). */
  password?: boolean;
  keyboardInteractive?: boolean;
  /** Let a session forward TCP to another port (ProxyJump tests). */
  tcpForwarding?: boolean;
}

export interface PasswordUser {
  name: string;
  password: string;
  /** The user's home (owned by it): where its SFTP session starts. */
  home: string;
}

export interface Sshd {
  host: '127.0.0.1';
  port: number;
  /** The temporary folder of this server (config, keys, served folders). */
  dir: string;
  /** A folder the tests may fill and serve (absolute path, as SFTP sees it too). */
  root: string;
  /** The client's home: `.ssh/` in it is ~/.ssh for the code under test. */
  home: string;
  /** The user running the tests (logs in with clientKey). */
  user: string;
  /** Private key authorized for `user`, unencrypted ed25519. */
  clientKey: string;
  /** The server's host public key as `type base64`. */
  hostKeyLine: string;
  passwordUser?: PasswordUser;
  /** The environment to give openRemote: HOME is `home`, no agent unless `extra` has one. */
  clientEnv(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** `~/.ssh/known_hosts` of `home` holds this server's key (as ssh would have written it). */
  trustHostKey(): Promise<void>;
  /** Authorizes one more public key (a line of a .pub file) for `user`. */
  authorize(publicKeyLine: string): Promise<void>;
  /** Ends every session process of this sshd (a cut connection), leaving the listener. */
  cutSessions(): void;
  stop(): Promise<void>;
}

function keygen(file: string, type = 'ed25519', passphrase = ''): void {
  const made = spawnSync(findSystemTool('ssh-keygen')!, ['-q', '-t', type, '-N', passphrase, '-f', file, '-C', 'ferry-test']);
  if (made.status !== 0) throw new Error(`ssh-keygen failed: ${made.stderr.toString().trim()}`);
}

export { keygen as makeSshKey };

/** Child process ids of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/**
 * Runs a change of /etc/passwd, again after a pause while another process
 * (a test file running beside this one) holds its lock.
 */
function withPasswdLock(change: () => unknown): void {
  for (let attempt = 1; ; attempt++) {
    try {
      change();
      return;
    } catch (error) {
      if (attempt >= 20) throw error;
      spawnSync('sleep', ['0.25']);
    }
  }
}

function makePasswordUser(dir: string): PasswordUser | undefined {
  if (process.getuid?.() !== 0 || !findSystemTool('useradd') || !findSystemTool('chpasswd')) return undefined;
  const name = `ferry${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const home = path.join(dir, 'home-of-password-user');
  mkdirSync(home, { mode: 0o755 });
  withPasswdLock(() => execFileSync(findSystemTool('useradd')!, ['-M', '-d', home, '-s', '/bin/sh', name], { stdio: 'pipe' }));
  withPasswdLock(() => execFileSync(findSystemTool('chpasswd')!, [], { input: `${name}:${password}\n`, stdio: 'pipe' }));
  execFileSync('chown', [name, home]);
  return { name, password, home };
}

/** Kills the session processes (children) of the sshd listening as `pid`, which itself stays. */
function cutSessions(pid: number): void {
  for (const session of childrenOf(pid)) {
    try {
      process.kill(session, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  const sshd = findSystemTool('sshd');
  if (!sshd) throw new Error('sshd is not installed');
  const dir = await tempFolder('ferry-sshd-');
  // The folders above must be searchable by the throwaway user.
  await fs.chmod(dir, 0o755);
  const root = path.join(dir, 'root');
  const home = path.join(dir, 'client-home');
  await fs.mkdir(root, { mode: 0o755 });
  await fs.mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  const authorizedKeys = path.join(dir, 'authorized_keys');
  await fs.copyFile(path.join(dir, 'client_key.pub'), authorizedKeys);
  await fs.chmod(authorizedKeys, 0o644);
  // sshd insists on its privilege-separation folder; the system service normally creates it.
  if (!existsSync('/run/sshd') && process.getuid?.() === 0) mkdirSync('/run/sshd', { mode: 0o755 });

  let passwordUser: PasswordUser | undefined;
  if (options.withPasswordUser) passwordUser = makePasswordUser(dir);
  const port = await freePort();
  const config = path.join(dir, 'sshd_config');
  await fs.writeFile(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${path.join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${authorizedKeys}`, `PidFile ${path.join(dir, 'sshd.pid')}`,
    'PubkeyAuthentication yes',
    `PasswordAuthentication ${options.password ?? true ? 'yes' : 'no'}`,
    `KbdInteractiveAuthentication ${options.keyboardInteractive ?? true ? 'yes' : 'no'}`,
    'UsePAM yes', 'StrictModes no', 'PermitRootLogin yes', 'MaxAuthTries 12', 'LogLevel VERBOSE',
    `AllowTcpForwarding ${options.tcpForwarding ? 'yes' : 'no'}`, 'PrintMotd no', 'UseDNS no',
    'Subsystem sftp internal-sftp', '',
  ].join('\n'));
  const child = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-65_536);
  });
  try {
    await waitForListener(port, child, 'sshd', () => output);
  } catch (error) {
    child.kill('SIGKILL');
    if (passwordUser) spawnSync(findSystemTool('userdel')!, [passwordUser.name]);
    await removeTempFolder(dir);
    throw error;
  }
  const user = os.userInfo().username;
  const hostKeyLine = readFileSync(path.join(dir, 'host_key.pub'), 'utf8').split(' ').slice(0, 2).join(' ');
  return {
    host: '127.0.0.1', port, dir, root, home, user, clientKey: path.join(dir, 'client_key'), hostKeyLine,
    ...(passwordUser ? { passwordUser } : {}),
    clientEnv: (extra = {}) => {
      const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, USER: user, ...extra };
      if (!('SSH_AUTH_SOCK' in extra)) delete env.SSH_AUTH_SOCK;
      return env;
    },
    trustHostKey: () => fs.appendFile(path.join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${port} ${hostKeyLine}\n`),
    authorize: (line) => fs.appendFile(authorizedKeys, `${line.trim()}\n`),
    cutSessions: () => cutSessions(child.pid!),
    stop: async () => {
      cutSessions(child.pid!);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      if (passwordUser) withPasswdLock(() => execFileSync(findSystemTool('userdel')!, [passwordUser.name], { stdio: 'pipe' }));
      await removeTempFolder(dir);
    },
  };
}
