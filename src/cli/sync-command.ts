/**
 * `ferry sync SRC DST` (docs/SYNC.md): makes DST like SRC, either side a
 * local folder or a remote URL of any kind (ferry://, ferrys://, sftp://,
 * ftp://, ftps://), whose session the caller opens as every command's.
 * Exit codes: 0 DST was already like SRC (nothing done); 3 DST was changed
 * (with --dry-run: would be changed); 1 an error; 2 a usage error.
 */
import path from 'node:path';
import type { Remote } from '../remote/remote.js';
import { isRemoteUrl, parseRemoteUrl, redactUrl } from '../remote/remote-url.js';
import { LocalPlace } from '../sync/local-place.js';
import type { SyncEntry, SyncPlace } from '../sync/place.js';
import { bytesToSend, type SyncPlan } from '../sync/plan.js';
import { RemotePlace } from '../sync/remote-place.js';
import { runSync } from '../sync/run-sync.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';
import type { ProgressBar } from './progress-bar.js';

/** Exit code of a sync that changed DST (or, dry, would). */
export const SYNC_CHANGED_EXIT = 3;

export interface SyncFlags {
  delete: boolean;
  dryRun: boolean;
  checksum: boolean;
  exclude: string[];
}

export interface SyncIo {
  stdout: NodeJS.WritableStream;
  /** Opens a session for a remote URL of any kind (as the other commands do, through openRemote), runs `work`, ends it. */
  withSession<T>(url: string, work: (remote: Remote) => Promise<T>): Promise<T>;
  progress(title: string): ProgressBar | undefined;
}

export async function syncCommand(source: string, target: string, flags: SyncFlags, io: SyncIo): Promise<number> {
  return withPlace(source, io, (sourcePlace) => withPlace(target, io, async (targetPlace) => {
    const bar = flags.dryRun ? undefined : io.progress('sync');
    let outcome;
    try {
      outcome = await runSync(sourcePlace, targetPlace, {
        exclude: flags.exclude, deleteExtra: flags.delete, checksum: flags.checksum, dryRun: flags.dryRun,
        onProgress: (p) => bar?.update(p.bytesDone, p.bytesTotal, `${p.filesDone}/${p.filesTotal} files`),
      });
    } finally {
      bar?.finish();
    }
    if (flags.dryRun) io.stdout.write(describePlan(outcome.plan));
    io.stdout.write(`${summary(outcome.plan, outcome.changed, flags.dryRun, outcome.bytes)}\n`);
    return outcome.changed ? SYNC_CHANGED_EXIT : 0;
  }));
}

/** A local folder, or a folder on a server through a session open for `work`. */
function withPlace<T>(arg: string, io: SyncIo, work: (place: SyncPlace) => Promise<T>): Promise<T> {
  if (!isRemoteUrl(arg)) return work(new LocalPlace(path.resolve(arg)));
  const url = parseRemoteUrl(arg);
  return io.withSession(arg, (remote) => work(new RemotePlace(remote, url.path, redactUrl(arg))));
}

/** The plan, one line per change: what, where, how many bytes. */
export function describePlan(plan: SyncPlan): string {
  const name = (entry: SyncEntry | string): string => escapeControlCharacters(typeof entry === 'string' ? entry : entry.path);
  const lines: string[] = [];
  for (const entry of plan.replace) lines.push(`delete  ${name(entry)}${entry.kind === 'folder' ? '/' : ''}  (in the way)`);
  for (const folder of plan.folders) lines.push(`mkdir   ${name(folder)}/`);
  for (const entry of plan.create) lines.push(`create  ${name(entry)}  ${entry.size} B`);
  for (const entry of plan.update) lines.push(`update  ${name(entry)}  ${entry.size} B`);
  for (const entry of plan.remove) lines.push(`delete  ${name(entry)}${entry.kind === 'folder' ? '/' : ''}`);
  for (const entry of plan.skipped) lines.push(`skip    ${name(entry)}  (symlink or special file)`);
  return lines.map((line) => `${line}\n`).join('');
}

function summary(plan: SyncPlan, changed: boolean, dryRun: boolean, bytes: number): string {
  if (!changed) return 'in sync';
  const deletions = plan.remove.length + plan.replace.length;
  if (dryRun) {
    return `dry run: ${plan.create.length} to create, ${plan.update.length} to update, ${deletions} to delete, `
      + `${plan.folders.length} folders to make, ${bytesToSend(plan)} B to send`;
  }
  return `synced: ${plan.create.length} created, ${plan.update.length} updated, ${deletions} deleted, `
    + `${plan.folders.length} folders made; ${bytes} B sent`;
}
