import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideExposure, type ExposureInput } from '../../src/security/exposure.js';

const base: ExposureInput = {
  host: '127.0.0.1', userCount: 0, anonymous: false, insecureAllowAnonymousOnNetwork: false, tls: true, allowPlain: false, usersFile: '/c/users.json',
};

void test('loopback without users serves anonymously; with users, anonymous needs --anonymous', () => {
  assert.deepEqual(decideExposure(base).refusals, []);
  assert.equal(decideExposure(base).anonymous, true);
  assert.equal(decideExposure({ ...base, userCount: 2 }).anonymous, false);
  assert.equal(decideExposure({ ...base, userCount: 2, anonymous: true }).anonymous, true);
  assert.deepEqual(decideExposure({ ...base, host: '::1', tls: false }).refusals, []);
});

void test('a network address without authentication is refused unless the loud flag is given', () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.10', 'files.example.org']) {
    const noUsers = decideExposure({ ...base, host });
    assert.equal(noUsers.refusals.length, 1, host);
    assert.match(noUsers.refusals[0]!, /without authentication.*ferryd user add.*--insecure-allow-anonymous-on-network/s);
    assert.equal(decideExposure({ ...base, host, userCount: 1, anonymous: true }).refusals.length, 1);
    assert.deepEqual(decideExposure({ ...base, host, userCount: 1 }).refusals, []);
    const loud = decideExposure({ ...base, host, insecureAllowAnonymousOnNetwork: true });
    assert.deepEqual(loud.refusals, []);
    assert.ok(loud.notices.some((line) => line.startsWith('INSECURE')));
  }
});

void test('a network address without TLS is refused unless --allow-plain', () => {
  const refused = decideExposure({ ...base, host: '0.0.0.0', userCount: 1, tls: false });
  assert.match(refused.refusals.join(), /without TLS/);
  assert.deepEqual(decideExposure({ ...base, host: '0.0.0.0', userCount: 1, tls: false, allowPlain: true }).refusals, []);
});
