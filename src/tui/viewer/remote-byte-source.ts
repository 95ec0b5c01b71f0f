/**
 * A remote file for the viewer. Bytes come from a read stream (DWLD with
 * credit granted only as bytes are taken, client/read-stream.ts) and are kept
 * in blocks, the most recently used up to a bound. A read behind the stream,
 * or of a block evicted since, opens a new stream at the nearest checkpoint
 * before it: the SHA-256 state of the file's bytes up to a block boundary,
 * kept as the stream passes, which is the prefix hash DWLD asks for past
 * offset 0. A read far ahead streams (and hashes) everything up to it: the
 * protocol has no other way to start there.
 */
import { createHash, type Hash } from 'node:crypto';
import type { RemoteReadStream } from '../../client/types.js';
import type { Remote } from '../../remote/remote.js';
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';
import type { ByteSource } from './byte-source.js';

export const BLOCK = 64 * 1024;
/** Blocks kept in memory: 16 MiB. */
const CACHED_BLOCKS = 256;
/** A checkpoint every 16 blocks (1 MiB): 2048 hash states for a 2 GiB file. */
const CHECKPOINT_EVERY = 16;
/** A stream this many blocks behind a wanted one is reopened at a checkpoint instead of read through. */
const REOPEN_AFTER = CHECKPOINT_EVERY * 2;

interface Stream {
  reader: RemoteReadStream;
  /** Index of the block the next bytes belong to. */
  nextBlock: number;
  /** SHA-256 state of every byte before `nextBlock`. */
  hash: Hash;
  /** Bytes of `nextBlock` received so far. */
  pending: Buffer[];
  pendingLength: number;
}

export async function openRemoteByteSource(client: Pick<Remote, 'openRead'>, remotePath: string): Promise<ByteSource> {
  const reader = await client.openRead(remotePath);
  return new RemoteByteSource(client, remotePath, reader);
}

class RemoteByteSource implements ByteSource {
  readonly size: number;
  fetched = 0;
  private readonly blocks = new Map<number, Buffer>();
  private readonly checkpoints = new Map<number, Hash>();
  private stream: Stream | undefined;
  private closed = false;
  /** Reads take turns: each may move the one stream. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly client: Pick<Remote, 'openRead'>, private readonly remotePath: string, first: RemoteReadStream) {
    this.size = first.size;
    this.checkpoints.set(0, createHash('sha256'));
    this.stream = { reader: first, nextBlock: 0, hash: createHash('sha256'), pending: [], pendingLength: 0 };
  }

  read(offset: number, length: number): Promise<Buffer> {
    const run = this.turn.then(() => this.readNow(offset, length));
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async readNow(offset: number, length: number): Promise<Buffer> {
    const end = Math.min(this.size, offset + length);
    if (offset >= end) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    for (let index = Math.floor(offset / BLOCK); index * BLOCK < end; index++) {
      const block = await this.block(index);
      const from = Math.max(0, offset - index * BLOCK);
      const to = Math.min(block.length, end - index * BLOCK);
      parts.push(block.subarray(from, to));
      if (block.length < BLOCK) break;
    }
    return Buffer.concat(parts);
  }

  private async block(index: number): Promise<Buffer> {
    const cached = this.blocks.get(index);
    if (cached) {
      // Most recently used last: the Map's order is the eviction order.
      this.blocks.delete(index);
      this.blocks.set(index, cached);
      return cached;
    }
    if (this.closed) throw new FerryError(ErrorCode.CANCELLED, 'the viewer is closed');
    const stream = this.stream;
    const checkpoint = this.nearestCheckpoint(index);
    if (stream && (stream.nextBlock > index || (index - stream.nextBlock > REOPEN_AFTER && checkpoint > stream.nextBlock))) {
      stream.reader.close();
      this.stream = undefined;
    }
    let restarted = false;
    for (;;) {
      const found = this.blocks.get(index);
      if (found) return found;
      if (!this.stream) await this.reopen(this.nearestCheckpoint(index));
      try {
        if (!(await this.advance())) throw new FerryError(ErrorCode.SIZE_MISMATCH, 'the file became shorter while it was viewed');
      } catch (error) {
        // A read left waiting longer than the server's stall timeout is ended by it (TIMEOUT): open it again once.
        if (restarted || !isFerryError(error, ErrorCode.TIMEOUT)) throw error;
        restarted = true;
        this.stream = undefined;
      }
    }
  }

  private nearestCheckpoint(index: number): number {
    let best = 0;
    for (const at of this.checkpoints.keys()) if (at <= index && at > best) best = at;
    return best;
  }

  private async reopen(blockIndex: number): Promise<void> {
    const state = this.checkpoints.get(blockIndex) ?? createHash('sha256');
    const offset = blockIndex * BLOCK;
    const reader = await this.client.openRead(this.remotePath, offset > 0 ? { offset, prefixHash: state.copy().digest() } : {});
    this.stream = { reader, nextBlock: blockIndex, hash: state.copy(), pending: [], pendingLength: 0 };
  }

  /** Takes the stream's next bytes, completing blocks as they fill; false when the file had ended already. */
  private async advance(): Promise<boolean> {
    const stream = this.stream;
    if (!stream) throw new Error('no stream');
    const data = await stream.reader.read();
    if (!data) {
      // The end of the file: what is pending is the last, short block.
      const pending = stream.pendingLength > 0;
      if (pending) this.completeBlock(stream);
      this.stream = undefined;
      return pending;
    }
    this.fetched += data.length;
    let chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    while (chunk.length > 0) {
      const room = BLOCK - stream.pendingLength;
      stream.pending.push(chunk.subarray(0, room));
      stream.pendingLength += Math.min(room, chunk.length);
      chunk = chunk.subarray(room);
      if (stream.pendingLength === BLOCK) this.completeBlock(stream);
    }
    return true;
  }

  private completeBlock(stream: Stream): void {
    const block = Buffer.concat(stream.pending, stream.pendingLength);
    stream.pending = [];
    stream.pendingLength = 0;
    stream.hash.update(block);
    this.blocks.set(stream.nextBlock, block);
    if (this.blocks.size > CACHED_BLOCKS) this.blocks.delete(this.blocks.keys().next().value as number);
    stream.nextBlock += 1;
    if (stream.nextBlock % CHECKPOINT_EVERY === 0 && !this.checkpoints.has(stream.nextBlock)) {
      this.checkpoints.set(stream.nextBlock, stream.hash.copy());
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.reader.close();
    this.stream = undefined;
  }
}
