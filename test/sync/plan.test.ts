/** The sync planner and --exclude rules, without I/O (places held in memory). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExcludeRules } from '../../src/sync/exclude.js';
import { matchFileTimes, type TimeOfFile } from '../../src/protocol/file-times.js';
import type { SyncEntry, SyncPlace } from '../../src/sync/place.js';
import { compareTrees, planSync } from '../../src/sync/plan.js';

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

const MINUTE = 60_000;
const coarse = (path: string, size: number, mtimeMs: number, resolution = MINUTE): SyncEntry => ({ ...file(path, size, mtimeMs), mtimeResolutionMs: resolution });

void test('times: compared to the coarser side\'s resolution; a match coarser than a second is only a candidate', () => {
  const at = Date.UTC(2026, 0, 5, 12, 34);
  assert.equal(matchFileTimes({ mtimeMs: at + 10_250 }, { mtimeMs: at, mtimeResolutionMs: MINUTE }), 'coarse');
  assert.equal(matchFileTimes({ mtimeMs: at + 60_000 }, { mtimeMs: at, mtimeResolutionMs: MINUTE }), 'different');
  assert.equal(matchFileTimes({ mtimeMs: at + 10_250 }, { mtimeMs: at + 10_000, mtimeResolutionMs: 1000 }), 'same');
  assert.equal(matchFileTimes({ mtimeMs: at + 10_250 }, { mtimeMs: at + 11_000, mtimeResolutionMs: 1000 }), 'different');
  assert.equal(matchFileTimes({ mtimeMs: at + 1 }, { mtimeMs: at }), 'different', 'without a resolution: to the millisecond');
  assert.equal(matchFileTimes({ mtimeMs: at + 3_600_000 }, { mtimeMs: Date.UTC(2026, 0, 5), mtimeResolutionMs: 86_400_000 }), 'coarse');
});

/** A place held in memory whose per-file times are `finer` (path → time), and which counts what it was asked. */
function memoryPlace(entries: SyncEntry[], finer?: Record<string, TimeOfFile>): SyncPlace & { asked: string[] } {
  const asked: string[] = [];
  const place: SyncPlace & { asked: string[] } = {
    description: 'memory', asked,
    list: () => Promise.resolve(entries),
    checksums: () => Promise.reject(new Error('not asked here')),
    remove: () => Promise.reject(new Error('not asked here')),
  };
  if (finer) {
    place.finerTimes = (paths) => {
      asked.push(...paths);
      return Promise.resolve(paths.map((path) => finer[path]));
    };
  }
  return place;
}

void test('plan: a coarse match of equal size is asked again, one by one; what the finer time says decides', async () => {
  const at = Date.UTC(2026, 0, 5, 12, 34);
  const local = memoryPlace([file('same', 5, at + 10_250), file('changed', 5, at + 30_500), file('sized', 5, at + 1_000), file('moved', 5, at + 90_000)]);
  const remote = memoryPlace([coarse('same', 5, at), coarse('changed', 5, at), coarse('sized', 6, at), coarse('moved', 5, at)], {
    same: { mtimeMs: at + 10_000, mtimeResolutionMs: 1000 },
    changed: { mtimeMs: at + 10_000, mtimeResolutionMs: 1000 },
  });
  const plan = await planSync(local, remote, { exclude: none, deleteExtra: false, checksum: false });
  assert.deepEqual(plan.update.map((e) => e.path), ['changed', 'moved', 'sized']);
  assert.deepEqual(remote.asked.sort(), ['changed', 'same'], 'only the coarse matches of equal size are asked');
  assert.deepEqual(local.asked, []);
});

void test('plan: where no finer time is to be had, a coarse match counts as unchanged', async () => {
  const at = Date.UTC(2026, 0, 5, 12, 34);
  const local = memoryPlace([file('a', 5, at + 10_250)]);
  const plan = await planSync(local, memoryPlace([coarse('a', 5, at)], {}), { exclude: none, deleteExtra: false, checksum: false });
  assert.deepEqual(plan.update, []);
  const noAsking = await planSync(local, memoryPlace([coarse('a', 5, at)]), { exclude: none, deleteExtra: false, checksum: false });
  assert.deepEqual(noAsking.update, []);
});
