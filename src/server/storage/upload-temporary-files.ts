/**
 * Upload temporary files: where an upload's bytes go until they are checked
 * (`.<name>.ferry-part` beside the target, docs/PROTOCOL.md §6), and how one
 * is made or taken up again. A new one is created exclusively under the
 * upload's lock; an existing one is continued only if this server made it
 * (docs/SECURITY.md, "An upload writes only into a temporary file it made
 * itself").
 */
import { constants as fsConstants, fstatSync, ftruncateSync, lstatSync, openSync, read as readFd, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { TEMP_SUFFIX } from '../../protocol/temp-names.js';
import { closeQuietly } from './descriptors.js';
import { errnoCode, toFerryError } from './errors.js';
import type { Jail } from './jail.js';
import { displayPath } from './paths.js';
import { HASH_CHUNK } from './readable-file.js';
import { UploadFile, type UploadPlan } from './upload-file.js';
import { lockNameFor, takeUploadLock, type UploadLock } from './upload-lock.js';

const { O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = fsConstants;

const NAME_MAX_ON_DISK = 255;

/**
 * The umask, read once: it decides whether a file created with a client's
 * permission bits already has them. (process.umask() without an argument
 * only reads it; it is discouraged because setting it races other threads.)
 */
const PROCESS_UMASK = process.umask();

const EMPTY_PREFIX_HASH = Buffer.alloc(0);

/**
 * Checks an upload's target before anything is written: its folder exists
 * inside the root, it is not a folder, and it exists only if `overwrite`.
 * `key` identifies the target across sessions (for the one-upload-per-path rule).
 */
export function planUpload(jail: Jail, components: readonly string[], overwrite: boolean): UploadPlan {
  const subject = displayPath(components);
  if (components.length === 0) throw new FerryError(ErrorCode.IS_A_DIRECTORY, 'the root is a folder');
  const folder = jail.openFolder(components.slice(0, -1));
  const name = components[components.length - 1]!;
  const target = path.join(folder.path, name);
  try {
    checkUploadTarget(target, overwrite, subject);
  } catch (error) {
    void folder.close();
    throw error;
  }
  const realFolder = folder.real || jail.resolveFollowing(components.slice(0, -1));
  return {
    key: path.join(realFolder, name),
    target,
    temp: path.join(folder.path, tempName(name)),
    lock: path.join(folder.path, lockNameFor(tempName(name))),
    tempReal: path.join(realFolder, tempName(name)),
    components: [...components],
    close: () => folder.close(),
  };
}

/** An upload's target (reached through its checked folder) must not be a folder, nor exist without `overwrite`. */
export function checkUploadTarget(target: string, overwrite: boolean, subject: string): void {
  let stats: Stats | undefined;
  try {
    stats = lstatSync(target, { throwIfNoEntry: false });
  } catch (error) {
    throw toFerryError(error, subject);
  }
  if (!stats) return;
  if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `is a folder: ${subject}`);
  if (!overwrite) throw new FerryError(ErrorCode.EXISTS, `already exists: ${subject}`);
}

/**
 * Opens the upload's temporary file under its lock (BUSY while another
 * upload, of this or another ferryd on the same folder, holds it). With
 * `resume` and a temporary file this server made, continues it: offset = its
 * length capped at `size` (longer files are cut), and `hash` has already
 * consumed those bytes. Otherwise starts a new, empty one.
 */
export async function openUpload(plan: UploadPlan, size: number, resume: boolean): Promise<UploadFile> {
  const subject = displayPath(plan.components);
  const lock = takeUploadLock(plan.lock, subject);
  try {
    const fd = resume ? openOwnTemporaryFile(plan.temp, subject) : undefined;
    if (fd === undefined) return createUploadFile(plan, 0, lock);
    try {
      const stats = fstatSync(fd);
      const offset = Math.min(stats.size, size);
      if (stats.size > size) ftruncateSync(fd, size);
      const hash = createHash('sha256');
      await hashRange(fd, offset, hash);
      const prefixHash = offset > 0 ? hash.copy().digest() : Buffer.alloc(0);
      return new UploadFile(fd, plan, lock, offset, prefixHash, hash);
    } catch (error) {
      closeQuietly(fd);
      throw toFerryError(error, subject);
    }
  } catch (error) {
    lock.release();
    throw error;
  }
}

/**
 * A new, empty temporary file for `plan`, created exclusively (O_EXCL)
 * under the upload's lock (taken here unless `held`): whatever lay under the
 * name before is unlinked, never opened, so a hard link or symlink planted
 * there is never written through.
 */
export function createUploadFile(plan: UploadPlan, mode = 0, held?: UploadLock): UploadFile {
  const subject = displayPath(plan.components);
  const lock = held ?? takeUploadLock(plan.lock, subject);
  let fd: number | undefined;
  // Created with the permission bits it will have, when the umask keeps them all: no fchmod later.
  const bits = mode & 0o777;
  const createdWith = bits !== 0 && (bits & PROCESS_UMASK) === 0 ? bits : 0;
  try {
    for (let attempt = 0; fd === undefined; attempt++) {
      try {
        // Through the plan's checked folder descriptor: the file is in that folder, inside the root,
        // whatever happens to paths meanwhile, so its descriptor needs no second check.
        fd = openSync(plan.temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, createdWith || 0o666);
      } catch (error) {
        // A leftover (an abandoned upload, or something planted): its name goes, the file itself is not touched.
        if (errnoCode(error) !== 'EEXIST' || attempt > 0) throw error;
        unlinkSync(plan.temp);
      }
    }
  } catch (error) {
    if (!held) lock.release();
    throw toFerryError(error, subject);
  }
  return new UploadFile(fd, plan, lock, 0, EMPTY_PREFIX_HASH, undefined, createdWith);
}


/** Marks a temporary name made from a digest (see tempName). */
const LONG_NAME_MARK = '\\long';

/**
 * `.<name>.ferry-part`, or `.<digest of the name>\long.ferry-part` when that
 * would exceed the file system's name limit. The backslash, which no name in
 * a request can contain, keeps the two forms apart: without it, a file named
 * like a long name's digest would share that name's temporary file, and its
 * uploads would resume (and disclose the hash of) or remove the other's bytes.
 */
export function tempName(name: string): string {
  const plain = `.${name}${TEMP_SUFFIX}`;
  if (Buffer.byteLength(plain, 'utf8') <= NAME_MAX_ON_DISK) return plain;
  return `.${createHash('sha256').update(name).digest('hex').slice(0, 40)}${LONG_NAME_MARK}${TEMP_SUFFIX}`;
}

/**
 * Opens an upload's existing temporary file for a resume if this server made
 * it: a regular file (O_NOFOLLOW: not a symlink; O_NONBLOCK: a FIFO does not
 * hang the open), owned by this process's user, with no second link. A hard
 * link planted under the name has two or more, so it is never written
 * through, nor its size and hash disclosed. Undefined when there is none or
 * it fails the checks (the caller then starts a new one).
 */
function openOwnTemporaryFile(temp: string, subject: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(temp, O_RDWR | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'EISDIR' || code === 'ENXIO') return undefined;
    throw toFerryError(error, subject);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isFile() && stats.nlink === 1 && stats.uid === process.geteuid?.()) return fd;
  } catch (error) {
    closeQuietly(fd);
    throw toFerryError(error, subject);
  }
  closeQuietly(fd);
  return undefined;
}

async function hashRange(fd: number, length: number, hash: Hash): Promise<void> {
  if (length === 0) return;
  const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, length));
  let position = 0;
  while (position < length) {
    const want = Math.min(buffer.length, length - position);
    const bytesRead = await new Promise<number>((resolve, reject) => {
      readFd(fd, buffer, 0, want, position, (error, n) => (error ? reject(error) : resolve(n)));
    });
    if (bytesRead === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, 'the file is shorter than expected');
    hash.update(buffer.subarray(0, bytesRead));
    position += bytesRead;
  }
}
