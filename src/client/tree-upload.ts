/**
 * A tree upload in one request (TPUT, docs/PROTOCOL.md §6 "Tree upload"):
 * after the server's OPEN, every folder and file goes out back to back — FILE,
 * then a file's DATA and HASH — within one credit, then DONE. The server
 * checks each file, commits them in batches with one flush of its disk per
 * batch, and answers DONE once all are on disk.
 *
 * Small files are read synchronously (open, read, close take microseconds on
 * a local disk; the thread pool's round trip costs more than the file), large
 * ones a few chunks ahead on the thread pool.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Connection, RequestSlot } from '../connection/connection.js';
import { contentHashOf } from '../hashing/content-hash.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind, TPUT_OVERWRITE, type ServerMessage } from '../protocol/messages.js';
import { cancelledError, failError, protocolViolation } from './exchange.js';
import { closeQuietly, localError, newContentHash, openFd, readExactly } from './local-files.js';
import { ProgressThrottle } from './progress.js';
import { ReplyMailbox, SendCredit, sendWithinCredit } from './transfer-common.js';
import type { TreeProgress } from './types.js';
import type { LocalFileFacts } from './upload.js';
import type { RateLimit } from './rate-limit.js';

/** Files up to this size are read in one synchronous read. */
const READ_NOW_BYTES = 256 * 1024;
/** Chunks of a large file read ahead of the one being sent. */
const READ_AHEAD_CHUNKS = 3;

export interface TreeSendJob {
  localDir: string;
  remoteDir: string;
  overwrite: boolean;
  /** `/`-separated, parents before children. */
  folders: readonly string[];
  files: readonly { relative: string; facts: LocalFileFacts }[];
  chunkSize: number;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: TreeProgress) => void) | undefined;
  progressIntervalMs?: number | undefined;
  /** A bandwidth limit shared with other transfers. */
  rateLimit?: RateLimit | undefined;
}

