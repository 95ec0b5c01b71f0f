/**
 * Joining an entry's name to its folder. Names come from listings, and a
 * remote listing is the server's word: the client library already refuses
 * unsafe names (src/client/listed-names.ts), and the panes check again here
 * so no name can ever turn a join into another folder (defence in depth).
 */
import { ErrorCode, FerryError } from '../../protocol/errors.js';

/** Throws INVALID_PATH unless `name` is one path component: not empty, `.` or `..`, no separator, no NUL. */
export function checkedChildName(name: string, separators: readonly string[]): string {
  if (name === '' || name === '.' || name === '..' || name.includes('\0') || separators.some((separator) => name.includes(separator))) {
    throw new FerryError(ErrorCode.INVALID_PATH, `not a plain name: ${JSON.stringify(name)}`);
  }
  return name;
}
