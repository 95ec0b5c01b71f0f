/**
 * Uploading one file (docs/PROTOCOL.md §6, "Upload"). The file is read with
 * positional reads one chunk ahead of the socket, each chunk hashed and sent
 * as one DATA frame ([header, content] gathered, never copied) within the
 * credit the server grants. With `resume`, the server's temporary file is
 * continued when its prefix hash matches ours; otherwise it is cancelled and
 * the upload starts again from 0.
 */
import type { RequestSlot } from '../connection/connection.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { UPLD_OVERWRITE, UPLD_RESUME } from '../protocol/messages.js';
import type { TransferResult } from './types.js';
import { cancelledError, failError, protocolViolation } from './exchange.js';
import {
  closeQuietly, fstatFd, hashPrefix, localError, newContentHash, openFd, readExactly, wireTime,
} from './local-files.js';
import {
  ReplyMailbox, sameBytes, SendCredit, sendWithinCredit, type FileTransferJob, type TransferContext,
} from './transfer-common.js';

/** Chunks read ahead of the one being sent (memory: this many chunks, about 1 MiB each). */
const READ_AHEAD_CHUNKS = 3;

/** What the server is told about the file; from an earlier stat when the caller has one. */
export interface LocalFileFacts {
  size: number;
  mtimeMs: number;
  mode: number;
}

export interface UploadJob extends FileTransferJob {
  localPath: string;
  remotePath: string;
  facts?: LocalFileFacts;
}

export async function uploadFile(context: TransferContext, job: UploadJob): Promise<TransferResult> {
  const started = performance.now();
  if (job.signal?.aborted) throw cancelledError();
  let fd: number;
  try {
    fd = await openFd(job.localPath, 'r');
  } catch (error) {
    throw localError(error, job.localPath);
  }
  try {
    let facts = job.facts;
    if (!facts) {
      const stats = await fstatFd(fd).catch((error: unknown) => {
        throw localError(error, job.localPath);
      });
      if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${job.localPath} is a folder`);
      if (!stats.isFile()) throw new FerryError(ErrorCode.UNSUPPORTED, `${job.localPath} is not a regular file`);
      facts = { size: stats.size, mtimeMs: wireTime(stats.mtimeMs), mode: stats.mode & 0o7777 };
    }
    const first = await uploadAttempt(context, job, fd, facts, job.resume);
    const result = first === 'restart' ? await uploadAttempt(context, job, fd, facts, false) : first;
    if (result === 'restart') throw new FerryError(ErrorCode.INTERNAL, 'upload restarted twice');
    return { ...result, durationMs: performance.now() - started };
  } finally {
    await closeQuietly(fd);
  }
}

async function uploadAttempt(
  context: TransferContext, job: UploadJob, fd: number, facts: LocalFileFacts, resume: boolean,
): Promise<Omit<TransferResult, 'durationMs'> | 'restart'> {
  const { connection } = context;
  const mailbox = new ReplyMailbox();
  const credit = new SendCredit();
  const opened: { slot?: RequestSlot } = {};
  /** Whether the request's final frame (DONE, FAIL) has arrived: after it, the id is no longer ours to cancel. */
  let ended = false;
  const lost = (error: FerryError): void => {
    mailbox.fail(error);
    credit.fail(error);
  };
  const slot = await connection.begin({
    onMessage(msg) {
      if (msg.op === 'WIND') {
        credit.add(msg.increment);
        return;
      }
      if (msg.op === 'DONE' || msg.op === 'FAIL') {
        ended = true;
        opened.slot?.finish();
      }
      // A failure while we are sending stops the sending loop too.
      if (msg.op === 'FAIL') credit.fail(failError(msg));
      mailbox.push(msg);
    },
    onConnectionLost: lost,
  }, job.signal);
  opened.slot = slot;
  const id = slot.id;

  // Read the first chunk while the request crosses the wire: a small file is then sent the moment OPEN arrives.
  const chunkSize = Math.max(1, context.chunkSize);
  let prefetched: Promise<Buffer> | undefined = facts.size > 0 && !resume
    ? readAhead(fd, Math.min(chunkSize, facts.size), 0) : undefined;

  connection.send({
    op: 'UPLD', id, path: job.remotePath, size: facts.size, mtimeMs: facts.mtimeMs, mode: facts.mode,
    flags: (job.overwrite ? UPLD_OVERWRITE : 0) | (resume ? UPLD_RESUME : 0),
  });
  const onAbort = (): void => {
    if (!connection.closed && !ended) connection.send({ op: 'CANC', id });
    lost(cancelledError());
  };
  job.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const open = await mailbox.next();
    if (open.op === 'FAIL') throw failError(open);
    if (open.op !== 'OPEN' || open.offset > facts.size) throw protocolViolation(connection, `unexpected ${open.op} for an upload`);

    const hash = newContentHash();
    if (open.offset > 0) {
      const ours = await hashPrefix(fd, open.offset, hash).catch((error: unknown) => {
        throw localError(error, job.localPath);
      });
      if (!sameBytes(ours, open.prefixHash)) {
        // The server's partial file is not a prefix of ours: drop it and start over without resume.
        connection.send({ op: 'CANC', id });
        await drainToFinal(mailbox);
        return 'restart';
      }
    }
    if (open.offset !== 0) prefetched = undefined;
    credit.add(open.window);
    job.report?.(open.offset, facts.size);

    // Reads run a few chunks ahead on the thread pool, so the disk never waits for the socket or the hash.
    const reads: Promise<Buffer>[] = [];
    let readFrom = open.offset;
    if (prefetched) {
      reads.push(prefetched);
      readFrom = Math.min(chunkSize, facts.size);
    }
    const fillReads = (): void => {
      while (reads.length < READ_AHEAD_CHUNKS && readFrom < facts.size) {
        const length = Math.min(chunkSize, facts.size - readFrom);
        reads.push(readAhead(fd, length, readFrom));
        readFrom += length;
      }
    };
    let offset = open.offset;
    while (offset < facts.size) {
      fillReads();
      const chunk = await reads.shift()!.catch((error: unknown) => {
        throw localError(error, job.localPath);
      });
      fillReads();
      hash.update(chunk);
      let sent = offset;
      await sendWithinCredit(connection, credit, id, offset, chunk, (bytes) => {
        sent += bytes;
        job.report?.(sent, facts.size);
      }, job);
      offset += chunk.length;
    }
    connection.send({ op: 'HASH', id, hash: hash.digest() });
    const final = await mailbox.next();
    if (final.op === 'FAIL') throw failError(final);
    if (final.op !== 'DONE') throw protocolViolation(connection, `unexpected ${final.op} after an upload's HASH`);
    job.report?.(facts.size, facts.size);
    return { bytes: facts.size - open.offset, size: facts.size, resumedFrom: open.offset };
  } catch (error) {
    // A local failure mid-transfer: tell the server to drop the request (a cancel has already said so).
    if (!ended && !connection.closed && !job.signal?.aborted) connection.send({ op: 'CANC', id });
    throw error;
  } finally {
    job.signal?.removeEventListener('abort', onAbort);
  }
}

/** A read started ahead of need; marked handled so an abandoned one never becomes an unhandled rejection. */
function readAhead(fd: number, length: number, position: number): Promise<Buffer> {
  const read = readExactly(fd, length, position);
  read.catch(() => undefined);
  return read;
}

async function drainToFinal(mailbox: ReplyMailbox): Promise<void> {
  for (;;) {
    const msg = await mailbox.next();
    if (msg.op === 'DONE' || msg.op === 'FAIL') return;
  }
}
