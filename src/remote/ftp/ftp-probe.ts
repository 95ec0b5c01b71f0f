/**
 * What is at a remote path, asked with the cheapest commands FTP has: SIZE
 * answers for files, CWD for folders, and only when both refuse is the
 * parent listed to tell "not there" from "there but not for you". Used to
 * turn an ambiguous 550 into the right error code and to check targets
 * before a transfer without listing whole folders.
 */
import type { Client, FileInfo } from 'basic-ftp';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { ferryErrorFromFtp } from './ftp-errors.js';
import { baseName, parentOf } from './ftp-paths.js';

export type PathKind =
  | { kind: 'file'; size: number }
  | { kind: 'directory' }
  /** Listed in its folder but neither SIZE nor CWD works on it for this user. */
  | { kind: 'unreachable' }
  | { kind: 'missing' };

/**
 * What is at `remotePath`. With `listParent: false` a path neither SIZE nor
 * CWD works on is reported missing without listing its folder: for checks
 * where "there but not for you" fails soon enough anyway (a STOR refused),
 * and a listing per file would cost a whole folder's LIST each time.
 */
export async function probePath(client: Client, remotePath: string, options: { listParent?: boolean } = {}): Promise<PathKind> {
  if (remotePath === '/') return { kind: 'directory' };
  const size = await client.sendIgnoringError(`SIZE ${remotePath}`);
  if (size.code === 213) {
    const value = Number(size.message.slice(4).trim());
    if (Number.isSafeInteger(value) && value >= 0) return { kind: 'file', size: value };
  }
  const cwd = await client.sendIgnoringError(`CWD ${remotePath}`);
  if (cwd.code >= 200 && cwd.code < 300) return { kind: 'directory' };
  if (options.listParent === false) return { kind: 'missing' };
  const listed = await listFolderIfPossible(client, parentOf(remotePath));
  return listed?.some((info) => info.name === baseName(remotePath)) ? { kind: 'unreachable' } : { kind: 'missing' };
}

/** The folder's listing, or undefined when the folder cannot be entered. */
export async function listFolderIfPossible(client: Client, folder: string): Promise<FileInfo[] | undefined> {
  const cwd = await client.sendIgnoringError(`CWD ${folder}`);
  if (cwd.code >= 300) return undefined;
  return client.list();
}

/** The folder's listing (all names, dot files included); NOT_FOUND / NOT_A_DIRECTORY / PERMISSION when it cannot be listed. */
export async function listFolder(client: Client, folder: string): Promise<FileInfo[]> {
  const cwd = await client.sendIgnoringError(`CWD ${folder}`);
  if (cwd.code >= 300) {
    const what = await probePath(client, folder);
    switch (what.kind) {
      case 'missing':
        throw new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${folder}`);
      case 'file':
        throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${folder}`);
      default:
        throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${folder}`);
    }
  }
  try {
    return await client.list();
  } catch (error) {
    throw ferryErrorFromFtp(error, `listing ${folder}`);
  }
}
