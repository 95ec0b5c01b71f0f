/** The sync planner and --exclude rules, without I/O. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExcludeRules } from '../../src/sync/exclude.js';
import type { SyncEntry } from '../../src/sync/place.js';
import { compareTrees } from '../../src/sync/plan.js';

const file = (path: string, size = 1, mtimeMs = 1000): SyncEntry => ({ path, kind: 'file', size, mtimeMs, mode: 0o644 });
const folder = (path: string): SyncEntry => ({ path, kind: 'folder', size: 0, mtimeMs: 0, mode: 0o755 });
const link = (path: string): SyncEntry => ({ path, kind: 'other', size: 0, mtimeMs: 0, mode: 0o777 });
const none = new ExcludeRules([]);

void test('exclude: a name pattern matches at any depth, a path pattern from the top, a folder takes its contents', () => {
  const rules = new ExcludeRules(['*.tmp', 'build/cache', 'node_modules', '**/secret?.txt', 'logs/', '[ab].c']);
  const cases: [string, boolean, boolean][] = [
    ['x.tmp', false, true], ['deep/er/x.tmp', false, true], ['x.tmpl', false, false],
    ['build/cache', true, true], ['build/cache/f', false, true], ['src/build/cache', true, false],
    ['node_modules/a/b.js', false, true], ['a/node_modules', true, true],
    ['secret1.txt', false, true], ['a/b/secret2.txt', false, true], ['secret10.txt', false, false],
    ['logs', true, true], ['logs', false, false], ['logs/x', false, true],
    ['a.c', false, true], ['c.c', false, false],
  ];
  for (const [path, isFolder, excluded] of cases) assert.equal(rules.excludes(path, isFolder), excluded, path);
  const anchored = new ExcludeRules(['/top.txt']);
  assert.equal(anchored.excludes('top.txt', false), true, 'a leading / anchors the pattern at the top');
  assert.equal(anchored.excludes('a/top.txt', false), false, 'and nowhere else');
});

void test('plan: create, update by size or mtime, remove only with deleteExtra, one removal per folder, skip symlinks', () => {
  const source = [file('a', 1, 1000), file('b', 2, 1000), file('c', 1, 2000), folder('new'), file('new/x'), link('l'), file('same')];
  const target = [file('b', 3, 1000), file('c', 1, 1000), folder('old'), file('old/y'), file('old/z'), file('only'), file('same')];
  const plan = compareTrees(source, target, { exclude: none, deleteExtra: true, checksum: false });
  assert.deepEqual(plan.create.map((e) => e.path), ['a', 'new/x']);
  assert.deepEqual(plan.update.map((e) => e.path), ['b', 'c']);
  assert.deepEqual(plan.folders, ['new']);
  assert.deepEqual(plan.remove.map((e) => e.path), ['old', 'only']);
  assert.deepEqual(plan.skipped.map((e) => e.path), ['l']);
  assert.deepEqual(compareTrees(source, target, { exclude: none, deleteExtra: false, checksum: false }).remove, []);
});

void test('plan: with checksum, files of equal size are left to the hashes whatever their mtime', () => {
  const plan = compareTrees([file('a', 5, 1), file('b', 5, 1)], [file('a', 5, 2), file('b', 6, 1)], { exclude: none, deleteExtra: false, checksum: true });
  assert.deepEqual(plan.sameSize.map((e) => e.path), ['a']);
  assert.deepEqual(plan.update.map((e) => e.path), ['b']);
});

void test('plan: an entry of another kind in the way is replaced; a symlink in DST is replaced by the file', () => {
  const plan = compareTrees([file('x'), folder('y'), file('z')], [folder('x'), file('x/in'), file('y'), link('z')], {
    exclude: none, deleteExtra: false, checksum: false,
  });
  assert.deepEqual(plan.replace.map((e) => e.path), ['x', 'y']);
  assert.deepEqual(plan.create.map((e) => e.path), ['x']);
  assert.deepEqual(plan.folders, ['y']);
  assert.deepEqual(plan.update.map((e) => e.path), ['z']);
});

void test('plan: excluded entries are neither sent nor removed', () => {
  const rules = new ExcludeRules(['*.log']);
  const plan = compareTrees([file('a.log'), file('b')], [file('c.log')], { exclude: rules, deleteExtra: true, checksum: false });
  assert.deepEqual(plan.create.map((e) => e.path), ['b']);
  assert.deepEqual(plan.remove, []);
});
