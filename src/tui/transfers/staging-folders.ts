/**
 * The private folders where copies between two servers are staged
 * (transfer-queue.ts) carry the process id of the ferry that made them:
 * `ferry-relay-<pid>-XXXXXX`. A ferry that ends normally removes its own; one
 * killed outright (SIGKILL, a crash) cannot, and the next ferry to start
 * removes what it left — only folders of this user whose ferry is no longer
 * running, so a second ferry running beside it keeps its own.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

const STAGED = /^ferry-relay-(\d+)-[A-Za-z0-9]{6}$/;

/** The mkdtemp prefix of this process's staging folders. */
export function stagingPrefix(pid: number = process.pid): string {
  return `ferry-relay-${pid}-`;
}

/** Removes the staging folders under `root` that a ferry no longer running left behind; how many. Never throws. */
export async function removeAbandonedStaging(root: string): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(root);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    const pid = Number(STAGED.exec(name)?.[1] ?? Number.NaN);
    if (!Number.isSafeInteger(pid) || pid === process.pid || isRunning(pid)) continue;
    const folder = path.join(root, name);
    const stats = await fs.lstat(folder).catch(() => undefined);
    if (!stats?.isDirectory() || stats.uid !== process.getuid?.()) continue;
    await fs.rm(folder, { recursive: true, force: true }).then(() => removed++, () => undefined);
  }
  return removed;
}

/** Whether a process with this id runs (one of another user's still counts: EPERM). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