export async function sendTree(connection: Connection, job: TreeSendJob): Promise<number> {
  if (job.signal?.aborted) throw cancelledError();
  const mailbox = new ReplyMailbox();
  const credit = new SendCredit();
  let ended = false;
  const lost = (error: FerryError): void => {
    mailbox.fail(error);
    credit.fail(error);
  };
  // The handler runs only after begin() resolves (the request's frames come after it is sent).
  const slot: RequestSlot = await connection.begin({
    onMessage(msg: ServerMessage) {
      if (msg.op === 'WIND') {
        credit.add(msg.increment);
        return;
      }
      if (msg.op === 'DONE' || msg.op === 'FAIL') {
        ended = true;
        slot.finish();
      }
      // A failure while we are sending stops the sending loop too.
      if (msg.op === 'FAIL') credit.fail(failError(msg));
      mailbox.push(msg);
    },
    onConnectionLost: lost,
  }, job.signal);
  const id = slot.id;
  connection.send({ op: 'TPUT', id, path: job.remoteDir, flags: job.overwrite ? TPUT_OVERWRITE : 0 });
  const onAbort = (): void => {
    if (!connection.closed && !ended) connection.send({ op: 'CANC', id });
    lost(cancelledError());
  };
  job.signal?.addEventListener('abort', onAbort, { once: true });

  const progress = new ProgressThrottle<TreeProgress>(job.onProgress, job.progressIntervalMs);
  const bytesTotal = job.files.reduce((sum, file) => sum + file.facts.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const snapshot = (current?: string): TreeProgress => ({
    filesDone, filesTotal: job.files.length, bytesDone, bytesTotal, ...(current !== undefined ? { current } : {}),
  });
  try {
    const open = await mailbox.next();
    if (open.op === 'FAIL') throw failError(open);
    if (open.op !== 'OPEN') throw protocolViolation(connection, `unexpected ${open.op} for a tree upload`);
    credit.add(open.window);

    for (const folder of job.folders) {
      connection.send({ op: 'FILE', id, entry: { name: folder, kind: EntryKind.DIRECTORY, size: 0, mtimeMs: 0, mode: 0 } });
    }
    const sendData = (offset: number, chunk: Buffer, relative: string): Promise<void> =>
      sendWithinCredit(connection, credit, id, offset, chunk, (bytes) => {
        bytesDone += bytes;
        progress.update(() => snapshot(relative));
      }, job);
    for (const { relative, facts } of job.files) {
      const local = path.join(job.localDir, ...relative.split('/'));
      connection.send({
        op: 'FILE', id, entry: { name: relative, kind: EntryKind.FILE, size: facts.size, mtimeMs: facts.mtimeMs, mode: facts.mode },
      });
      let digest: Buffer;
      if (facts.size <= READ_NOW_BYTES) {
        const content = readSmallFile(local, facts.size);
        digest = contentHashOf([content]);
        for (let at = 0; at < content.length; at += job.chunkSize) {
          await sendData(at, content.subarray(at, Math.min(content.length, at + job.chunkSize)), relative);
        }
      } else {
        const hash = newContentHash();
        await streamLargeFile(local, facts.size, job.chunkSize, async (offset, chunk) => {
          hash.update(chunk);
          await sendData(offset, chunk, relative);
        });
        digest = hash.digest();
      }
      connection.send({ op: 'HASH', id, hash: digest });
      filesDone++;
      progress.update(() => snapshot(relative));
      // Let the socket, WIND and a cancel in between files of a tree that is all small files.
      if (filesDone % 64 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    connection.send({ op: 'DONE', id });
    const final = await mailbox.next();
    if (final.op === 'FAIL') throw failError(final);
    if (final.op !== 'DONE') throw protocolViolation(connection, `unexpected ${final.op} at the end of a tree upload`);
    progress.flush(snapshot());
    return bytesDone;
  } catch (error) {
    // A local failure mid-tree: tell the server to stop (it commits what it has checked).
    if (!ended && !connection.closed && !job.signal?.aborted) connection.send({ op: 'CANC', id });
    throw error;
  } finally {
    job.signal?.removeEventListener('abort', onAbort);
  }
}

/** The first `size` bytes of a small file, read at once; a shorter file is SIZE_MISMATCH. */
function readSmallFile(file: string, size: number): Buffer {
  const content = Buffer.allocUnsafe(size);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    throw localError(error, file);
  }
  try {
    for (let filled = 0; filled < size;) {
      const n = fs.readSync(fd, content, filled, size - filled, filled);
      if (n === 0) throw new FerryError(ErrorCode.SIZE_MISMATCH, `${file} became shorter while being sent`);
      filled += n;
    }
    return content;
  } catch (error) {
    throw localError(error, file);
  } finally {
    fs.closeSync(fd);
  }
}

/** Reads a large file in chunks, a few ahead on the thread pool, and hands each to `send` in order. */
async function streamLargeFile(
  file: string, size: number, chunkSize: number, send: (offset: number, chunk: Buffer) => Promise<void>,
): Promise<void> {
  let fd: number;
  try {
    fd = await openFd(file, 'r');
  } catch (error) {
    throw localError(error, file);
  }
  const reads: Promise<Buffer>[] = [];
  try {
    let readFrom = 0;
    const fill = (): void => {
      while (reads.length < READ_AHEAD_CHUNKS && readFrom < size) {
        const length = Math.min(chunkSize, size - readFrom);
        const read = readExactly(fd, length, readFrom);
        read.catch(() => undefined);
        reads.push(read);
        readFrom += length;
      }
    };
    for (let offset = 0; offset < size;) {
      fill();
      const chunk = await reads.shift()!.catch((error: unknown) => {
        throw localError(error, file);
      });
      fill();
      await send(offset, chunk);
      offset += chunk.length;
    }
  } finally {
    // Reads still in flight must land before the descriptor closes (its number could be reused under them).
    await Promise.allSettled(reads);
    await closeQuietly(fd);
  }
}
