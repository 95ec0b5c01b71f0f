/**
 * `ferry sync` against a real ferryd, in both directions: create, update,
 * delete, exclude, dry run, checksum, exit codes, and a second run after an
 * interrupted one doing only what is left.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FerryClient } from '../../src/client/client.js';
import { SYNC_CHANGED_EXIT } from '../../src/cli/sync-command.js';
import { RemotePlace } from '../../src/sync/remote-place.js';
import { LocalPlace } from '../../src/sync/local-place.js';
import { runSync } from '../../src/sync/run-sync.js';
import { removeTempFolder, tempFolderSync } from '../helpers/temp-folders.js';
import type { TestServer } from '../helpers/server.js';
import {
  contentTransfers, ferry, mtimeOf, readTree, startLoggedServer, T0, writeTree, type LoggedRequest,
} from './sync-helpers.js';

const CHANGED = SYNC_CHANGED_EXIT;
const FERRY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');

void describe('ferry sync', () => {
  let server: TestServer & { requests: LoggedRequest[] };
  let local: string;
  let n = 0;
  /** A fresh folder name for each test, on both sides. */
  let name: string;
  let remoteDir: string;
  let localDir: string;
  let url: string;

  before(async () => {
    server = await startLoggedServer();
    local = tempFolderSync('ferry-sync-');
  });
  after(async () => {
    await server.cleanup();
    await removeTempFolder(local);
  });
  beforeEach(() => {
    name = `t${++n}`;
    remoteDir = path.join(server.root, name);
    localDir = path.join(local, name);
    url = `${server.url}/${name}`;
    server.requests.length = 0;
  });

  void it('uploads a new tree, then finds it in sync and sends nothing', async () => {
    writeTree(localDir, { 'a.txt': 'alpha', 'sub/b.txt': 'beta', 'sub/deep/c.txt': 'gamma', 'empty/.keep': '' });
    fs.mkdirSync(path.join(localDir, 'bare'));
    const first = await ferry('sync', localDir, url);
    assert.equal(first.code, CHANGED, first.stderr);
    assert.match(first.stdout, /^synced: 4 created/m);
    assert.deepEqual(readTree(remoteDir), readTree(localDir));
    assert.ok(fs.statSync(path.join(remoteDir, 'bare')).isDirectory(), 'empty folders too');
    assert.equal(mtimeOf(path.join(remoteDir, 'sub/deep/c.txt')), T0.getTime(), 'mtime kept');
    // One tree upload for all files, not a request per file.
    assert.deepEqual(contentTransfers(server.requests).requests, [`TPUT /${name}`]);

    server.requests.length = 0;
    const second = await ferry('sync', localDir, url);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, 'in sync\n');
    assert.deepEqual(contentTransfers(server.requests), { requests: [], bytes: 0 });
  });

  void it('updates changed files, creates new ones, deletes only with --delete, and leaves excluded names alone', async () => {
    writeTree(localDir, { 'a.txt': 'alpha', 'same.txt': 'same', 'sub/c.txt': 'gamma', 'sub/d.txt': 'delta' });
    writeTree(remoteDir, {
      'a.txt': 'old', 'same.txt': 'same', 'sub/c.txt': 'gamma', 'sub/d.txt': 'delta', 'extra.txt': 'x',
      'gone/x.txt': 'x', 'keep.tmp': 'remote temp',
    });
    // Same size, newer mtime on the remote side: still an update (DST is made like SRC).
    writeTree(localDir, { 'sub/d.txt': 'DELTA' }, new Date(T0.getTime() - 60_000));
    writeTree(localDir, { 'new.txt': 'new', 'x.tmp': 'local temp', 'cache/big.tmp': 'c' });

    const dry = await ferry('sync', '--dry-run', '--delete', '--exclude', '*.tmp', '--exclude', 'cache', localDir, url);
    assert.equal(dry.code, CHANGED, dry.stderr);
    assert.equal(dry.stdout, [
      'create  new.txt  3 B',
      'update  a.txt  5 B',
      'update  sub/d.txt  5 B',
      'delete  extra.txt',
      'delete  gone/',
      'dry run: 1 to create, 2 to update, 2 to delete, 0 folders to make, 13 B to send',
      '',
    ].join('\n'));
    assert.equal(readTree(remoteDir)['a.txt'], 'old', 'a dry run changes nothing');
    assert.deepEqual(contentTransfers(server.requests).requests, []);

    const withoutDelete = await ferry('sync', '--exclude', '*.tmp', '--exclude', 'cache', localDir, url);
    assert.equal(withoutDelete.code, CHANGED, withoutDelete.stderr);
    assert.equal(readTree(remoteDir)['extra.txt'], 'x', 'no removal without --delete');

    const withDelete = await ferry('sync', '--delete', '--exclude', '*.tmp', '--exclude', 'cache', localDir, url);
    assert.equal(withDelete.code, CHANGED, withDelete.stderr);
    assert.deepEqual(readTree(remoteDir), {
      'a.txt': 'alpha', 'same.txt': 'same', 'sub/c.txt': 'gamma', 'sub/d.txt': 'DELTA', 'new.txt': 'new',
      'keep.tmp': 'remote temp',
    });
    assert.equal(fs.existsSync(path.join(remoteDir, 'gone')), false);
    const again = await ferry('sync', '--delete', '--exclude', '*.tmp', '--exclude', 'cache', localDir, url);
    assert.equal(again.code, 0, again.stdout);
  });

  void it('finds a change of the same size and mtime only with --checksum, and compares without moving content', async () => {
    writeTree(localDir, { 'a.txt': 'same size A', 'b.txt': 'unchanged', 'big.bin': Buffer.alloc(3 << 20, 7) });
    writeTree(remoteDir, { 'a.txt': 'same size B', 'b.txt': 'unchanged', 'big.bin': Buffer.alloc(3 << 20, 7) });
    const quick = await ferry('sync', localDir, url);
    assert.equal(quick.code, 0, 'size and mtime alike: in sync by the quick check');

    server.requests.length = 0;
    const dry = await ferry('sync', '--checksum', '--dry-run', localDir, url);
    assert.equal(dry.code, CHANGED);
    assert.match(dry.stdout, /^update {2}a\.txt {2}11 B$/m);
    assert.doesNotMatch(dry.stdout, /b\.txt|big\.bin/);
    // The server hashed its files itself: no content request, no byte of content on the wire.
    assert.deepEqual(contentTransfers(server.requests), { requests: [], bytes: 0 });
    assert.ok(server.requests.some((r) => r.request === 'SUMS' && r.result === 'ok'), 'a SUMS request');

    const fix = await ferry('sync', '--checksum', localDir, url);
    assert.equal(fix.code, CHANGED);
    assert.equal(readTree(remoteDir)['a.txt'], 'same size A');
    server.requests.length = 0;
    const same = await ferry('sync', '--checksum', localDir, url);
    assert.equal(same.code, 0);
    assert.deepEqual(contentTransfers(server.requests), { requests: [], bytes: 0 });
  });

  void it('downloads: creates, updates, deletes with --delete, excludes, and checks content with --checksum', async () => {
    writeTree(remoteDir, { 'a.txt': 'alpha', 'sub/b.txt': 'beta', 'skip.log': 'log', 'same.txt': 'AAAA' });
    writeTree(localDir, { 'a.txt': 'old!', 'local-only.txt': 'x', 'keep.log': 'mine', 'same.txt': 'BBBB' });
    const run = await ferry('sync', '--delete', '--exclude', '*.log', url, localDir);
    assert.equal(run.code, CHANGED, run.stderr);
    assert.deepEqual(readTree(localDir), { 'a.txt': 'alpha', 'sub/b.txt': 'beta', 'keep.log': 'mine', 'same.txt': 'BBBB' });
    assert.equal(mtimeOf(path.join(localDir, 'sub/b.txt')), T0.getTime());
    assert.equal((await ferry('sync', '--delete', '--exclude', '*.log', url, localDir)).code, 0);

    server.requests.length = 0;
    const checked = await ferry('sync', '--checksum', '--exclude', '*.log', url, localDir);
    assert.equal(checked.code, CHANGED);
    assert.equal(readTree(localDir)['same.txt'], 'AAAA');
    assert.deepEqual(contentTransfers(server.requests).requests, [`DWLD /${name}/same.txt offset=0`]);
  });

  void it('replaces a folder in the way of a file only with --delete', async () => {
    writeTree(localDir, { 'x': 'a file' });
    writeTree(remoteDir, { 'x/inside.txt': 'in a folder' });
    const refused = await ferry('sync', localDir, url);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^ferry: EXISTS: .*x is a folder/);
    assert.equal(readTree(remoteDir)['x/inside.txt'], 'in a folder', 'nothing changed');
    assert.equal((await ferry('sync', '--delete', localDir, url)).code, CHANGED);
    assert.deepEqual(readTree(remoteDir), { 'x': 'a file' });
  });

  void it('exits 1 with one line for a missing source (never "empty, so delete everything")', async () => {
    writeTree(remoteDir, { 'precious.txt': 'keep me' });
    const missing = await ferry('sync', '--delete', path.join(local, 'no-such-folder'), url);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^ferry: NOT_FOUND: /);
    assert.equal(readTree(remoteDir)['precious.txt'], 'keep me');
    const missingRemote = await ferry('sync', '--delete', `${server.url}/no-such-folder`, localDir);
    assert.equal(missingRemote.code, 1);
    assert.match(missingRemote.stderr, /^ferry: NOT_FOUND: /);
    const usage = await ferry('sync', localDir);
    assert.equal(usage.code, 2);
  });

  void it('the ferry binary exits 3 when it changed a local copy, then 0 (local to local)', async () => {
    writeTree(localDir, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
    const copy = path.join(local, `${name}-copy`);
    writeTree(copy, { 'a.txt': 'stale copy', 'extra.txt': 'x' });
    const run = (): Promise<{ code: number | null; stdout: string }> => new Promise((resolve) => {
      execFile(process.execPath, [FERRY, 'sync', '--delete', localDir, copy], (error, stdout) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout });
      });
    });
    const first = await run();
    assert.equal(first.code, CHANGED, first.stdout);
    assert.deepEqual(readTree(copy), readTree(localDir));
    assert.equal(mtimeOf(path.join(copy, 'sub/b.txt')), T0.getTime());
    assert.deepEqual(await run(), { code: 0, stdout: 'in sync\n' });
  });

  for (const direction of ['upload', 'download'] as const) {
    void it(`an interrupted ${direction} run again does only what is left`, async () => {
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 40; i++) files[`f${String(i).padStart(2, '0')}.bin`] = Buffer.alloc(256 * 1024, i);
      const sourceTop = direction === 'upload' ? localDir : remoteDir;
      writeTree(sourceTop, files);
      const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
      try {
        const remote = new RemotePlace(client, `/${name}`, url);
        const mine = new LocalPlace(localDir);
        const [source, target] = direction === 'upload' ? [mine, remote] : [remote, mine];
        const stop = new AbortController();
        await assert.rejects(runSync(source, target, {
          signal: stop.signal,
          progressIntervalMs: 0,
          // Stop once half the files are complete (sent whole, or landed).
          onProgress: (p) => {
            if (p.filesDone >= 20) stop.abort();
          },
        }));
        // A cancelled TPUT holds its files' upload locks until the server has committed what it checked,
        // which it logs once done; a rerun before that meets BUSY (as a user who retries at once may).
        while (direction === 'upload' && !server.requests.some((r) => r.request.startsWith('TPUT ') && r.result !== 'ok')) {
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        const rest = await runSync(source, target, {});
        const done = 40 - rest.plan.create.length - rest.plan.update.length;
        assert.ok(done > 0, 'the interrupted run completed some files');
        assert.ok(rest.bytes < 40 * 256 * 1024, `the second run sent ${rest.bytes} B, less than the whole tree`);
        const again = await runSync(source, target, {});
        assert.equal(again.changed, false);
      } finally {
        await client.quit();
      }
      const expected = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, v.toString('utf8')]));
      assert.deepEqual(readTree(direction === 'upload' ? remoteDir : localDir), expected);
    });
  }
});
