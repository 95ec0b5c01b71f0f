/**
 * Recursive transfers of a folder tree against a real ferryd: a few hundred
 * small files in nested folders go up and come back byte for byte, with
 * their mtimes; overwrite rules apply per file; a listing that names a path
 * outside the target is refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { checkedRelativeName } from '../../src/client/listed-names.js';
import type { TreeProgress } from '../../src/client/types.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { patternBytes } from './files.js';

const FILES = 300;

function makeTree(top: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < FILES; i++) {
    const folder = i % 3 === 0 ? '' : i % 3 === 1 ? `d${i % 7}` : `d${i % 7}/sub${i % 5}/leaf`;
    const relative = folder === '' ? `file-${i}.txt` : `${folder}/file-${i}.txt`;
    const data = patternBytes(i * 37 % 9000, i + 1);
    fs.mkdirSync(path.join(top, folder), { recursive: true });
    fs.writeFileSync(path.join(top, relative), data);
    files.set(relative, data);
  }
  fs.mkdirSync(path.join(top, 'empty-folder', 'inner'), { recursive: true });
  return files;
}

void describe('tree transfers', () => {
  let server: ConnectedTestServer;
  let client: FerryClient;
  let local: string;

  before(async () => {
    ({ client, local } = server = await startConnectedTestServer({}, 'ferry-tree-'));
  });
  after(() => server.cleanup());

  void it('uploads a tree and downloads it back, byte for byte', async () => {
    const source = path.join(local, 'source');
    const files = makeTree(source);
    const mtime = new Date('2020-01-02T03:04:05.000Z');
    fs.utimesSync(path.join(source, 'file-0.txt'), mtime, mtime);

    const progress: TreeProgress[] = [];
    const up = await client.uploadTree(source, 'tree/up', { onProgress: (p) => progress.push(p) });
    assert.equal(up.files, FILES);
    assert.ok(up.folders >= 2);
    for (const [relative, data] of files) {
      assert.ok(fs.readFileSync(path.join(server.root, 'tree', 'up', relative)).equals(data), relative);
    }
    assert.ok(fs.statSync(path.join(server.root, 'tree', 'up', 'empty-folder', 'inner')).isDirectory());
    assert.equal(fs.statSync(path.join(server.root, 'tree', 'up', 'file-0.txt')).mtimeMs, mtime.getTime());
    const last = progress.at(-1)!;
    assert.equal(last.filesDone, FILES);
    assert.equal(last.bytesDone, last.bytesTotal);

    const back = path.join(local, 'back');
    const down = await client.downloadTree('tree/up', back, { concurrency: 16 });
    assert.equal(down.files, FILES);
    for (const [relative, data] of files) {
      assert.ok(fs.readFileSync(path.join(back, relative)).equals(data), relative);
    }
    assert.ok(fs.statSync(path.join(back, 'empty-folder', 'inner')).isDirectory());
    assert.equal(fs.statSync(path.join(back, 'file-0.txt')).mtimeMs, mtime.getTime());
    const leftovers = fs.readdirSync(back, { recursive: true }).map(String).filter((n) => n.endsWith('.ferry-part'));
    assert.deepEqual(leftovers, []);
  });

  void it('refuses to replace existing files without overwrite, and replaces them with it', async () => {
    const source = path.join(local, 'again');
    makeTree(source);
    await client.uploadTree(source, 'tree/again');
    await assert.rejects(client.uploadTree(source, 'tree/again'), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.EXISTS);
    const result = await client.uploadTree(source, 'tree/again', { overwrite: true });
    assert.equal(result.files, FILES);
    const back = path.join(local, 'again-back');
    await client.downloadTree('tree/again', back);
    await assert.rejects(client.downloadTree('tree/again', back), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.EXISTS);
    await client.downloadTree('tree/again', back, { overwrite: true });
  });

  void it('leaves local unfinished downloads (.NAME.ferry-part) out of an upload', async () => {
    const source = path.join(local, 'with-partials');
    fs.mkdirSync(path.join(source, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(source, 'done.txt'), 'done');
    fs.writeFileSync(path.join(source, '.half.bin.ferry-part'), 'half');
    fs.writeFileSync(path.join(source, 'sub', '.other.ferry-part'), 'half');
    const result = await client.uploadTree(source, 'tree/partials');
    assert.equal(result.files, 1);
    assert.deepEqual(fs.readdirSync(path.join(server.root, 'tree', 'partials'), { recursive: true }).map(String).sort(), ['done.txt', 'sub']);
  });

  void it('reports a missing remote folder', async () => {
    await assert.rejects(client.downloadTree('tree/none', path.join(local, 'none')), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.NOT_FOUND);
  });

  void it('refuses listed names that would leave the target folder', () => {
    for (const name of ['../x', 'a/../../x', '/etc/passwd', 'a//b', '.', 'a\\b', 'a\u0000b']) {
      assert.throws(() => checkedRelativeName(name), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.INVALID_PATH, name);
    }
    assert.equal(checkedRelativeName('a/b c/d.txt'), 'a/b c/d.txt');
  });
});
