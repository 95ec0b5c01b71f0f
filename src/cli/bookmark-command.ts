/**
 * `ferry bookmark add NAME URL [--identity FILE] [--save-password]`,
 * `ferry bookmark remove NAME`, `ferry bookmark list`: the saved connections
 * of src/remote/bookmarks.ts (one 0600 file in Ferry's config folder), which
 * `@NAME[/path]` then stands for wherever a URL is accepted. A password is
 * kept only when asked for with --save-password; one in the URL is dropped
 * otherwise, and the command says so. The list never prints a password: it
 * marks the bookmarks that have one.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  defaultBookmarksFile, readSavedConnections, withBookmark, withoutBookmark, writeSavedConnections, type Bookmark,
} from '../remote/bookmarks.js';
import { formatOrigin, parseRemoteUrl, redactUrl } from '../remote/remote-url.js';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { escapeControlCharacters } from '../terminal/control-characters.js';
import { terminalSecretAsker, type SecretPromptIo } from './ask-secret.js';
import { UsageError } from './usage-error.js';

export interface BookmarkFlags {
  identity?: string | undefined;
  savePassword: boolean;
  /** `-f`: replace a bookmark of the same name. */
  overwrite: boolean;
}

export interface BookmarkIo extends SecretPromptIo {
  stdout: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

export async function bookmarkCommand(args: readonly string[], flags: BookmarkFlags, io: BookmarkIo): Promise<void> {
  const [action, ...rest] = args;
  const file = defaultBookmarksFile(io.env);
  const expect = (count: number, shape: string): void => {
    if (rest.length !== count) throw new UsageError(`usage: ferry bookmark ${shape}`);
  };
  switch (action) {
    case 'add': {
      expect(2, 'add NAME URL [--identity FILE] [--save-password]');
      const bookmark = await newBookmark(rest[0]!, rest[1]!, flags, io);
      const saved = await readSavedConnections(file);
      await writeSavedConnections(withBookmark(saved, bookmark, { replace: flags.overwrite }), file);
      io.stdout.write(`saved @${bookmark.name}: ${describeBookmark(bookmark)}\n`);
      return;
    }
    case 'remove': {
      expect(1, 'remove NAME');
      const name = rest[0]!.replace(/^@/, '');
      await writeSavedConnections(withoutBookmark(await readSavedConnections(file), name), file);
      io.stdout.write(`removed @${escapeControlCharacters(name)}\n`);
      return;
    }
    case 'list': {
      expect(0, 'list');
      const { bookmarks } = await readSavedConnections(file);
      const width = Math.max(0, ...bookmarks.map((bookmark) => bookmark.name.length + 1));
      io.stdout.write(bookmarks.map((bookmark) => `${`@${bookmark.name}`.padEnd(width)}  ${describeBookmark(bookmark)}\n`).join(''));
      return;
    }
    default:
      throw new UsageError('bookmark takes add, remove or list');
  }
}

/** The bookmark the command line describes: the URL without its password, the key file made absolute. */
async function newBookmark(name: string, urlText: string, flags: BookmarkFlags, io: BookmarkIo): Promise<Bookmark> {
  const url = parseRemoteUrl(urlText);
  const bookmark: Bookmark = { name, url: url.password === undefined ? urlText : `${formatOrigin(url)}${url.path.split('/').map(encodeURIComponent).join('/')}` };
  if (flags.identity !== undefined) {
    if (url.kind !== 'sftp') throw new UsageError('--identity is a key file for sftp:// servers');
    const identityFile = path.resolve(flags.identity);
    await fs.access(identityFile).catch(() => {
      throw new FerryError(ErrorCode.NOT_FOUND, `no such key file: ${escapeControlCharacters(identityFile)}`);
    });
    bookmark.identityFile = identityFile;
  }
  if (flags.savePassword) {
    const password = url.password ?? await passwordToSave(redactUrl(urlText), io);
    if (password === undefined) {
      throw new UsageError('--save-password: no password given (put it in the URL or FERRY_PASSWORD, or run at a terminal to be asked)');
    }
    bookmark.password = password;
  } else if (url.password !== undefined) {
    io.stderr.write('ferry: the password in the URL was not saved (add --save-password to keep it)\n');
  }
  return bookmark;
}

async function passwordToSave(url: string, io: BookmarkIo): Promise<string | undefined> {
  const fromEnvironment = io.env.FERRY_PASSWORD;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  return terminalSecretAsker(io)?.(`Password to save for ${url}: `);
}

/** URL, key file and whether a password is kept; never the password. */
function describeBookmark(bookmark: Bookmark): string {
  const key = bookmark.identityFile === undefined ? '' : `  key ${bookmark.identityFile}`;
  const password = bookmark.password === undefined ? '' : '  (password saved)';
  return escapeControlCharacters(`${bookmark.url}${key}${password}`);
}
