/**
 * Node's filesystem errors (errno names) as protocol error codes, with a few
 * words a person can read. One table for every side: ferryd's storage, the
 * client's local files and the UI's local pane report the same failure alike.
 * Pure: it reads an error's `code`, it never touches the disk.
 */
import { ErrorCode, FerryError } from './errors.js';

const FS_ERRORS: Record<string, [number, string]> = {
  ENOENT: [ErrorCode.NOT_FOUND, 'no such file or folder'],
  EEXIST: [ErrorCode.EXISTS, 'already exists'],
  EACCES: [ErrorCode.PERMISSION, 'permission denied'],
  EPERM: [ErrorCode.PERMISSION, 'operation not permitted'],
  EROFS: [ErrorCode.PERMISSION, 'read-only file system'],
  ENOTDIR: [ErrorCode.NOT_A_DIRECTORY, 'not a folder'],
  EISDIR: [ErrorCode.IS_A_DIRECTORY, 'is a folder'],
  ENOSPC: [ErrorCode.NO_SPACE, 'no space left on the device'],
  EDQUOT: [ErrorCode.NO_SPACE, 'disk quota exceeded'],
  EFBIG: [ErrorCode.NO_SPACE, 'file too large for the file system'],
  ENOTEMPTY: [ErrorCode.NOT_EMPTY, 'folder not empty'],
  ENAMETOOLONG: [ErrorCode.INVALID_PATH, 'name too long for the file system'],
  ELOOP: [ErrorCode.INVALID_PATH, 'too many levels of symbolic links'],
  EINVAL: [ErrorCode.INVALID_PATH, 'invalid argument (a folder moved into itself?)'],
  EXDEV: [ErrorCode.UNSUPPORTED, 'cannot move across file systems'],
  EBUSY: [ErrorCode.BUSY, 'resource busy'],
  EMFILE: [ErrorCode.BUSY, 'too many open files'],
  ENFILE: [ErrorCode.BUSY, 'too many open files'],
};

/**
 * A FerryError for a filesystem failure about `subject` (a path): FerryErrors
 * pass through, known errno names get their code and words, anything else is
 * INTERNAL with the original message.
 */
export function ferryErrorFromFs(error: unknown, subject?: string): FerryError {
  if (error instanceof FerryError) return error;
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = errno === undefined ? undefined : FS_ERRORS[errno];
  if (known) {
    return new FerryError(known[0], subject ? `${known[1]}: ${subject}` : known[1], { cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new FerryError(ErrorCode.INTERNAL, subject ? `${detail} (${subject})` : detail, { cause: error });
}
