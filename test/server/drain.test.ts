/**
 * FerryServer.drain(): new sessions are refused with FAIL LIMIT (the CONN's
 * id, credentials not looked at) while open sessions keep working, new
 * requests and transfers included, until close().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { codeNameOf, RawClient, sha256 } from './raw-client.js';

void test('a draining server refuses new sessions with LIMIT and keeps serving the open ones', async () => {
  let asked = 0;
  const srv = await startTestServer({
    authenticate: (attempt) => {
      asked++;
      return Promise.resolve({ user: attempt.user, root: srv.root, readOnly: false });
    },
  });
  try {
    const open = await RawClient.open(srv.port);
    assert.equal(asked, 1);
    srv.server.drain();
    srv.server.drain(); // idempotent
    assert.equal(srv.server.draining, true);

    const late = await RawClient.connect(srv.port);
    const reply = await late.handshake({ id: 9, authMethod: 'password', user: 'ada', secret: 'whatever' });
    assert.equal(reply.op, 'FAIL');
    assert.ok(reply.op === 'FAIL' && reply.code === ErrorCode.LIMIT && reply.id === 9, JSON.stringify(reply));
    assert.match(reply.op === 'FAIL' ? reply.message : '', /draining/);
    await late.closed;
    assert.equal(asked, 1, 'the credentials of a refused CONN are not checked');

    // The open session goes on: a new upload and a listing.
    const content = randomBytes(300_000);
    assert.equal(codeNameOf(await open.upload('during-drain.bin', content)), 'DONE');
    assert.deepEqual(sha256(await fs.readFile(path.join(srv.root, 'during-drain.bin'))), sha256(content));
    const { entries } = await open.list('/');
    assert.deepEqual(entries.map((entry) => entry.name), ['during-drain.bin']);
    await open.quit();
  } finally {
    await srv.cleanup();
  }
});
