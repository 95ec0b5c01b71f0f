/**
 * The connect dialog's list (bookmarks, recent connections, ~/.ssh/config
 * hosts), read once the UI is on screen and again after each connect, which
 * puts that connection first in the recent list (never with its password).
 * A file that cannot be read or written is said once in the status line; the
 * dialog works without the list.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ConnectParams } from '../connect-params.js';
import { loadConnectChoices, recordRecentConnection, type ConnectChoice, type SavedConnectionFiles } from '../saved-connections.js';

export interface ConnectChoicesControl {
  choices: readonly ConnectChoice[];
  /** Records a session that opened; undefined when there is no file to record it in. */
  recordRecent: ((params: ConnectParams) => void) | undefined;
}

const none: readonly ConnectChoice[] = [];

export function useConnectChoices(files: SavedConnectionFiles, fail: (text: string) => void): ConnectChoicesControl {
  const [choices, setChoices] = useState<readonly ConnectChoice[]>(none);
  const latest = useRef({ files, fail });
  latest.current = { files, fail };
  /** Writes take turns: two sessions opening at once must not lose one of the two. */
  const writing = useRef<Promise<void>>(Promise.resolve());
  const told = useRef(new Set<string>());

  const reload = useCallback(async () => {
    const { choices: loaded, problems } = await loadConnectChoices(latest.current.files);
    setChoices(loaded);
    for (const problem of problems) {
      if (told.current.has(problem)) continue;
      told.current.add(problem);
      latest.current.fail(problem);
    }
  }, []);

  const { bookmarksFile, sshConfigFile } = files;
  useEffect(() => {
    if (bookmarksFile || sshConfigFile) void reload();
  }, [bookmarksFile, sshConfigFile, reload]);

  const recordRecent = useCallback((params: ConnectParams) => {
    const file = latest.current.files.bookmarksFile;
    if (!file) return;
    writing.current = writing.current
      .then(() => recordRecentConnection(file, params))
      .then(reload, (error: unknown) => latest.current.fail(`recent connections not saved: ${error instanceof Error ? error.message : String(error)}`));
  }, [reload]);

  return { choices, recordRecent: bookmarksFile ? recordRecent : undefined };
}
