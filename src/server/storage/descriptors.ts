/** Closing the plain descriptors the jail opens. */
import { closeSync } from 'node:fs';

/** Closes a descriptor the jail opened; a failing close of a read-only or folder descriptor changes nothing. */
export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed or invalid: nothing to release.
  }
}
