/**
 * Large read buffers shared by all downloads. Reusing them keeps the garbage
 * collector and the allocator out of the transfer loop; keeping at most
 * `MAX_FREE` spare ones bounds the memory a burst of downloads leaves behind.
 */

/** Bytes read from disk per step of a download. */
export const CHUNK_BYTES = 512 * 1024;
const MAX_FREE = 32;

class BufferPool {
  private readonly free: Buffer[] = [];

  take(): Buffer {
    // Shared memory: the hash worker reads the same bytes without a copy.
    return this.free.pop() ?? Buffer.from(new SharedArrayBuffer(CHUNK_BYTES));
  }

  give(buffer: Buffer): void {
    if (buffer.length === CHUNK_BYTES && this.free.length < MAX_FREE) this.free.push(buffer);
  }
}

export const bufferPool = new BufferPool();
