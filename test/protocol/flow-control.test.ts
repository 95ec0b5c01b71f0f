/** The flow-control rules of docs/PROTOCOL.md §5, without sockets. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReceiveWindow, SendWindow } from '../../src/protocol/flow-control.js';

void test('a send window starts at the request window and grows by each WIND', () => {
  const window = new SendWindow(1000);
  assert.equal(window.available, 1000);
  window.grant(250);
  assert.equal(window.available, 1250);
});

void test('take spends at most the credit there is, and nothing when there is none', () => {
  const window = new SendWindow(100);
  assert.equal(window.take(60), 60);
  assert.equal(window.take(60), 40);
  assert.equal(window.take(60), 0);
  assert.equal(window.available, 0);
  window.grant(10);
  assert.equal(window.take(60), 10);
});

void test('a send window without an initial window waits for its OPEN', () => {
  const window = new SendWindow();
  assert.equal(window.take(1), 0);
  window.grant(5);
  assert.equal(window.take(1), 1);
});

void test('spending beyond the credit is refused before anything is spent', () => {
  const window = new SendWindow(10);
  assert.throws(() => window.spend(11), RangeError);
  assert.equal(window.available, 10);
  window.spend(10);
  assert.equal(window.available, 0);
});

void test('a window must fit the u32 field it travels in', () => {
  assert.throws(() => new SendWindow(-1), RangeError);
  assert.throws(() => new ReceiveWindow(2 ** 32), RangeError);
  assert.throws(() => new ReceiveWindow(1.5), RangeError);
});

void test('a receive window accepts DATA up to its credit and refuses an overrun without spending', () => {
  const window = new ReceiveWindow(100);
  assert.equal(window.receive(60), true);
  assert.equal(window.available, 40);
  assert.equal(window.receive(41), false);
  assert.equal(window.available, 40);
  assert.equal(window.receive(40), true);
  assert.equal(window.receive(1), false);
});

void test('the quarter rule grants nothing until a quarter of the window is taken in, then all of it at once', () => {
  const window = new ReceiveWindow(1000);
  window.receive(1000);
  assert.equal(window.consumed(100), 0);
  assert.equal(window.consumed(149), 0);
  assert.equal(window.available, 0);
  assert.equal(window.consumed(1), 250);
  assert.equal(window.available, 250);
  // A batch that overshoots the quarter goes back whole.
  assert.equal(window.consumed(600), 600);
  assert.equal(window.available, 850);
  assert.equal(window.consumed(150), 0);
});

void test('the quarter rule keeps three quarters of the window with the sender', () => {
  const size = 1 << 20;
  const window = new ReceiveWindow(size);
  let ungranted = 0;
  for (let i = 0; i < 10_000; i++) {
    const bytes = 1 + ((i * 7919) % 4096);
    assert.equal(window.receive(bytes), true);
    ungranted += bytes;
    const increment = window.consumed(bytes);
    if (increment > 0) {
      assert.equal(increment, ungranted);
      ungranted = 0;
    }
    assert.ok(ungranted < size / 4);
    assert.equal(window.available + ungranted, size);
  }
});

void test('a window smaller than four bytes grants every byte', () => {
  const window = new ReceiveWindow(3);
  assert.equal(window.consumed(1), 1);
});

void test('the each rule grants every byte taken in at once', () => {
  const window = new ReceiveWindow(1000, 'each');
  window.receive(10);
  assert.equal(window.consumed(1), 1);
  assert.equal(window.consumed(9), 9);
  assert.equal(window.available, 1000);
  assert.equal(window.consumed(0), 0);
});
