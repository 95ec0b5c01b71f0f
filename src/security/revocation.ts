/**
 * A users file change reaches the sessions already open, not only the next
 * login: a removed user's sessions end (FAIL AUTH), a user made read-only
 * gets no more writes. The file is polled (one stat per interval, as
 * fs.watchFile does) because `ferryd user` replaces it by a rename, which
 * directory watchers report unevenly across systems.
 */
import fs from 'node:fs';
import type { SessionIdentity } from '../server/session.js';
import type { SecurityLog } from './authenticator.js';
import type { UserRecord, UsersFileCache } from './users.js';

export type AccountChange = 'keep' | 'read-only' | 'revoked';

/**
 * What the users file now says about a session's account. Anonymous
 * sessions (user '') are not users-file accounts: kept. A user no longer
 * listed, or given another root, is revoked (the session's folder is no
 * longer theirs); one made read-only keeps reading.
 */
export function reviewAccount(account: SessionIdentity, users: readonly UserRecord[]): AccountChange {
  if (account.user === '') return 'keep';
  const record = users.find((user) => user.name === account.user);
  if (!record || record.root !== account.root) return 'revoked';
  if (record.readOnly && !account.readOnly) return 'read-only';
  return 'keep';
}

export interface UsersWatchOptions {
  /** How often the file's stat is checked. Default 1000 ms. */
  intervalMs?: number;
  log?: SecurityLog;
}

/**
 * Calls `review` with the users file's new contents each time it changes on
 * disk. A file that cannot be read is logged and changes nothing (a
 * half-edited file must not end every session). Returns a function that
 * stops watching.
 */
export function watchUsersFile(
  users: UsersFileCache,
  review: (current: readonly UserRecord[]) => void,
  options: UsersWatchOptions = {},
): () => void {
  const onChange = (): void => {
    users.current().then(review, (error: unknown) => {
      options.log?.warn('users file changed but cannot be read: sessions keep their rights', {
        usersFile: users.file, error: error instanceof Error ? error.message : String(error),
      });
    });
  };
  fs.watchFile(users.file, { interval: options.intervalMs ?? 1000, persistent: false }, onChange);
  return () => fs.unwatchFile(users.file, onChange);
}
