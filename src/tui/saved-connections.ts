/**
 * What the connect dialog offers to pick, and the recent list kept after a
 * connect: bookmarks, recent connections (both src/remote/bookmarks.ts) and
 * the Host aliases of ~/.ssh/config (src/remote/ssh-config.ts). Those
 * modules, and the ssh-config parser with them, load only when the list is
 * first read, after the first frame.
 */
import { paramsOfUrl, schemeOf, type ConnectParams } from './connect-params.js';
import { formatOrigin, type RemoteUrl } from '../remote/remote-url.js';

export interface ConnectChoice {
  from: 'bookmark' | 'recent' | 'ssh-config';
  /** What the list shows: `@work sftp://bob@host/logs`, `sftp://host/`, `ssh alias`. */
  label: string;
  /** What picking it fills the dialog with. */
  params: ConnectParams;
}

export interface SavedConnectionFiles {
  /** bookmarks.json (bookmarks and the recent list); undefined: none offered, none recorded. */
  bookmarksFile?: string | undefined;
  /** ~/.ssh/config; undefined: its hosts are not offered. */
  sshConfigFile?: string | undefined;
}

/** `scheme://[user@]host[:port]/path`, without a password. */
export function urlOfParams(params: ConnectParams): string {
  const origin = formatOrigin({ scheme: schemeOf(params), host: params.host, port: params.port, user: params.user });
  const folder = (params.path || '/').split('/').map(encodeURIComponent).join('/');
  return `${origin}${folder.startsWith('/') ? folder : `/${folder}`}`;
}

/**
 * Every choice, bookmarks first, then recent connections (newest first),
 * then ssh hosts; and what could not be read, one line each (a broken file
 * leaves the others offered).
 */
export async function loadConnectChoices(files: SavedConnectionFiles): Promise<{ choices: ConnectChoice[]; problems: string[] }> {
  const choices: ConnectChoice[] = [];
  const problems: string[] = [];
  const { parseRemoteUrl } = await import('../remote/remote-url.js');
  const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));
  if (files.bookmarksFile) {
    try {
      const { readSavedConnections } = await import('../remote/bookmarks.js');
      const saved = await readSavedConnections(files.bookmarksFile);
      for (const bookmark of saved.bookmarks) {
        const url: RemoteUrl = parseRemoteUrl(bookmark.url);
        choices.push({
          from: 'bookmark',
          label: `@${bookmark.name} ${bookmark.url}`,
          params: paramsOfUrl(url, { password: bookmark.password, identityFile: bookmark.identityFile }),
        });
      }
      for (const recent of [...saved.recent].sort((a, b) => b.lastUsedMs - a.lastUsedMs)) {
        choices.push({ from: 'recent', label: recent.url, params: paramsOfUrl(parseRemoteUrl(recent.url)) });
      }
    } catch (error) {
      problems.push(`saved connections: ${describe(error)}`);
    }
  }
  if (files.sshConfigFile) {
    try {
      const { readSshConfig, sshHostAliases } = await import('../remote/ssh-config.js');
      for (const alias of sshHostAliases(await readSshConfig(files.sshConfigFile))) {
        choices.push({
          from: 'ssh-config',
          label: `ssh ${alias}`,
          // The alias is the host: HostName, User, Port and IdentityFile apply when the session opens.
          params: { scheme: 'sftp', host: alias, port: 22, user: '', password: '', path: '/', tls: 'auto' },
        });
      }
    } catch (error) {
      problems.push(`${files.sshConfigFile}: ${describe(error)}`);
    }
  }
  return { choices, problems };
}

/** Puts a connection first in the recent list (never with its password: withRecent drops it). */
export async function recordRecentConnection(file: string, params: ConnectParams): Promise<void> {
  const { readSavedConnections, withRecent, writeSavedConnections } = await import('../remote/bookmarks.js');
  const saved = await readSavedConnections(file);
  await writeSavedConnections(withRecent(saved, urlOfParams(params)), file);
}
