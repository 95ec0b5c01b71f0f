/**
 * Times before 1970 have no u64 form (docs/PROTOCOL.md §2): both sides send
 * them as 0, so a file from 1960 is listed, downloaded and uploaded like any
 * other instead of failing on a time the wire cannot carry.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { startTestServer } from '../helpers/server.js';
import { tempDir } from './files.js';

const IN_1960 = new Date('1960-01-01T00:00:00Z');

void test('a file from 1960 is listed, downloaded and uploaded, its time sent as 0', async () => {
  const server = await startTestServer();
  const local = tempDir('ferry-client-1960-');
  try {
    fs.writeFileSync(path.join(server.root, 'remote-old.txt'), 'remote\n');
    fs.utimesSync(path.join(server.root, 'remote-old.txt'), IN_1960, IN_1960);
    fs.writeFileSync(path.join(local, 'local-old.txt'), 'local\n');
    fs.utimesSync(path.join(local, 'local-old.txt'), IN_1960, IN_1960);
    fs.mkdirSync(path.join(local, 'tree'));
    fs.writeFileSync(path.join(local, 'tree', 'in-tree.txt'), 'tree\n');
    fs.utimesSync(path.join(local, 'tree', 'in-tree.txt'), IN_1960, IN_1960);
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      assert.equal((await client.stat('remote-old.txt')).mtimeMs, 0);
      await client.download('remote-old.txt', path.join(local, 'remote-old.txt'));
      assert.equal(fs.readFileSync(path.join(local, 'remote-old.txt'), 'utf8'), 'remote\n');
      assert.equal(fs.statSync(path.join(local, 'remote-old.txt')).mtimeMs, 0);
      await client.upload(path.join(local, 'local-old.txt'), 'local-old.txt');
      assert.equal(fs.readFileSync(path.join(server.root, 'local-old.txt'), 'utf8'), 'local\n');
      await client.mkdir('tree');
      await client.uploadTree(path.join(local, 'tree'), 'tree');
      assert.equal(fs.readFileSync(path.join(server.root, 'tree', 'in-tree.txt'), 'utf8'), 'tree\n');
    } finally {
      await client.quit();
    }
  } finally {
    await server.cleanup();
    fs.rmSync(local, { recursive: true, force: true });
  }
});
