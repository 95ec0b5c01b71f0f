/** SHA-256 of bytes held whole, for the small files of transfers on both sides. */
import { createHash, hash } from 'node:crypto';

/**
 * The content hash of `pieces` in one call: for thousands of small files, a
 * hash object each costs more than the hashing.
 */
export function contentHashOf(pieces: readonly Buffer[]): Buffer {
  if (pieces.length === 1) return hash('sha256', pieces[0]!, 'buffer');
  const running = createHash('sha256');
  for (const piece of pieces) running.update(piece);
  return running.digest();
}
