/**
 * Downloading one file over FTP: SIZE and MDTM, then RETR (after REST when
 * resuming) into `.<name>.ferry-part` beside the target, the same temporary
 * file as the Ferry kind's. The file is renamed into place only when the
 * bytes written equal the size the server stated; an interrupted or
 * cancelled download keeps its temporary file for `resume`, which continues
 * after its last byte. FTP has no way to check that those bytes still match
 * the server's (no prefix hash), so a temporary file longer than the remote
 * file starts over, as curl -C and lftp do.
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import type { Client } from 'basic-ftp';
import { checkTarget } from '../../client/download.js';
import { localError, openFd, partialPathFor, writeAll } from '../../client/local-files.js';
import { ProgressThrottle } from '../../client/progress.js';
import type { Progress, TransferOptions, TransferResult } from '../../client/types.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { mdtmTime } from './ftp-entries.js';
import { ferryErrorFromFtp, isAmbiguousRefusal } from './ftp-errors.js';
import { probePath } from './ftp-probe.js';

/** The size and time of a remote file before a read; NOT_FOUND, IS_A_DIRECTORY or PERMISSION otherwise. */
export async function remoteFileFacts(client: Client, remotePath: string): Promise<{ size: number; mtimeMs: number }> {
  const what = await probePath(client, remotePath);
  if (what.kind === 'missing') throw new FerryError(ErrorCode.NOT_FOUND, `no such file: ${remotePath}`);
  if (what.kind === 'directory') throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder`);
  if (what.kind === 'unreachable') throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${remotePath}`);
  const mdtm = await client.sendIgnoringError(`MDTM ${remotePath}`);
  const mtimeMs = mdtm.code === 213 ? mdtmTime(mdtm.message) ?? 0 : 0;
  return { size: what.size, mtimeMs };
}

export async function downloadOverFtp(
  client: Client, remotePath: string, localPath: string, options: TransferOptions, attempt: { moved: boolean } = { moved: false },
): Promise<TransferResult> {
  const started = performance.now();
  const { signal } = options;
  if (signal?.aborted) throw cancelled();
  checkTarget(localPath, options.overwrite === true);
  const { size, mtimeMs } = await remoteFileFacts(client, remotePath);
  const partial = partialPathFor(localPath);

  let offset = 0;
  if (options.resume) {
    const existing = fs.statSync(partial, { throwIfNoEntry: false });
    if (existing?.isFile() && existing.size <= size) offset = existing.size;
  }
  let fd: number;
  try {
    fd = await openFd(partial, offset > 0 ? 'r+' : 'w', 0o600);
  } catch (error) {
    throw localError(error, localPath);
  }
  const progress = new ProgressThrottle<Progress>(options.onProgress, options.progressIntervalMs);
  const sink = new PositionalFileWriter(fd, offset, (written) => {
    attempt.moved = true;
    progress.update(() => ({ bytes: written, total: size }));
  });
  progress.flush({ bytes: offset, total: size });

  // FTP cannot stop a RETR and keep the connection: a cancel closes it (the pool then drops it).
  const onAbort = (): void => client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    try {
      await client.downloadTo(sink, remotePath, offset);
    } catch (error) {
      if (sink.position === 0) fs.rmSync(partial, { force: true });
      if (signal?.aborted) throw cancelled();
      if (sink.failure) throw localError(sink.failure, localPath);
      // SIZE found the file a moment ago: a refused RETR means it may not be read.
      if (isAmbiguousRefusal(error)) throw new FerryError(ErrorCode.PERMISSION, `permission denied: ${remotePath}`, { cause: error });
      throw ferryErrorFromFtp(error, `downloading ${remotePath}`);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (sink.position !== size) {
      if (sink.position > size) fs.rmSync(partial, { force: true });
      throw new FerryError(ErrorCode.SIZE_MISMATCH, `received ${sink.position} of ${size} bytes of ${remotePath}`);
    }
    try {
      if (mtimeMs > 0) fs.futimesSync(fd, mtimeMs / 1000, mtimeMs / 1000);
      fs.closeSync(fd);
      fd = -1;
      fs.renameSync(partial, localPath);
    } catch (error) {
      throw localError(error, localPath);
    }
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
  progress.flush({ bytes: size, total: size });
  return { bytes: size - offset, size, resumedFrom: offset, durationMs: performance.now() - started };
}

function cancelled(): FerryError {
  return new FerryError(ErrorCode.CANCELLED, 'the transfer was cancelled');
}

/**
 * Writes what arrives to `fd` at increasing positions (a plain WriteStream
 * would take the descriptor over and close it); `position` is where the file
 * ends once every write has landed, which is when the stream finishes.
 */
export class PositionalFileWriter extends Writable {
  failure: unknown;

  constructor(
    private readonly fd: number,
    public position: number,
    private readonly onWritten: (position: number) => void,
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writeBuffer(chunk, callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.writeBuffer(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((each) => each.chunk)), callback);
  }

  private writeBuffer(data: Buffer, callback: (error?: Error | null) => void): void {
    writeAll(this.fd, data, this.position).then(() => {
      this.position += data.length;
      this.onWritten(this.position);
      callback();
    }, (error: unknown) => {
      this.failure = error;
      callback(error instanceof Error ? error : new Error(String(error)));
    });
  }
}
