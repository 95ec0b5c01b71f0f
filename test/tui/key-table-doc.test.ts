/**
 * The key table of docs/TUI.md, read from the document itself, against the
 * keymap (src/tui/keys/keymap.ts): a binding cannot change, appear or go
 * without the documentation following, as test/protocol/vectors.test.ts
 * does for docs/PROTOCOL.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { bindings } from '../../src/tui/keys/keymap.js';
import { keyTableMarkdown } from '../../src/tui/keys/key-sections.js';

const docPath = new URL('../../../docs/TUI.md', import.meta.url);
const START = '<!-- key table: generated from src/tui/keys/keymap.ts (keyTableMarkdown) -->';
const END = '<!-- end of key table -->';

function documentedTable(): string {
  const doc = readFileSync(docPath, 'utf8');
  const start = doc.indexOf(START);
  const end = doc.indexOf(END);
  assert.ok(start >= 0 && end > start, `docs/TUI.md marks its key table with ${START} … ${END}`);
  return doc.slice(start + START.length, end).trim();
}

void test("docs/TUI.md's key table is the keymap's, row for row", () => {
  const expected = keyTableMarkdown();
  assert.equal(documentedTable(), expected, `docs/TUI.md's key table should read:\n${expected}\n`);
});

void test('every binding of the keymap has its row in the documented table', () => {
  const documented = documentedTable();
  for (const binding of bindings) {
    assert.ok(documented.includes(`| ${binding.description} |`), `${binding.context}/${binding.command}: "${binding.description}" is documented`);
  }
});

void test('a changed binding makes the table differ (the check can fail)', () => {
  const changed = bindings.map((binding) => (binding.command === 'copy' && binding.context === 'pane' ? { ...binding, keys: [{ name: 'f4' }] } : binding));
  assert.notEqual(keyTableMarkdown(changed), documentedTable());
});
