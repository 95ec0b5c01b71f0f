/**
 * Parsing of protocol paths (docs/PROTOCOL.md §7) into checked components.
 * Pure: no filesystem access. Resolution against the disk is in jail.ts.
 */
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { MAX_NAME_BYTES, MAX_PATH_BYTES } from '../../protocol/constants.js';
import { isTemporaryName } from '../../protocol/temp-names.js';

export interface PathLimits {
  maxPathLength: number;
  maxNameLength: number;
}

export const DEFAULT_PATH_LIMITS: PathLimits = { maxPathLength: MAX_PATH_BYTES, maxNameLength: MAX_NAME_BYTES };

/** U+0000–U+001F, U+007F and the backslash: never part of a valid name. */
function hasForbiddenCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code <= 0x1f || code === 0x7f || code === 0x5c) return true;
  }
  return false;
}

/**
 * Splits a protocol path into its components. A leading `/` is allowed (it
 * means the root); `''` and `/` are the root itself (no components). Empty
 * components, `.`, `..`, backslashes, control characters and the reserved
 * names of upload temporary files (`.NAME.ferry-part`) are INVALID_PATH.
 */
export function parseRemotePath(path: string, limits: PathLimits = DEFAULT_PATH_LIMITS): string[] {
  if (Buffer.byteLength(path, 'utf8') > limits.maxPathLength) {
    throw invalidPath(path, `longer than ${limits.maxPathLength} bytes`);
  }
  const body = path.startsWith('/') ? path.slice(1) : path;
  if (body === '') return [];
  const components = body.split('/');
  for (const name of components) {
    if (name === '') throw invalidPath(path, 'empty component');
    if (name === '.' || name === '..') throw invalidPath(path, `component ${JSON.stringify(name)}`);
    if (hasForbiddenCharacter(name)) throw invalidPath(path, 'control character or backslash');
    if (Buffer.byteLength(name, 'utf8') > limits.maxNameLength) {
      throw invalidPath(path, `a name is longer than ${limits.maxNameLength} bytes`);
    }
    // Upload temporary files belong to the server alone (docs/PROTOCOL.md §7).
    if (isTemporaryName(name)) throw invalidPath(path, `${JSON.stringify(shorten(name))} has the reserved form .NAME.ferry-part of upload temporary files`);
  }
  return components;
}

/**
 * Whether a name found on disk could be named in a request: a listing or a
 * tree walk shows only those (a name no request can reach would only make
 * clients refuse the whole listing). Upload temporary files are left out too.
 */
export function isAddressableName(name: string, limits: PathLimits = DEFAULT_PATH_LIMITS): boolean {
  return !hasForbiddenCharacter(name) && !isTemporaryName(name) && Buffer.byteLength(name, 'utf8') <= limits.maxNameLength;
}

/** The protocol form of components, for messages and logs. */
export function displayPath(components: readonly string[]): string {
  return components.length === 0 ? '/' : components.join('/');
}

export function invalidPath(path: string, why: string): FerryError {
  return new FerryError(ErrorCode.INVALID_PATH, `invalid path ${JSON.stringify(shorten(path))}: ${why}`);
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
