/**
 * The access log: every finished request is one info line, transfers of any
 * size with their bytes and duration, failures with their code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { recordingLogger } from '../security/helpers.js';
import { RawClient } from './raw-client.js';

void test('each request is logged at info: small transfers with bytes and ms, other requests and failures too', async (t) => {
  const log = recordingLogger();
  const srv = await startTestServer({ logger: log });
  t.after(() => srv.cleanup());
  await fs.writeFile(path.join(srv.root, 'small.txt'), 'hello\n');
  const client = await RawClient.open(srv.port);
  assert.equal((await client.upload('up.txt', Buffer.from('four'))).op, 'DONE');
  assert.ok('content' in await client.download('small.txt'));
  await client.list('');
  assert.equal((await client.request({ op: 'STAT', id: client.id(), path: 'missing' })).op, 'FAIL');
  await client.quit();

  const requests = log.lines.filter((l) => l.message === 'request');
  for (const line of requests) assert.equal(line.level, 'info', JSON.stringify(line));
  const find = (prefix: string) => requests.find((l) => String(l.fields.request).startsWith(prefix));
  const upload = find('UPLD up.txt');
  assert.ok(upload && upload.fields.result === 'ok' && upload.fields.bytes === 4 && typeof upload.fields.ms === 'number', JSON.stringify(upload));
  const download = find('DWLD small.txt');
  assert.ok(download && download.fields.result === 'ok' && download.fields.bytes === 6 && typeof download.fields.ms === 'number', JSON.stringify(download));
  assert.ok(find('LIST /')?.fields.result === 'ok');
  assert.match(String(find('STAT missing')?.fields.result), /^NOT_FOUND: /);
  assert.equal(requests.length, 4, 'one line per request, not one more per transfer');
});
