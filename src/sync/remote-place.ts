/**
 * A folder on any kind of remote (src/remote/remote.ts: Ferry, SFTP, FTP) as a
 * sync place: one recursive listing; for --checksum the server's own hashes
 * where the kind has them (Ferry's SUMS), else each file's content read
 * through the session and hashed here; for times the listing gives only
 * coarsely (FTP's LIST), the kind's per-file time (MDTM).
 */
import { createHash } from 'node:crypto';
import { mapConcurrently } from '../client/map-concurrently.js';
import { joinRemote } from '../client/remote-path.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind } from '../protocol/messages.js';
import type { TimeOfFile } from '../protocol/file-times.js';
import type { Remote } from '../remote/remote.js';
import type { SyncEntry, SyncPlace } from './place.js';

/** Files read at once when the server cannot hash them itself. */
const READ_CONCURRENCY = 4;

export class RemotePlace implements SyncPlace {
  constructor(readonly remote: Remote, readonly top: string, readonly description: string) {}

  async list(signal?: AbortSignal): Promise<SyncEntry[] | undefined> {
    let listed;
    try {
      listed = await this.remote.list(this.top, { recursive: true, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return undefined;
      throw error;
    }
    return listed.map((entry) => {
      const kind = entry.kind === EntryKind.FILE ? 'file' : entry.kind === EntryKind.DIRECTORY ? 'folder' : 'other';
      const item: SyncEntry = { path: entry.name, kind, size: kind === 'file' ? entry.size : 0, mtimeMs: entry.mtimeMs, mode: entry.mode };
      if (entry.mtimeResolutionMs !== undefined) item.mtimeResolutionMs = entry.mtimeResolutionMs;
      return item;
    });
  }

  /** The kind's per-file times (FTP: MDTM), where it has them; else nothing finer than the listing. */
  finerTimes(paths: readonly string[], signal?: AbortSignal): Promise<(TimeOfFile | undefined)[]> {
    if (!this.remote.fileTimes) return Promise.resolve(paths.map(() => undefined));
    return this.remote.fileTimes(paths.map((relative) => joinRemote(this.top, relative)), signal ? { signal } : {});
  }

  checksums(paths: readonly string[], signal?: AbortSignal): Promise<(Buffer | undefined)[]> {
    if (this.remote.features.checksums) return this.remote.checksums(this.top, paths, signal ? { signal } : {});
    return this.readAndHash(paths, signal);
  }

  /** Without server-side hashes: every file's content crosses the wire once to be hashed here. */
  private readAndHash(paths: readonly string[], signal?: AbortSignal): Promise<(Buffer | undefined)[]> {
    return mapConcurrently(paths, READ_CONCURRENCY, (relative) => this.hashOne(joinRemote(this.top, relative), signal), signal);
  }

  private async hashOne(remotePath: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    let stream;
    try {
      stream = await this.remote.openRead(remotePath, signal ? { signal } : {});
    } catch (error) {
      // Gone or not a file any more: "not a regular file", as SUMS answers.
      if (error instanceof FerryError && (error.code === ErrorCode.NOT_FOUND || error.code === ErrorCode.IS_A_DIRECTORY)) return undefined;
      throw error;
    }
    const hash = createHash('sha256');
    try {
      for (let chunk = await stream.read(); chunk !== undefined; chunk = await stream.read()) hash.update(chunk);
    } finally {
      stream.close();
    }
    return hash.digest();
  }

  async remove(entry: SyncEntry): Promise<void> {
    const remote = joinRemote(this.top, entry.path);
    try {
      if (entry.kind === 'folder') await this.remote.rmdir(remote, { recursive: true });
      else await this.remote.delete(remote);
    } catch (error) {
      // Gone already (an earlier, interrupted run removed it): what the plan wanted.
      if (!(error instanceof FerryError && error.code === ErrorCode.NOT_FOUND)) throw error;
    }
  }
}
