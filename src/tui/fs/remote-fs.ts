/**
 * The remote pane's filesystem: the Ferry client. Paths are `/`-rooted POSIX
 * paths relative to the session's root (docs/PROTOCOL.md, "Paths").
 */
import path from 'node:path';
import { ErrorCode, isFerryError } from '../../protocol/errors.js';
import { EntryKind } from '../../protocol/messages.js';
import type { FerryClientApi } from '../../client/types.js';
import { checkedChildName } from './child-path.js';
import type { PaneFs } from './pane-fs.js';
import { removeRemoteTree } from './remove-remote-tree.js';

export function createRemoteFs(client: FerryClientApi, address: { host: string; port: number }): PaneFs {
  const hostLabel = address.host.includes(':') ? `[${address.host}]` : address.host;
  return {
    side: 'remote',
    list: (folder, options) => client.list(folder, { onNamesLeftOut: options?.onNamesLeftOut }),
    async stat(target) {
      try {
        return await client.stat(target);
      } catch (error) {
        if (isFerryError(error, ErrorCode.NOT_FOUND)) return undefined;
        throw error;
      }
    },
    mkdir: (target) => client.mkdir(target),
    remove: (target, entry, onProgress) =>
      entry.kind === EntryKind.DIRECTORY ? removeRemoteTree(client, target, onProgress) : client.delete(target),
    rename: (from, to) => client.rename(from, to),
    chmod: (target, change, recursive) => client.chmod(target, change, { recursive }),
    child: (folder, name) => path.posix.join(path.posix.resolve('/', folder), checkedChildName(name, ['/'])),
    resolve: (folder, typed) => path.posix.resolve('/', folder, typed),
    parent: (target) => path.posix.dirname(path.posix.resolve('/', target)),
    basename: (target) => path.posix.basename(target),
    label: (target) => `${hostLabel}:${address.port}:${path.posix.resolve('/', target)}`,
  };
}
