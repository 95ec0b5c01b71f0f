/** A folder on a Ferry server as a sync place: one recursive LIST, and SUMS for --checksum. */
import type { FerryClient } from '../client/client.js';
import { joinRemote } from '../client/remote-path.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { EntryKind } from '../protocol/messages.js';
import type { SyncEntry, SyncPlace } from './place.js';

export class FerryPlace implements SyncPlace {
  constructor(readonly client: FerryClient, readonly top: string, readonly description: string) {}

  async list(signal?: AbortSignal): Promise<SyncEntry[] | undefined> {
    let listed;
    try {
      listed = await this.client.list(this.top, { recursive: true, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (error instanceof FerryError && error.code === ErrorCode.NOT_FOUND) return undefined;
      throw error;
    }
    return listed.map((entry) => {
      const kind = entry.kind === EntryKind.FILE ? 'file' : entry.kind === EntryKind.DIRECTORY ? 'folder' : 'other';
      return { path: entry.name, kind, size: kind === 'file' ? entry.size : 0, mtimeMs: entry.mtimeMs, mode: entry.mode };
    });
  }

  checksums(paths: readonly string[], signal?: AbortSignal): Promise<(Buffer | undefined)[]> {
    return this.client.checksums(this.top, paths, signal ? { signal } : {});
  }

  async remove(entry: SyncEntry): Promise<void> {
    const remote = joinRemote(this.top, entry.path);
    try {
      if (entry.kind === 'folder') await this.client.rmdir(remote, { recursive: true });
      else await this.client.delete(remote);
    } catch (error) {
      // Gone already (an earlier, interrupted run removed it): what the plan wanted.
      if (!(error instanceof FerryError && error.code === ErrorCode.NOT_FOUND)) throw error;
    }
  }
}
