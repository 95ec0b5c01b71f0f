/**
 * Uploading one file over FTP: STOR into `.<name>.ferry-part` beside the
 * target, SIZE to check every byte arrived, then RNFR/RNTO into place, so the
 * final name never holds a truncated file, and the local file's mtime set on
 * it (MFMT or `MDTM time path`, ftp-times.ts; kept to the second, as SFTP
 * keeps it) where the server allows. With `resume`, a temporary file
 * left by an interrupted upload is continued with APPE after its last byte
 * (when it is not longer than the local file). A cancel closes the
 * connection; the temporary file stays for a later resume.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Client } from 'basic-ftp';
import { localError, sha256OfFile } from '../../client/local-files.js';
import { ProgressThrottle } from '../../client/progress.js';
import type { RateLimit } from '../../client/rate-limit.js';
import type { Progress, TransferOptions, TransferResult } from '../../client/types.js';
import { ErrorCode, FerryError, isFerryError } from '../../protocol/errors.js';
import { ferryErrorFromFtp, isAmbiguousRefusal } from './ftp-errors.js';
import { checkSha256, type Sha256Command } from './ftp-hash.js';
import { parentOf, uploadPartialPath } from './ftp-paths.js';
import { probePath } from './ftp-probe.js';
import type { UploadTimes } from './ftp-times.js';

export async function uploadOverFtp(
  client: Client, localPath: string, remotePath: string, options: TransferOptions, attempt: { moved: boolean }, times: UploadTimes,
  /** The server's SHA-256 command (ftp-hash.ts): the uploaded bytes are checked against it before the rename. */
  sha256Command?: Sha256Command,
): Promise<TransferResult> {
  const started = performance.now();
  const { signal } = options;
  if (signal?.aborted) throw cancelled();
  let stats: fs.Stats;
  try {
    stats = fs.statSync(localPath);
  } catch (error) {
    throw localError(error, localPath);
  }
  if (stats.isDirectory()) throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${localPath} is a folder`);
  if (!stats.isFile()) throw new FerryError(ErrorCode.UNSUPPORTED, `${localPath} is not a regular file`);
  const size = stats.size;

  const target = await probePath(client, remotePath, { listParent: false });
  if (target.kind === 'directory') throw new FerryError(ErrorCode.IS_A_DIRECTORY, `${remotePath} is a folder`);
  if (target.kind !== 'missing' && !options.overwrite) throw new FerryError(ErrorCode.EXISTS, `${remotePath} exists`);

  const partial = uploadPartialPath(remotePath);
  let offset = 0;
  if (options.resume) {
    const left = await probePath(client, partial, { listParent: false });
    if (left.kind === 'file' && left.size <= size) offset = left.size;
  }

  const progress = new ProgressThrottle<Progress>(options.onProgress, options.progressIntervalMs);
  progress.flush({ bytes: offset, total: size });
  let sent = offset;
  let fd: number;
  try {
    fd = fs.openSync(localPath, 'r');
  } catch (error) {
    throw localError(error, localPath);
  }
  const source = new FileReader(fd, offset, size, (bytes) => {
    sent += bytes;
    attempt.moved = true;
    progress.update(() => ({ bytes: sent, total: size }));
  }, options.rateLimit && { rateLimit: options.rateLimit, signal });
  const onAbort = (): void => client.close();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (offset > 0) await client.appendFrom(source, partial);
    else await client.uploadFrom(source, partial);
  } catch (error) {
    source.destroy();
    if (signal?.aborted) throw cancelled();
    if (isAmbiguousRefusal(error)) throw await explainRefusal(client, remotePath, error);
    throw ferryErrorFromFtp(error, `uploading to ${remotePath}`);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    source.destroy();
    fs.closeSync(fd);
  }
  if (source.failure) throw localError(source.failure, localPath);

  const landed = await probePath(client, partial, { listParent: false });
  const landedSize = landed.kind === 'file' ? landed.size : -1;
  if (landedSize !== size) {
    // A longer file can never be continued; a shorter one is kept for resume.
    if (landedSize > size) await client.sendIgnoringError(`DELE ${partial}`);
    throw new FerryError(ErrorCode.SIZE_MISMATCH, `the server holds ${Math.max(0, landedSize)} of ${size} bytes of ${remotePath}`);
  }
  if (sha256Command) {
    try {
      await checkSha256(client, sha256Command, partial, sha256OfFile(localPath));
    } catch (error) {
      // What the server holds is not this file: nothing under the final name, nothing to resume from.
      if (isFerryError(error, ErrorCode.HASH_MISMATCH)) await client.sendIgnoringError(`DELE ${partial}`);
      throw error;
    }
  }
  try {
    await client.rename(partial, remotePath);
  } catch (error) {
    throw ferryErrorFromFtp(error, `renaming the upload into ${remotePath}`);
  }
  // The final name is what a later listing, stat or sync reads; a refusal leaves the upload's time, never fails it.
  await times.set(client, remotePath, stats.mtimeMs);
  progress.flush({ bytes: size, total: size });
  return { bytes: size - offset, size, resumedFrom: offset, durationMs: performance.now() - started };
}

/** A refused STOR: the folder missing, or no right to write there. */
async function explainRefusal(client: Client, remotePath: string, error: unknown): Promise<FerryError> {
  const folder = await probePath(client, parentOf(remotePath)).catch(() => undefined);
  if (folder?.kind === 'missing') return new FerryError(ErrorCode.NOT_FOUND, `no such folder: ${parentOf(remotePath)}`, { cause: error });
  if (folder?.kind === 'file') return new FerryError(ErrorCode.NOT_A_DIRECTORY, `not a folder: ${parentOf(remotePath)}`, { cause: error });
  return new FerryError(ErrorCode.PERMISSION, `permission denied: cannot write ${remotePath}`, { cause: error });
}

function cancelled(): FerryError {
  return new FerryError(ErrorCode.CANCELLED, 'the transfer was cancelled');
}

/**
 * The local file from `offset` to `end`, read only as the data connection
 * asks for more (a stream that starts flowing before basic-ftp pipes it
 * would lose its first chunks), each piece reported to `onRead`. A file
 * that shrinks meanwhile ends early and the size check catches it.
 */
class FileReader extends Readable {
  failure: unknown;

  constructor(
    private readonly fd: number,
    private position: number,
    private readonly end: number,
    private readonly onRead: (bytes: number) => void,
    private readonly limit?: { rateLimit: RateLimit; signal?: AbortSignal | undefined },
  ) {
    super({ highWaterMark: 1024 * 1024 });
  }

  override _read(size: number): void {
    const wanted = Math.min(Math.max(size, 256 * 1024), this.end - this.position);
    if (wanted <= 0) {
      this.push(null);
      return;
    }
    if (!this.limit) {
      this.readPiece(wanted);
      return;
    }
    // Under a limit: a slice at a time, each read only once the limit allows its bytes.
    const length = this.limit.rateLimit.slice(wanted);
    this.limit.rateLimit.take(length, this.limit.signal).then(() => this.readPiece(length), (error: unknown) => {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private readPiece(length: number): void {
    const buffer = Buffer.allocUnsafe(length);
    fs.read(this.fd, buffer, 0, length, this.position, (error, bytesRead) => {
      if (error) {
        this.failure = error;
        this.destroy(error);
        return;
      }
      if (bytesRead === 0) {
        this.push(null);
        return;
      }
      this.position += bytesRead;
      this.onRead(bytesRead);
      this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
    });
  }
}
