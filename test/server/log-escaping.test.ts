/**
 * Nothing a peer sends reaches ferryd's log raw: a user name holding an
 * escape sequence, sent before any login, must not retitle the operator's
 * window or clear the screen, in readable lines or in JSON lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/server/log.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from './raw-client.js';

// What `ferry ls 'ferry://%1B%5D0%3BPWNED%07%1B%5B2J:x@127.0.0.1:PORT/'` sends as its user name,
// plus C1 CSI, DEL, a right-to-left override and a zero-width space.
const HOSTILE = '\u001b]0;PWNED\u0007\u001b[2J\u009b31m\u007f\u202etxt.exe\u200b';
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW = /[\u0000-\u001f\u007f-\u009f\u202e\u200b]/;

function capture(isTTY: boolean): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY });
  const chunks: string[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  return { logger: createLogger({ level: 'debug', stream }), text: () => chunks.join('') };
}

void test('readable lines escape control and format characters in every field, message and key', () => {
  const { logger, text } = capture(true);
  logger.warn(`login refused ${HOSTILE}`, { user: HOSTILE, method: 'x\u0085y', client: 'a\u2066b', op: 'LI\u001bST', [`k${HOSTILE}`]: 1 });
  const line = text();
  assert.equal(line.split('\n').length, 2, 'one line');
  const body = line.slice(0, -1);
  assert.doesNotMatch(body, RAW);
  assert.match(body, /user="\\u001b\]0;PWNED\\u0007\\u001b\[2J\\u009b31m\\u007f\\u202etxt\.exe\\u200b"/);
  assert.match(body, /method="x\\u0085y"/);
  assert.match(body, /client="a\\u2066b"/);
  assert.match(body, /op="LI\\u001bST"/);
  assert.match(body, /login refused \\x1b\]0;PWNED\\x07/);
});

void test('JSON lines escape control and format characters and still parse to the same values', () => {
  const { logger, text } = capture(false);
  logger.warn('login refused', { user: HOSTILE, error: new Error(HOSTILE), nested: { name: HOSTILE } });
  const line = text();
  assert.doesNotMatch(line.slice(0, -1), RAW);
  const parsed = JSON.parse(line) as { user: string; error: string; nested: { name: string } };
  assert.equal(parsed.user, HOSTILE);
  assert.equal(parsed.error, HOSTILE);
  assert.equal(parsed.nested.name, HOSTILE);
});

void test('a user name with an escape sequence, sent before login, reaches the terminal log escaped', async () => {
  const { logger, text } = capture(true);
  const srv = await startTestServer({ logger });
  try {
    const client = await RawClient.connect(srv.port);
    const reply = await client.handshake({ authMethod: 'password', user: HOSTILE, secret: 'x', clientName: HOSTILE });
    assert.equal(reply.op, 'FAIL');
    await client.closed;
  } finally {
    await srv.cleanup();
  }
  const log = text();
  assert.match(log, /login refused/);
  assert.match(log, /PWNED/);
  for (const line of log.split('\n')) assert.doesNotMatch(line, RAW, line);
});
