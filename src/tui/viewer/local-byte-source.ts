/** A local file for the viewer: reads at a position, never the whole file. */
import { promises as fs } from 'node:fs';
import { localError } from '../fs/local-fs.js';
import type { ByteSource } from './byte-source.js';

export async function openLocalByteSource(file: string): Promise<ByteSource> {
  let handle: fs.FileHandle;
  let size: number;
  try {
    handle = await fs.open(file, 'r');
    size = (await handle.stat()).size;
  } catch (error) {
    throw localError(error, file);
  }
  let fetched = 0;
  let closed = false;
  return {
    size,
    get fetched() {
      return fetched;
    },
    async read(offset, length) {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const buffer = Buffer.alloc(wanted);
      let filled = 0;
      try {
        while (filled < wanted) {
          const { bytesRead } = await handle.read(buffer, filled, wanted - filled, offset + filled);
          if (bytesRead === 0) break;
          filled += bytesRead;
        }
      } catch (error) {
        throw localError(error, file);
      }
      fetched += filled;
      return buffer.subarray(0, filled);
    },
    close() {
      if (closed) return;
      closed = true;
      void handle.close().catch(() => undefined);
    },
  };
}
