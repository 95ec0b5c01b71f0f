import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

void test('handshake answers CONN with the negotiated limits and capabilities', async () => {
  const srv = await startTestServer();
  try {
    const client = await RawClient.connect(srv.port);
    const reply = await client.handshake({ maxFrame: 1 << 20 });
    assert.equal(reply.op, 'CONN');
    if (reply.op !== 'CONN') return;
    assert.equal(reply.version, 1);
    assert.equal(reply.maxFrame, 1 << 20);
    assert.equal(reply.maxInFlight, 64);
    assert.deepEqual(reply.capabilities, ['sha256', 'resume', 'list-recursive', 'tree', 'tree-names', 'keepalive', 'sums', 'chmod', 'find', 'link-targets', 'symlink']);
    assert.equal(reply.flags, 0);
    await client.quit();
  } finally {
    await srv.cleanup();
  }
});

void test('LIST returns typed entries of the root', async () => {
  const srv = await startTestServer();
  try {
    await fs.writeFile(path.join(srv.root, 'hello.txt'), 'hello\n');
    await fs.mkdir(path.join(srv.root, 'sub'));
    await fs.symlink('hello.txt', path.join(srv.root, 'link'));
    const client = await RawClient.open(srv.port);
    const { entries } = await client.list('');
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get('hello.txt')?.kind, 0);
    assert.equal(byName.get('hello.txt')?.size, 6);
    assert.equal(byName.get('sub')?.kind, 1);
    assert.equal(byName.get('link')?.kind, 2);
    const missing = await client.request({ op: 'LIST', id: 5, path: 'nope', flags: 0 });
    assert.equal(missing.op, 'FAIL');
    if (missing.op === 'FAIL') assert.equal(missing.code, ErrorCode.NOT_FOUND);
    await client.quit();
  } finally {
    await srv.cleanup();
  }
});
