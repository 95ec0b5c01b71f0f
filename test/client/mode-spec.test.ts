import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseModeSpec } from '../../src/client/mode-spec.js';

const apply = (spec: string, mode: number): number => {
  const change = parseModeSpec(spec);
  assert.ok(change, spec);
  return ((mode & ~change.clear) | change.set) & 0o7777;
};

void test('octal modes replace every bit', () => {
  assert.equal(apply('644', 0o4777), 0o644);
  assert.equal(apply('0755', 0), 0o755);
  assert.equal(apply('1777', 0), 0o1777);
});

void test('symbolic clauses change only the bits they name, in order', () => {
  assert.equal(apply('u+x', 0o644), 0o744);
  assert.equal(apply('go-w', 0o666), 0o644);
  assert.equal(apply('+x', 0o644), 0o755);
  assert.equal(apply('a=r,u+w', 0o777), 0o644);
  assert.equal(apply('u=rw,g=,o=', 0o777), 0o600);
  assert.equal(apply('o-rwx,u+s', 0o755), 0o4750);
  assert.equal(apply('+t', 0o777), 0o1777);
});

void test('what is not a mode is refused', () => {
  for (const bad of ['', '8', '12345', 'u+X', 'x+u', 'u+x,', 'rwx']) {
    assert.equal(parseModeSpec(bad), undefined, bad);
  }
});
