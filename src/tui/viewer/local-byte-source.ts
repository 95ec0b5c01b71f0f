/** A local file for the viewer: reads at a position, never the whole file. */
import { constants, promises as fs } from 'node:fs';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { localError } from '../fs/local-fs.js';
import type { ByteSource } from './byte-source.js';

export async function openLocalByteSource(file: string): Promise<ByteSource> {
  let handle: fs.FileHandle;
  let size: number;
  try {
    // Non-blocking: opening a FIFO for reading would wait for a writer; it is refused below instead.
    handle = await fs.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw localError(error, file);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FerryError(ErrorCode.UNSUPPORTED, `not a regular file: ${file}`);
    size = stats.size;
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error instanceof FerryError ? error : localError(error, file);
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
