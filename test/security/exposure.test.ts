import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideExposure, type ExposureInput } from '../../src/security/exposure.js';

const base: ExposureInput = {
  host: '127.0.0.1', userCount: 0, anonymous: false, insecureAllowAnonymousOnNetwork: false, tls: true, allowPlain: false, usersFile: '/c/users.json',
};

void test('loopback without users serves anonymously until a user exists, with a warning; with users, anonymous needs --anonymous', () => {
  const implicit = decideExposure({ ...base, root: '/srv/mine' });
  assert.deepEqual(implicit.refusals, []);
  assert.equal(implicit.anonymous, true);
  assert.equal(implicit.anonymousUntilUsers, true);
  assert.equal(implicit.warnings.length, 1);
  assert.match(implicit.warnings[0]!, /^ANONYMOUS ACCESS: .*\/c\/users\.json.*\/srv\/mine.*ferryd user add.*--anonymous/);
  assert.equal(decideExposure({ ...base, userCount: 2 }).anonymous, false);
  const explicit = decideExposure({ ...base, userCount: 2, anonymous: true });
  assert.equal(explicit.anonymous, true);
  assert.equal(explicit.anonymousUntilUsers, false, '--anonymous does not end when users exist');
  assert.equal(decideExposure({ ...base, anonymous: true }).anonymousUntilUsers, false);
  assert.deepEqual(decideExposure({ ...base, host: '::1', tls: false }).refusals, []);
});

void test('a network address: anonymous access only with --anonymous and the loud flag; nobody to log in is refused', () => {
  for (const host of ['0.0.0.0', '::', '192.0.2.10', 'files.example.org']) {
    const noUsers = decideExposure({ ...base, host });
    assert.equal(noUsers.refusals.length, 1, host);
    assert.match(noUsers.refusals[0]!, /without authentication.*ferryd user add.*--insecure-allow-anonymous-on-network/s);
    assert.equal(decideExposure({ ...base, host, userCount: 1, anonymous: true }).refusals.length, 1);
    assert.equal(decideExposure({ ...base, host, anonymous: true }).refusals.length, 1);
    assert.deepEqual(decideExposure({ ...base, host, userCount: 1 }).refusals, []);
    assert.equal(decideExposure({ ...base, host, userCount: 1 }).anonymous, false);
    // The loud flag alone no longer turns anonymous access on: it must be asked for.
    const loudOnly = decideExposure({ ...base, host, insecureAllowAnonymousOnNetwork: true });
    assert.equal(loudOnly.refusals.length, 1);
    assert.match(loudOnly.refusals[0]!, /--anonymous and --insecure-allow-anonymous-on-network/);
    const loud = decideExposure({ ...base, host, anonymous: true, insecureAllowAnonymousOnNetwork: true });
    assert.deepEqual(loud.refusals, []);
    assert.equal(loud.anonymous, true);
    assert.equal(loud.anonymousUntilUsers, false);
    assert.ok(loud.warnings.some((line) => line.startsWith('INSECURE')));
  }
});

void test('a network address without TLS is refused unless --allow-plain', () => {
  const refused = decideExposure({ ...base, host: '0.0.0.0', userCount: 1, tls: false });
  assert.match(refused.refusals.join(), /without TLS/);
  assert.deepEqual(decideExposure({ ...base, host: '0.0.0.0', userCount: 1, tls: false, allowPlain: true }).refusals, []);
});

void test('exposure is decided on the address ferryd binds, not on a name that looks like loopback', () => {
  // `ferryd --host evil.localhost` where the name resolves to 0.0.0.0: every address, so the network rules apply.
  const resolved = decideExposure({ ...base, host: '0.0.0.0', hostName: 'evil.localhost', tls: false });
  assert.equal(resolved.anonymous, false);
  assert.match(resolved.refusals.join('\n'), /refusing to listen on evil\.localhost \(0\.0\.0\.0\) without authentication/);
  assert.match(resolved.refusals.join('\n'), /without TLS/);
  // A name that was never resolved is not taken for loopback either.
  for (const name of ['evil.localhost', 'localhost']) {
    assert.notDeepEqual(decideExposure({ ...base, host: name }).refusals, [], name);
  }
});
