/**
 * A real HAProxy (send-proxy and send-proxy-v2) in front of a real ferryd
 * with --proxy-protocol-from: the logs and the login throttle see the
 * client's address, not the proxy's. Every address is on loopback: clients
 * connect from 127.0.0.2, 127.0.0.4…, HAProxy reaches ferryd from 127.0.0.3.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { createAuthenticator } from '../../src/security/authenticator.js';
import { LoginThrottle } from '../../src/security/login-throttle.js';
import { startHaproxy, type RunningHaproxy } from '../helpers/haproxy.js';
import { freePort } from '../helpers/listener.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { handshakeFrom, makeUsersFile, recordingLogger } from '../security/helpers.js';

const PROXY_ADDRESS = '127.0.0.3';
const skip = skipUnlessInstalled('haproxy');
const tempFolder = tempFolderMaker();
const logger = recordingLogger();
let srv: TestServer;
let proxy: RunningHaproxy;
let v1Port: number;
let v2Port: number;

before(async () => {
  if (skip) return;
  const folder = await tempFolder('ferry-proxy-');
  await makeUsersFile(folder, [{ name: 'ada', password: 'correct horse', root: folder }]);
  const throttle = new LoginThrottle({ maxFailures: 2, baseDelayMs: 1, maxDelayMs: 1 });
  srv = await startTestServer({
    root: folder, logger, proxyProtocolFrom: [PROXY_ADDRESS],
    authenticate: createAuthenticator({ usersFile: path.join(folder, 'users.json'), throttle, log: logger }),
  });
  [v1Port, v2Port] = [await freePort(), await freePort()];
  proxy = await startHaproxy(`
defaults
  mode tcp
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend ferry_v1
  bind 127.0.0.1:${v1Port}
  default_backend ferryd_v1
backend ferryd_v1
  server ferryd 127.0.0.1:${srv.port} send-proxy source ${PROXY_ADDRESS}
frontend ferry_v2
  bind 127.0.0.1:${v2Port}
  default_backend ferryd_v2
backend ferryd_v2
  server ferryd 127.0.0.1:${srv.port} send-proxy-v2 source ${PROXY_ADDRESS}
`, [v1Port, v2Port]);
});

after(async () => {
  await proxy?.stop();
  await srv?.cleanup();
});

const login = (port: number, from: string, secret: string): Promise<ServerMessage> =>
  handshakeFrom(port, from, { authMethod: 'password', user: 'ada', secret });

function linesFrom(address: string, message: string): number {
  return logger.lines.filter((line) => line.message === message && String(line.fields.remote).split(':')[0] === address).length;
}

for (const [version, port] of [['v1', () => v1Port], ['v2', () => v2Port]] as const) {
  void test(`through send-proxy${version === 'v2' ? '-v2' : ''}: the log names the client, and the proxy as via`, { skip }, async () => {
    const client = version === 'v1' ? '127.0.0.2' : '127.0.0.4';
    const reply = await login(port(), client, 'correct horse');
    assert.equal(reply.op, 'CONN', JSON.stringify(reply));
    const opened = logger.lines.find((line) => line.message === 'connection opened' && String(line.fields.remote).startsWith(`${client}:`));
    assert.ok(opened, `no 'connection opened' line for ${client}: ${proxy.output()}`);
    assert.equal(opened.fields.via, PROXY_ADDRESS);
    assert.equal(linesFrom(client, 'login'), 1);
  });
}

void test('the login throttle blocks the client behind the proxy, not the proxy', { skip }, async () => {
  const blocked = '127.0.0.5';
  for (let i = 0; i < 2; i++) {
    const reply = await login(v1Port, blocked, 'wrong');
    assert.equal(reply.op === 'FAIL' && reply.code, ErrorCode.AUTH, JSON.stringify(reply));
  }
  for (const port of [v1Port, v2Port]) {
    const reply = await login(port, blocked, 'correct horse');
    assert.equal(reply.op === 'FAIL' && reply.code, ErrorCode.LIMIT, JSON.stringify(reply));
  }
  // The same address straight to ferryd is the same client, and blocked too.
  const direct = await login(srv.port, blocked, 'correct horse');
  assert.equal(direct.op === 'FAIL' && direct.code, ErrorCode.LIMIT);
  // Another client through the same proxy is not.
  const other = await login(v2Port, '127.0.0.6', 'correct horse');
  assert.equal(other.op, 'CONN', JSON.stringify(other));
  assert.ok(logger.lines.some((line) => line.message === 'address blocked after repeated failed logins' && line.fields.remote === blocked));
});

void test('a PROXY header from an address not listed is an ordinary bad frame', { skip }, async () => {
  const header = Buffer.from('PROXY TCP4 192.0.2.1 127.0.0.1 5555 7070\r\n', 'latin1');
  const reply = await handshakeFrom(srv.port, '127.0.0.7', {}, 10_000, header);
  assert.equal(reply.op, 'FAIL');
  assert.ok(!logger.lines.some((line) => String(line.fields.remote).startsWith('192.0.2.1')), 'the header was believed');
});

void test('a connection from the proxy\'s address without a PROXY header is refused', { skip }, async () => {
  const reply = await login(srv.port, PROXY_ADDRESS, 'correct horse');
  assert.equal(reply.op === 'FAIL' && reply.code, ErrorCode.BAD_FRAME, JSON.stringify(reply));
  assert.ok(logger.lines.some((line) => line.message === 'bad PROXY protocol header: refusing' && line.fields.remote === PROXY_ADDRESS));
});
