import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoginThrottle, throttleKey } from '../../src/security/login-throttle.js';

function fail(throttle: LoginThrottle, address: string): { delayMs: number; blocked: boolean } {
  const admission = throttle.admit(address);
  assert.ok(admission.admitted, `${address} should be admitted`);
  return admission.ticket.failed();
}

void test('failures grow the delay, then block the address for blockMs; other addresses are unaffected', () => {
  let now = 1_000_000;
  const blocks: string[] = [];
  const throttle = new LoginThrottle({
    maxFailures: 4, windowMs: 60_000, blockMs: 600_000, baseDelayMs: 100, maxDelayMs: 300, now: () => now,
    onBlock: ({ address }) => blocks.push(address),
  });
  assert.deepEqual([1, 2, 3].map(() => fail(throttle, '10.0.0.1').delayMs), [100, 200, 300]);
  const fourth = fail(throttle, '10.0.0.1');
  assert.equal(fourth.blocked, true);
  assert.deepEqual(blocks, ['10.0.0.1']);
  const refused = throttle.admit('10.0.0.1');
  assert.equal(refused.admitted, false);
  assert.ok(!refused.admitted && refused.retryAfterMs === 600_000);
  assert.ok(throttle.admit('10.0.0.2').admitted);
  now += 600_001;
  assert.ok(throttle.admit('10.0.0.1').admitted, 'the block ends');
});

void test('failures older than the window are forgotten; successes do not count', () => {
  let now = 0;
  const throttle = new LoginThrottle({ maxFailures: 2, windowMs: 1000, blockMs: 5000, now: () => now });
  fail(throttle, '10.0.0.1');
  now += 1001;
  assert.equal(fail(throttle, '10.0.0.1').blocked, false);
  const ok = throttle.admit('10.0.0.1');
  assert.ok(ok.admitted);
  ok.ticket.succeeded();
  assert.equal(fail(throttle, '10.0.0.1').blocked, true);
});

void test('attempts in progress count: parallel connections get no more than maxFailures guesses', () => {
  const throttle = new LoginThrottle({ maxFailures: 3 });
  const admitted = Array.from({ length: 10 }, () => throttle.admit('10.0.0.9')).filter((a) => a.admitted);
  assert.equal(admitted.length, 3);
});

void test('a ticket reports once; memory stays under the cap', () => {
  const throttle = new LoginThrottle({ maxTrackedAddresses: 100 });
  const admission = throttle.admit('10.0.0.1');
  assert.ok(admission.admitted);
  admission.ticket.abandoned();
  assert.throws(() => admission.ticket.failed(), /twice/);
  for (let i = 0; i < 5000; i += 1) fail(throttle, `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
  assert.equal(throttle.trackedAddresses, 100);
});

void test('IPv6 addresses are tracked by /64, IPv4-mapped ones as IPv4', () => {
  assert.equal(throttleKey('2001:db8:1:2:aaaa::1'), throttleKey('2001:db8:1:2:bbbb::2'));
  assert.notEqual(throttleKey('2001:db8:1:2::1'), throttleKey('2001:db8:1:3::1'));
  assert.equal(throttleKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(throttleKey('::1'), '0:0:0:0::/64');
});
