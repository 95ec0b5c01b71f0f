/**
 * Runs one async step per item, at most `concurrency` at once, taking the
 * items in order, and answers in the items' order: the shared loop of
 * whatever asks something of many files a few at a time (a sync hashing
 * local files or reading a remote's, an FTP session asking MDTM over its
 * pool of connections).
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';

export async function mapConcurrently<T, R>(
  items: readonly T[],
  concurrency: number,
  step: (item: T) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      if (signal?.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
      const at = next++;
      out[at] = await step(items[at]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}
