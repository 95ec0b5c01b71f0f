/**
 * A selection of a folder's entries as one tree transfer (`names`), and a
 * resumed tree that sends only what an earlier run did not land. Real ferryd.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';

function write(top: string, files: Record<string, string>): void {
  for (const [relative, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(top, relative)), { recursive: true });
    fs.writeFileSync(path.join(top, relative), content);
  }
}

/** Every file below `top`, relative, with its content. */
function contents(top: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(top, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(top, full).split(path.sep).join('/')] = fs.readFileSync(full, 'utf8');
  }
  return out;
}

const SOURCE = { 'a.txt': 'a', 'b.txt': 'bb', 'skip.txt': 'no', 'dir/inner/x.txt': 'x', 'other/y.txt': 'y' };
const CHOSEN = { 'a.txt': 'a', 'b.txt': 'bb', 'dir/inner/x.txt': 'x' };

void describe('tree selections', () => {
  let server: ConnectedTestServer;
  let client: FerryClient;
  let local: string;

  before(async () => {
    ({ client, local } = server = await startConnectedTestServer({}, 'ferry-selection-'));
  });
  after(() => server.cleanup());

  void it('the server offers tree-names', () => {
    assert.ok(client.info.capabilities.includes('tree-names'));
  });

  void it('downloads only the named entries, each with everything below it, in one TGET', async () => {
    write(path.join(server.root, 'pick'), SOURCE);
    const target = path.join(local, 'picked-down');
    fs.mkdirSync(target);
    const result = await client.downloadTree('pick', target, { names: ['a.txt', 'b.txt', 'dir'] });
    assert.deepEqual(contents(target), CHOSEN);
    assert.equal(result.files, 3);
  });

  void it('a selection longer than one frame goes as several TGETs', async () => {
    const top = path.join(server.root, 'many');
    const names: string[] = [];
    const files: Record<string, string> = {};
    // Names of ~200 bytes: 400 of them pass 64 KiB, the smallest frame limit a session may have.
    for (let i = 0; i < 400; i++) {
      const name = `${String(i).padStart(4, '0')}-${'n'.repeat(190)}`;
      names.push(name);
      files[name] = String(i);
    }
    write(top, { ...files, 'not-chosen': 'z' });
    const small = await FerryClient.connect({ host: '127.0.0.1', port: server.port, tls: 'off', maxFrame: 64 * 1024 });
    try {
      const target = path.join(local, 'many-down');
      fs.mkdirSync(target);
      await small.downloadTree('many', target, { names });
      assert.deepEqual(contents(target), files);
    } finally {
      await small.quit();
    }
  });

  void it('uploads only the named entries in one TPUT', async () => {
    const source = path.join(local, 'pick-up');
    write(source, SOURCE);
    await client.mkdir('up');
    await client.uploadTree(source, 'up', { names: ['a.txt', 'b.txt', 'dir'] });
    assert.deepEqual(contents(path.join(server.root, 'up')), CHOSEN);
  });

  void it('a resumed download leaves the files an earlier run completed and fetches the rest', async () => {
    write(path.join(server.root, 'again'), { 'done.txt': 'complete', 'todo.txt': 'missing', 'sub/late.txt': 'late' });
    const target = path.join(local, 'again-down');
    await client.downloadTree('again', target, { names: ['done.txt'] });
    // A file under a final name that the tree would not write: the resume must not touch it.
    const done = path.join(target, 'done.txt');
    const before = fs.statSync(done);
    const result = await client.downloadTree('again', target, { resume: true });
    assert.deepEqual(contents(target), { 'done.txt': 'complete', 'todo.txt': 'missing', 'sub/late.txt': 'late' });
    assert.equal(result.bytes, 'missing'.length + 'late'.length, 'only the missing files moved');
    assert.equal(fs.statSync(done).ino, before.ino, 'the complete file was not written again');
  });

  void it('a resumed upload sends only what is not at the target yet', async () => {
    const source = path.join(local, 'again-up');
    write(source, { 'done.txt': 'complete', 'todo.txt': 'missing' });
    await client.mkdir('again-up');
    await client.uploadTree(source, 'again-up', { names: ['done.txt'] });
    const result = await client.uploadTree(source, 'again-up', { resume: true });
    assert.equal(result.bytes, 'missing'.length);
    assert.deepEqual(contents(path.join(server.root, 'again-up')), { 'done.txt': 'complete', 'todo.txt': 'missing' });
  });
});
