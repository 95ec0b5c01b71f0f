import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FerryClient } from '../../src/client/client.js';
import { ENTS_LINK_TARGETS, LIST_LINK_TARGETS } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { withServer } from './raw-client.js';

void test('LIST with link targets: a symlink carries its text (inside or outside the root, never followed)', async () => {
  const srv = await startTestServer();
  try {
    await fs.writeFile(path.join(srv.root, 'file'), 'x');
    await fs.mkdir(path.join(srv.root, 'sub'));
    await fs.symlink('file', path.join(srv.root, 'near'));
    await fs.symlink('/etc/passwd', path.join(srv.root, 'far'));
    await fs.symlink('../file', path.join(srv.root, 'sub/up'));
    const client = await FerryClient.connect({ host: '127.0.0.1', port: srv.port });
    try {
      assert.ok(client.info.capabilities.includes('link-targets'));
      const listed = await client.list('/', { linkTargets: true, recursive: true });
      const targets = Object.fromEntries(listed.map((e) => [e.name, e.linkTarget]));
      assert.deepEqual(targets, { file: undefined, sub: undefined, near: 'file', far: '/etc/passwd', 'sub/up': '../file' });
      const plain = await client.list('/');
      assert.ok(plain.every((e) => e.linkTarget === undefined), 'not asked: no targets');
    } finally {
      await client.quit();
    }
  } finally {
    await srv.cleanup();
  }
});

void test('an old client (no LIST flag 2) gets the entry layout it knows; the flag gets ENTS flag 4', () => withServer(async (srv, c) => {
  await fs.symlink('somewhere', path.join(srv.root, 'l'));
  const id = 7;
  c.send({ op: 'LIST', id, path: '', flags: 0 });
  const old = await c.nextFor(id);
  assert.equal(old.op === 'ENTS' && old.flags & ENTS_LINK_TARGETS, 0);
  assert.deepEqual(old.op === 'ENTS' && old.entries.map((e) => e.linkTarget), [undefined]);
  c.send({ op: 'LIST', id: 8, path: '', flags: LIST_LINK_TARGETS });
  const asked = await c.nextFor(8);
  assert.equal(asked.op === 'ENTS' && asked.flags & ENTS_LINK_TARGETS, ENTS_LINK_TARGETS);
  assert.deepEqual(asked.op === 'ENTS' && asked.entries.map((e) => e.linkTarget), ['somewhere']);
}));
