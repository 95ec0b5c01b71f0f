/**
 * ferry:// chooses plain TCP or TLS by the address it actually connects to,
 * not by the look of the name: `evil.localhost` resolving to another machine
 * gets TLS (so no password crosses in clear), and any name whose connection
 * lands on a loopback address gets plain TCP. (Tests stay on loopback, so the
 * first half is checked on usesTls, which openSocket asks with the connected
 * socket's remote address.)
 */
import type dns from 'node:dns';
import net from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackAddress, isLoopbackHost, resolveHost } from '../../src/net/host.js';
import { openSocket, usesTls } from '../../src/connection/open-socket.js';
import { startTestServer } from '../helpers/server.js';

/** A resolver with fixed answers, standing in for DNS (the connections themselves are real). */
function fixedLookup(answers: Record<string, string>): net.LookupFunction {
  return (name, options, callback) => {
    const address = answers[name];
    if (address === undefined) {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }), '', 0);
      return;
    }
    const family = address.includes(':') ? 6 : 4;
    if (options.all) (callback as unknown as (error: null, all: dns.LookupAddress[]) => void)(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** The same answers in resolveHost's shape. */
const fixedResolve = (answers: Record<string, string>) => (name: string) =>
  answers[name] === undefined ? Promise.reject(new Error(`ENOTFOUND ${name}`)) : Promise.resolve({ address: answers[name], family: 4 });

void test('loopback is a property of addresses; *.localhost is no longer taken on its word', () => {
  for (const address of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(address), address);
  for (const address of ['0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', 'localhost', 'evil.localhost']) assert.ok(!isLoopbackAddress(address), address);
  assert.equal(isLoopbackHost('evil.localhost'), false);
  assert.equal(usesTls('auto', '0.0.0.0'), true);
  assert.equal(usesTls('auto', '127.0.0.1'), false);
});

void test('resolveHost keeps an address as it is and asks the resolver for a name', async () => {
  assert.equal(await resolveHost('[::1]'), '::1');
  assert.equal(await resolveHost('evil.localhost', fixedResolve({ 'evil.localhost': '0.0.0.0' })), '0.0.0.0');
});

void test('a name that resolves to a loopback address is connected to in plain TCP', async (t) => {
  const srv = await startTestServer();
  t.after(() => srv.cleanup());
  const opened = await openSocket({
    host: 'ferry-test.invalid', port: srv.port, tls: 'auto', timeoutMs: 10_000, lookup: fixedLookup({ 'ferry-test.invalid': '127.0.0.1' }),
  });
  opened.socket.destroy();
  assert.equal(opened.tls, false);
});
