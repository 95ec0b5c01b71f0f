/**
 * The names of upload temporary files (docs/PROTOCOL.md §6 and §7). A server
 * writes an upload into `.<name>.ferry-part` beside its target and renames it
 * only once size and hash match. Every name of that form is reserved: a
 * server refuses it in any component of a request's path (INVALID_PATH) and
 * leaves it out of listings, so no client can read, replace, delete or rename
 * another upload's unfinished bytes, and the stale-file sweep can only ever
 * remove files the server itself made. Pure: names only, no disk.
 */

/** Suffix of an upload's temporary file `.<name>.ferry-part`. */
export const TEMP_SUFFIX = '.ferry-part';

const TEMP_NAME = /^\..*\.ferry-part$/s;

/** True for names of the reserved form `.<anything>.ferry-part`. */
export function isTemporaryName(name: string): boolean {
  return TEMP_NAME.test(name);
}
