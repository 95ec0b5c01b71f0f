import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseKey } from '../../src/tui/keys/parse-key.js';
import { bindings, hintEntries, matchCommand, type Command, type KeyContext } from '../../src/tui/keys/keymap.js';
import { dispatchKey, isTextInput } from '../../src/tui/keys/dispatcher.js';

const cases: [string, KeyContext, Command | undefined][] = [
  ['\x1b[A', 'pane', 'up'],
  ['k', 'pane', 'up'],
  ['\x1b[B', 'pane', 'down'],
  ['j', 'pane', 'down'],
  ['\x1b[5~', 'pane', 'page-up'],
  ['\x1b[6~', 'pane', 'page-down'],
  ['\x1b[H', 'pane', 'home'],
  ['\x1b[F', 'pane', 'end'],
  ['g', 'pane', 'home'],
  ['G', 'pane', 'end'],
  ['\r', 'pane', 'enter'],
  ['l', 'pane', 'enter'],
  ['\x7f', 'pane', 'parent'],
  ['\x1b[D', 'pane', 'parent'],
  ['h', 'pane', 'parent'],
  ['\t', 'pane', 'switch-pane'],
  ['/', 'pane', 'filter'],
  ['.', 'pane', 'toggle-hidden'],
  ['\x12', 'pane', 'refresh'],
  [' ', 'pane', 'select'],
  ['\x1b[2~', 'pane', 'select'],
  ['\x1b[15~', 'pane', 'copy'],
  ['c', 'pane', 'copy'],
  ['u', 'pane', 'upload'],
  ['d', 'pane', 'download'],
  ['\x1b[17~', 'pane', 'rename'],
  ['\x1b[18~', 'pane', 'mkdir'],
  ['\x1b[19~', 'pane', 'delete'],
  ['\x1b[3~', 'pane', 'delete'],
  ['\x1bOP', 'global', 'help'],
  ['?', 'global', 'help'],
  ['\x1b[21~', 'global', 'quit'],
  ['q', 'global', 'quit'],
  ['\x04', 'global', 'disconnect'],
  ['\x0f', 'global', 'reconnect'],
  ['x', 'queue', 'cancel-transfer'],
  ['\x1b', 'dialog', 'dismiss'],
  ['\x1b[Z', 'dialog', 'previous-field'],
  ['\t', 'dialog', 'next-field'],
  ['z', 'pane', undefined],
  ['Q', 'global', undefined],
  ['\x03', 'anywhere', 'quit'],
  ['\x03', 'global', undefined],
  ['\x1b[21~', 'dialog', 'quit'],
  ['\r', 'filter', 'filter-keep'],
  ['\x1b', 'filter', 'filter-clear'],
  ['\x7f', 'filter', 'filter-erase'],
  ['\x7f', 'text', 'erase-back'],
  ['\x1b[3~', 'text', 'erase-forward'],
  ['\x1b[D', 'text', 'cursor-left'],
  ['\x15', 'text', 'erase-all'],
  ['y', 'question', 'answer-yes'],
  ['n', 'question', 'answer-no'],
  ['\x1b', 'question', 'answer-no'],
  ['\t', 'question', 'toggle-answer'],
  ['o', 'conflict', 'conflict-overwrite'],
  ['r', 'conflict', 'conflict-resume'],
  ['s', 'conflict', 'conflict-skip'],
  ['n', 'conflict', 'conflict-rename'],
  ['a', 'conflict', 'apply-to-all'],
  ['\t', 'conflict', 'next-choice'],
  ['q', 'help', 'dismiss'],
  ['\x1b[21~', 'help', 'dismiss'],
  ['\x1b[6~', 'help', 'scroll-page-down'],
  ['x', 'help', undefined],
];

for (const [sequence, context, expected] of cases) {
  void test(`${JSON.stringify(sequence)} in ${context} is ${expected ?? 'nothing'}`, () => {
    assert.equal(matchCommand(parseKey(sequence), context), expected);
  });
}

void test('parseKey names function keys, modifiers and control letters', () => {
  assert.equal(parseKey('\x1b[24~').name, 'f12');
  assert.deepEqual(
    { name: parseKey('\x1b[1;5A').name, ctrl: parseKey('\x1b[1;5A').ctrl },
    { name: 'up', ctrl: true },
  );
  assert.equal(parseKey('\x01').name, 'a');
  assert.equal(parseKey('\x01').ctrl, true);
  assert.equal(parseKey('\x1bx').meta, true);
  assert.equal(parseKey('A').shift, true);
});

void test('no key means two commands in one context', () => {
  const seen = new Map<string, string>();
  for (const binding of bindings) {
    for (const key of binding.keys) {
      const id = `${binding.context}:${key.name}:${Boolean(key.ctrl)}:${Boolean(key.meta)}:${String(key.shift)}`;
      const previous = seen.get(id);
      assert.ok(previous === undefined || previous === binding.command, `${id} is bound to ${previous} and ${binding.command}`);
      seen.set(id, binding.command);
    }
  }
});

void test('the dispatcher asks dialog, then pane, then global, and stops at the first that consumes', () => {
  const calls: string[] = [];
  const layer = (name: string, consume: boolean) => () => {
    calls.push(name);
    return consume;
  };
  const press = parseKey('q');
  assert.equal(dispatchKey(press, { dialog: layer('dialog', true), pane: layer('pane', true), global: layer('global', true) }), 'dialog');
  assert.deepEqual(calls, ['dialog']);
  calls.length = 0;
  assert.equal(dispatchKey(press, { dialog: layer('dialog', false), pane: layer('pane', false), global: layer('global', true) }), 'global');
  assert.deepEqual(calls, ['dialog', 'pane', 'global']);
  calls.length = 0;
  assert.equal(dispatchKey(press, { pane: layer('pane', false) }), undefined);
});

void test('text input accepts printable keys only', () => {
  assert.equal(isTextInput(parseKey('a')), true);
  assert.equal(isTextInput(parseKey(' ')), true);
  assert.equal(isTextInput(parseKey('\x1b[A')), false);
  assert.equal(isTextInput(parseKey('\x03')), false);
  assert.equal(isTextInput(parseKey('\r')), false);
});

void test('no key means two commands in one context', () => {
  const seen = new Map<string, string>();
  for (const binding of bindings) {
    for (const key of binding.keys) {
      const id = `${binding.context} ${key.name} ${String(key.ctrl ?? false)} ${String(key.meta ?? false)} ${String(key.shift ?? 'any')}`;
      assert.equal(seen.get(id), undefined, `${id}: ${binding.command} and ${seen.get(id) ?? ''}`);
      seen.set(id, binding.command);
    }
  }
});

void test('every hinted command appears in the hint list with its first key', () => {
  const hints = hintEntries();
  assert.ok(hints.some((hint) => hint.key === 'F5' && hint.label === 'Copy'));
  assert.ok(hints.some((hint) => hint.key === 'F8' && hint.label === 'Del'));
  assert.ok(hints.some((hint) => hint.key === 'F10' && hint.label === 'Quit'));
});

void test('the help overlay lists every binding once', async () => {
  const { helpLines } = await import('../../src/tui/components/HelpOverlay.js');
  const lines = helpLines();
  for (const binding of bindings) {
    assert.equal(lines.filter((line) => line.endsWith(` ${binding.description}`)).length >= 1, true, binding.description);
  }
  assert.equal(lines.filter((line) => !line.startsWith('—')).length, bindings.length);
});
