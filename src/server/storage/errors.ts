/** Translation of Node's filesystem errors into the protocol's codes (docs/PROTOCOL.md §9). */
import { FerryError } from '../../protocol/errors.js';
import { ferryErrorFromFs } from '../../protocol/fs-errors.js';

/** A FerryError for `error`; FerryErrors pass through, unknown errors become INTERNAL. */
export const toFerryError = ferryErrorFromFs;

/** The errno name of a file-system error, also of one already made a FerryError (its cause). */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string') return code;
  return error instanceof FerryError ? errnoCode(error.cause) : undefined;
}
