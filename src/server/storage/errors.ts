/** Translation of Node's filesystem errors into the protocol's codes (docs/PROTOCOL.md §9). */
import { ErrorCode, FerryError } from '../../protocol/errors.js';

const CODES: Record<string, [number, string]> = {
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

/** A FerryError for `error`; FerryErrors pass through, unknown errors become INTERNAL. */
export function toFerryError(error: unknown, subject?: string): FerryError {
  if (error instanceof FerryError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code === undefined ? undefined : CODES[code];
  if (known) {
    return new FerryError(known[0], subject ? `${known[1]}: ${subject}` : known[1], { cause: error });
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new FerryError(ErrorCode.INTERNAL, subject ? `${detail} (${subject})` : detail, { cause: error });
}

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
