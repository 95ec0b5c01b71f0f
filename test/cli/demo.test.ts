/**
 * `ferry --demo` as a user runs it, in a pseudo-terminal: the command line
 * starts the demo server (src/cli/demo.ts) and hands it to the UI, which
 * connects to it; quitting stops the server and removes the demo folders.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keys, spawnInTerminal } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');

void test('ferry --demo lists both demo folders, and quitting removes them', { timeout: 120_000 }, async () => {
  const term = spawnInTerminal(process.execPath, [ferryBin, '--demo'], { columns: 140, rows: 30 });
  try {
    const screen = await term.waitForFrame((text) => text.includes('README.txt') && text.includes('hello.txt'), { timeoutMs: 30_000 });
    const local = /local:(\S+)/.exec(screen)?.[1];
    assert.ok(local?.endsWith(`${path.sep}local`), `the local pane shows the demo's local folder:\n${screen}`);
    const base = path.dirname(local as string);
    await fs.access(path.join(base, 'remote', 'README.txt'));
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    await assert.rejects(fs.access(base), { code: 'ENOENT' });
  } finally {
    term.close();
  }
});
