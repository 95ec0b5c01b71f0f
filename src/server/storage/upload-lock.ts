/**
 * The lock that makes an upload's temporary file one writer's, across every
 * ferryd serving the same folder (docs/SECURITY.md, "Upload temporary files").
 *
 * Beside `.<name>.ferry-part` lies, while an upload writes it, the lock
 * `.<name>\lock.ferry-part`: a symlink whose target text names its holder
 * (`ferryd <host> <pid> <process start> <serial>`). symlink(2) creates it
 * exclusively (EEXIST when it exists) and readlink(2) reads it whole, so no
 * holder ever sees a half-written lock and no second instance takes a held
 * one. The backslash keeps the name out of every request (no protocol name
 * contains one, so no other target's temporary file can be named so) while it
 * keeps the reserved form `.<anything>.ferry-part` that listings hide and only
 * the sweep removes.
 *
 * A lock outlives a crashed holder; it is stale, and broken by the next
 * upload to the name, when its holder is gone: same host, and no process with
 * that pid and start time. A lock made by this uid only counts: one planted
 * by another user is removed as stale. A lock from another host (a shared
 * network folder) cannot be checked and counts as held until the sweep finds
 * it older than its age limit.
 */
import { lstatSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, type Stats } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { TEMP_SUFFIX } from '../../protocol/temp-names.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { errnoCode, toFerryError } from './errors.js';

const NAME_MAX_ON_DISK = 255;
const LOCK_MARK = '\\lock';
const LOCK_SUFFIX = `${LOCK_MARK}${TEMP_SUFFIX}`;

/**
 * The lock's name for the temporary file `temp` (a name in the same folder):
 * `.<name>\lock.ferry-part`, or `.<digest of temp>\digest\lock.ferry-part` when
 * that is too long: a form no other lock name takes, as a plain one has no
 * second backslash and a digest-named temporary file's lock ends in
 * `\long\lock.ferry-part` (upload-temporary-files.ts, tempName).
 */
export function lockNameFor(temp: string): string {
  const plain = `${temp.slice(0, -TEMP_SUFFIX.length)}${LOCK_SUFFIX}`;
  if (Buffer.byteLength(plain, 'utf8') <= NAME_MAX_ON_DISK) return plain;
  return `.${createHash('sha256').update(temp).digest('hex').slice(0, 40)}\\digest${LOCK_SUFFIX}`;
}

export function isLockName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(LOCK_SUFFIX);
}

const HOST = os.hostname().replace(/\s/g, '_');

/** The start time of process `pid` in clock ticks since boot (field 22 of /proc/PID/stat), or '' without /proc. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
  } catch (error) {
    return errnoCode(error) === 'ENOENT' ? undefined : '';
  }
}

const OWN_START = processStart(process.pid) ?? '';
let serial = 0;

/** Whether the process that wrote `holder` may still be running (it is, for all this process can tell). */
function holderAlive(holder: string, stats: Stats, maxForeignAgeMs: number): boolean {
  const [mark, host, pidText, start] = holder.split(' ');
  const pid = Number(pidText);
  if (mark !== 'ferryd' || !Number.isSafeInteger(pid) || pid <= 0) return false;
  if (host !== HOST) return Date.now() - stats.mtimeMs < maxForeignAgeMs;
  if (pid === process.pid) return start === OWN_START;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (errnoCode(error) === 'ESRCH') return false;
  }
  const now = processStart(pid);
  if (now === undefined) return false;
  return now === '' || start === '' || now === start;
}

/** Same host, foreign holders: counted as held for this long by an upload (the sweep has its own limit). */
const FOREIGN_LOCK_HELD_MS = 24 * 60 * 60 * 1000;

/**
 * The holder of the lock at `lockPath` if one is alive, undefined when there
 * is no lock or it is stale. A stale lock is left in place.
 */
export function liveHolder(lockPath: string, maxForeignAgeMs = FOREIGN_LOCK_HELD_MS): string | undefined {
  let stats: Stats | undefined;
  let holder: string;
  try {
    stats = lstatSync(lockPath, { throwIfNoEntry: false });
    if (!stats) return undefined;
    if (!stats.isSymbolicLink() || stats.uid !== process.geteuid?.()) return undefined;
    holder = readlinkSync(lockPath);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  return holderAlive(holder, stats, maxForeignAgeMs) ? holder : undefined;
}

/** A held lock; `release` removes it if it is still this holder's. */
export interface UploadLock {
  /** The lock's text: what releaseLock compares before removing it. */
  readonly holder: string;
  release(): void;
}

/**
 * Takes the lock at `lockPath` (reached through the upload's checked folder):
 * BUSY when another live upload, in this process or another, holds it; a
 * stale one is broken. `subject` names the target in messages.
 */
export function takeUploadLock(lockPath: string, subject: string): UploadLock {
  const holder = `ferryd ${HOST} ${process.pid} ${OWN_START} ${++serial}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      symlinkSync(holder, lockPath);
      return { holder, release: () => releaseLock(lockPath, holder) };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw toFerryError(error, subject);
    }
    let stale: string;
    try {
      if (liveHolder(lockPath) !== undefined) break;
      stale = readlinkSync(lockPath);
      // Read again just before the unlink: a lock another instance took meanwhile is not removed.
      if (readlinkSync(lockPath) === stale) unlinkSync(lockPath);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'EINVAL') {
        // Gone meanwhile, or not a symlink (EINVAL: planted as a file by someone else): removed and tried again.
        if (errnoCode(error) === 'EINVAL') unlinkQuietly(lockPath);
        continue;
      }
      throw toFerryError(error, subject);
    }
  }
  throw new FerryError(ErrorCode.BUSY, `another upload is writing ${subject}`);
}

/** Removes the lock at `lockPath` if `holder` still holds it. */
export function releaseLock(lockPath: string, holder: string): void {
  try {
    if (readlinkSync(lockPath) === holder) unlinkSync(lockPath);
  } catch {
    // Gone already (or its folder): nothing is held.
  }
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}
