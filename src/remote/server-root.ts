/**
 * The one path no remove may name: a server's root folder. Over SFTP (and FTP
 * without a chroot) a login sees the server's whole file system, so `rm -r`
 * of `/` as a privileged user would delete the machine; over Ferry the root is
 * the shared folder itself. Removing it is never what a file-transfer tool is
 * for: the user names the folders below it instead.
 */
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';

export function isServerRoot(remotePath: string): boolean {
  return remotePath.startsWith('/') && path.posix.normalize(remotePath).replace(/\/+$/, '') === '';
}

/** Throws PERMISSION when `remotePath` is the server's root folder. */
export function refuseServerRoot(remotePath: string): void {
  if (isServerRoot(remotePath)) {
    throw new FerryError(ErrorCode.PERMISSION, 'the root folder of a server is never removed: name the folders below it');
  }
}
