/**
 * The saved-connections file (src/remote/bookmarks.ts): bookmarks kept without
 * a password unless asked, `@NAME[/path]` resolved below the bookmark's
 * folder, the recent list without passwords and bounded, the file 0600.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import {
  defaultBookmarksFile, isBookmarkReference, readSavedConnections, RECENT_LIMIT, resolveBookmarkReference,
  withBookmark, withoutBookmark, withRecent, writeSavedConnections, type SavedConnections,
} from '../../src/remote/bookmarks.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const tempFolder = tempFolderMaker();
const empty: SavedConnections = { bookmarks: [], recent: [] };
const hasCode = (code: number) => (error: unknown): boolean => error instanceof FerryError && error.code === code;

void test('the file lives in Ferry\'s config folder', () => {
  assert.equal(defaultBookmarksFile({ XDG_CONFIG_HOME: '/x/config' }), '/x/config/ferry/bookmarks.json');
  assert.equal(defaultBookmarksFile({ HOME: '/home/u' }), '/home/u/.config/ferry/bookmarks.json');
});

void test('written 0600 (also over a file that was readable by others), read back the same; a missing file is empty', async () => {
  const file = path.join(await tempFolder('ferry-bookmarks-'), 'sub', 'bookmarks.json');
  assert.deepEqual(await readSavedConnections(file), empty);
  const saved = withRecent(withBookmark(empty, { name: 'work', url: 'sftp://bob@h/srv', identityFile: '/k/id_work' }), 'sftp://bob@h/srv', 5);
  await writeSavedConnections(saved, file);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.equal((await fs.stat(path.dirname(file))).mode & 0o777, 0o700, 'a new config folder is 0700');
  assert.deepEqual(await readSavedConnections(file), saved);

  await fs.chmod(file, 0o644);
  await writeSavedConnections(withBookmark(saved, { name: 'two', url: 'ftp://h/', password: 'pw' }), file);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
});

void test('a password in the URL is moved out of it; kept only as the password field', () => {
  const saved = withBookmark(empty, { name: 'ftp1', url: 'ftp://bob:s3cret@h/x%20y' });
  assert.deepEqual(saved.bookmarks, [{ name: 'ftp1', url: 'ftp://bob@h/x%20y', password: 's3cret' }]);
  const plain = withBookmark(empty, { name: 'ftp2', url: 'ftp://bob@h/x' });
  assert.equal(plain.bookmarks[0]!.password, undefined);
});

void test('names are checked; a taken name is EXISTS unless replaced; remove of an unknown one is NOT_FOUND', () => {
  for (const name of ['', '-x', 'a b', 'a/b', '@a', 'x'.repeat(65)]) {
    assert.throws(() => withBookmark(empty, { name, url: 'sftp://h/' }), hasCode(ErrorCode.INVALID_PATH), name);
  }
  assert.throws(() => withBookmark(empty, { name: 'ok', url: 'http://h/' }), hasCode(ErrorCode.INVALID_PATH));
  const one = withBookmark(empty, { name: 'w', url: 'sftp://h/a' });
  assert.throws(() => withBookmark(one, { name: 'w', url: 'sftp://h/b' }), hasCode(ErrorCode.EXISTS));
  assert.equal(withBookmark(one, { name: 'w', url: 'sftp://h/b' }, { replace: true }).bookmarks[0]!.url, 'sftp://h/b');
  assert.deepEqual(withoutBookmark(one, 'w').bookmarks, []);
  assert.throws(() => withoutBookmark(one, 'nope'), hasCode(ErrorCode.NOT_FOUND));
});

void test('@NAME and @NAME/sub/path resolve below the bookmark\'s folder, percent-encoded', () => {
  const saved = withBookmark(withBookmark(empty, { name: 'w', url: 'sftp://h/srv' }), { name: 'root', url: 'ftp://h/' });
  assert.equal(isBookmarkReference('@w'), true);
  assert.equal(isBookmarkReference('@'), false);
  assert.equal(isBookmarkReference('w'), false);
  assert.equal(resolveBookmarkReference(saved, '@w').url, 'sftp://h/srv');
  assert.equal(resolveBookmarkReference(saved, '@w/logs/a b.txt').url, 'sftp://h/srv/logs/a%20b.txt');
  assert.equal(resolveBookmarkReference(saved, '@root/x').url, 'ftp://h/x');
  assert.equal(resolveBookmarkReference(saved, '@w/').url, 'sftp://h/srv');
  assert.throws(() => resolveBookmarkReference(saved, '@other'), (error: unknown) =>
    hasCode(ErrorCode.NOT_FOUND)(error) && /bookmarks: @w, @root/.test((error as Error).message));
  assert.throws(() => resolveBookmarkReference(empty, '@other'), /ferry bookmark add/);
});

void test('the recent list: newest first, no passwords, no duplicates, at most RECENT_LIMIT', () => {
  let saved = withRecent(empty, 'ftp://bob:pw@h/a', 1);
  assert.deepEqual(saved.recent, [{ url: 'ftp://bob@h/a', lastUsedMs: 1 }]);
  saved = withRecent(saved, 'sftp://h/b', 2);
  saved = withRecent(saved, 'ftp://bob:other@h/a', 3);
  assert.deepEqual(saved.recent.map((entry) => entry.url), ['ftp://bob@h/a', 'sftp://h/b']);
  for (let i = 0; i < RECENT_LIMIT + 5; i++) saved = withRecent(saved, `ferry://h/${i}`, 10 + i);
  assert.equal(saved.recent.length, RECENT_LIMIT);
  assert.equal(saved.recent[0]!.url, `ferry://h/${RECENT_LIMIT + 4}`);
});

void test('a damaged file is refused with a coded error naming it; odd recent entries are dropped', async () => {
  const folder = await tempFolder('ferry-bookmarks-bad-');
  const file = path.join(folder, 'bookmarks.json');
  await fs.writeFile(file, '{ not json');
  await assert.rejects(readSavedConnections(file), (error: unknown) => hasCode(ErrorCode.INVALID_PATH)(error) && (error as Error).message.includes(file));
  await fs.writeFile(file, JSON.stringify({ bookmarks: [{ name: 'w', url: 'gopher://h/' }] }));
  await assert.rejects(readSavedConnections(file), /bookmark 1: /);
  await fs.writeFile(file, JSON.stringify({ recent: [{ url: 'sftp://h/', lastUsedMs: 1 }, { url: 'nope', lastUsedMs: 2 }, 'x'] }));
  assert.deepEqual(await readSavedConnections(file), { bookmarks: [], recent: [{ url: 'sftp://h/', lastUsedMs: 1 }] });
});
