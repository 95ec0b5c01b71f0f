/** Translation of Node's filesystem errors into the protocol's codes (docs/PROTOCOL.md §9). */
import { ferryErrorFromFs } from '../../protocol/fs-errors.js';

/** A FerryError for `error`; FerryErrors pass through, unknown errors become INTERNAL. */
export const toFerryError = ferryErrorFromFs;

export function errnoCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
