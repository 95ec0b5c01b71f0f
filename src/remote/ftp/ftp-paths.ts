/**
 * Remote paths of an FTP session: absolute, `/`-separated, as the server
 * names them (`/` is the server's root; on an anonymous or chrooted login,
 * the folder the user is kept in). A path goes into an FTP command line as
 * is, so carriage returns and line feeds (which would end the command and
 * start another) and NULs are refused before anything is sent.
 */
import path from 'node:path';
import { ErrorCode, FerryError } from '../../protocol/errors.js';

export function ftpPath(remotePath: string): string {
  if (/[\r\n\0]/.test(remotePath)) {
    throw new FerryError(ErrorCode.INVALID_PATH, `an FTP path cannot hold line breaks or NUL: ${JSON.stringify(remotePath)}`);
  }
  const normal = path.posix.normalize(`/${remotePath}`);
  return normal.length > 1 && normal.endsWith('/') ? normal.slice(0, -1) : normal;
}

export function parentOf(remotePath: string): string {
  return path.posix.dirname(remotePath);
}

export function baseName(remotePath: string): string {
  return path.posix.basename(remotePath);
}

export function joinPath(folder: string, name: string): string {
  return path.posix.join(folder, name);
}

/** `.<name>.ferry-part` beside `remotePath`: where an upload lands until its size is checked. */
export function uploadPartialPath(remotePath: string): string {
  return joinPath(parentOf(remotePath), `.${baseName(remotePath)}.ferry-part`);
}
