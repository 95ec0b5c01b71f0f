/**
 * A pane's filesystem on a server of any kind (src/remote/remote.ts). Paths
 * are `/`-rooted POSIX paths relative to the session's root; the header is
 * the session's origin with the path (`sftp://bob@host/var/log`).
 * Permissions are offered only where the kind can change them.
 */
import path from 'node:path';
import { ErrorCode, isFerryError } from '../../protocol/errors.js';
import { EntryKind } from '../../protocol/messages.js';
import type { Remote } from '../../remote/remote.js';
import { checkedChildName } from './child-path.js';
import type { PaneFs } from './pane-fs.js';
import { removeRemoteTree } from './remove-remote-tree.js';

export function createRemoteFs(remote: Remote): PaneFs {
  const origin = remote.description.origin;
  const fs: PaneFs = {
    side: 'remote',
    list: (folder, options) => remote.list(folder, { onNamesLeftOut: options?.onNamesLeftOut }),
    async stat(target) {
      try {
        return await remote.stat(target);
      } catch (error) {
        if (isFerryError(error, ErrorCode.NOT_FOUND)) return undefined;
        throw error;
      }
    },
    mkdir: (target) => remote.mkdir(target),
    remove: (target, entry, onProgress) =>
      entry.kind === EntryKind.DIRECTORY ? removeRemoteTree(remote, target, onProgress) : remote.delete(target),
    rename: (from, to) => remote.rename(from, to),
    child: (folder, name) => path.posix.join(path.posix.resolve('/', folder), checkedChildName(name, ['/'])),
    resolve: (folder, typed) => path.posix.resolve('/', folder, typed),
    parent: (target) => path.posix.dirname(path.posix.resolve('/', target)),
    basename: (target) => path.posix.basename(target),
    label: (target) => `${origin}${path.posix.resolve('/', target)}`,
  };
  if (remote.features.chmod) fs.chmod = (target, change, recursive) => remote.chmod(target, change, { recursive });
  return fs;
}
