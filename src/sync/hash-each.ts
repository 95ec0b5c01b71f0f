/**
 * Hashes a list of files a few at a time, in order of the list: the shared
 * loop of the places that hash content on this side (a local folder, and a
 * remote without server-side hashes, whose files are read to be hashed).
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';

export async function hashEach(
  paths: readonly string[],
  concurrency: number,
  hashOne: (path: string) => Promise<Buffer | undefined>,
  signal?: AbortSignal,
): Promise<(Buffer | undefined)[]> {
  const out: (Buffer | undefined)[] = new Array(paths.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < paths.length) {
      if (signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
      const at = next++;
      out[at] = await hashOne(paths[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return out;
}
