/**
 * Helpers for the FTP daemons the tests start in the foreground (vsftpd,
 * ProFTPD): system accounts, and ending a daemon with the sessions it forked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { waitForListener } from './listener.js';

/**
 * The anonymous FTP folders below the daemon's temporary folder `dir`: `root`
 * (the FTP root, 0755) and `root/pub`, owned by the `ftp` account, where
 * anonymous sessions may write. `dir` itself is made passable (0755): the
 * daemon's unprivileged session processes must pass through it.
 */
export async function anonymousFtpFolders(dir: string): Promise<{ root: string; pub: string }> {
  await fs.chmod(dir, 0o755);
  const root = path.join(dir, 'root');
  const pub = path.join(root, 'pub');
  await fs.mkdir(pub, { recursive: true });
  await fs.chmod(root, 0o755);
  const ftpUser = systemUser('ftp');
  await fs.chown(pub, ftpUser.uid, ftpUser.gid);
  await fs.chmod(pub, 0o755);
  return { root, pub };
}

/**
 * Starts `command args` in the foreground and waits until it accepts
 * connections on `port`; its stopping is added to `cleanups` first, so a
 * daemon that never listens is ended too. A daemon that exits says why with
 * the start of its output.
 */
export async function startDaemon(
  command: string, args: string[], port: number, name: string, cleanups: (() => Promise<void> | void)[],
): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer): void => {
    if (output.length < 4096) output += chunk.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  cleanups.push(() => stopDaemon(child));
  await waitForListener(port, child, name, () => output);
  return child;
}

/** A system account's ids, from /etc/passwd. */
export function systemUser(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((each) => each.startsWith(`${name}:`));
  if (!line) throw new Error(`no system user ${name}`);
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}


/** The processes whose parent chain leads to `pid` (an FTP daemon forks one or two per session). */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after its last ')' are fixed.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
    } catch {
      // The process ended meanwhile.
    }
  }
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const [child, itsParent] of parents) {
      if (itsParent === parent) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return found;
}

/** Kills every process below `pid`: the sessions of a daemon, cut from the server's side. */
export function killDescendants(pid: number): void {
  for (const each of descendantsOf(pid)) {
    try {
      process.kill(each, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

/** Ends a daemon started in the foreground and every session it forked. */
export async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  killDescendants(child.pid!);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
