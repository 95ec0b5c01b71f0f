/**
 * End to end, the built `ferry` in a pseudo-terminal with both panes on real
 * `ferryd` processes: each server in turn is killed (SIGKILL, no goodbye) and
 * a new one started on the same port with the same root. No key is pressed:
 * the pane whose server went away reconnects by itself and lists again,
 * whichever side it is on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnFerryd, type FerrydProcess } from '../helpers/ferryd-process.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { connectLeftPane, Keys, spawnInTerminal, type TerminalSession } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

/** What one ferryd serves, kept for the one started in its place. */
interface Served {
  root: string;
  configDir: string;
}

async function servedFolder(prefix: string): Promise<Served> {
  return { root: await tempFolder(`${prefix}root-`), configDir: await tempFolder(`${prefix}config-`) };
}

/** Kills `ferryd` outright, waits until its pane says the connection is lost, then starts another on the same port and root. */
async function killAndRestart(term: TerminalSession, ferryd: FerrydProcess, served: Served, pane: 'left' | 'right'): Promise<FerrydProcess> {
  ferryd.child.kill('SIGKILL');
  await ferryd.exited;
  await term.waitForText(`${pane} pane: connection lost`);
  await term.waitForText(/reconnecting in \d+ s/);
  return spawnFerryd({ ...served, port: ferryd.port });
}

void test('either pane reconnects by itself when its ferryd is killed and another starts on the same port', { timeout: 120_000 }, async () => {
  const local = await tempFolder('ferry-reconnect-local-');
  const rightServed = await servedFolder('ferry-reconnect-right-');
  const leftServed = await servedFolder('ferry-reconnect-left-');
  await fs.writeFile(path.join(rightServed.root, 'right-before.txt'), 'r');
  await fs.writeFile(path.join(leftServed.root, 'left-before.txt'), 'l');
  let right = await spawnFerryd(rightServed);
  let left = await spawnFerryd(leftServed);
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${right.port}/`], { cwd: local });
  try {
    await term.waitForText('right-before.txt');
    await connectLeftPane(term, left.port);
    await term.waitForFrame((screen) => screen.includes('left-before.txt') && screen.includes('right-before.txt'));

    // The left pane's server dies; the listing after it shows a file the pane has not listed yet.
    await fs.writeFile(path.join(leftServed.root, 'left-after.txt'), 'l');
    left = await killAndRestart(term, left, leftServed, 'left');
    let screen = await term.waitForFrame((s) => s.includes('left-after.txt'), { what: 'the left pane listing again', timeoutMs: 40_000 });
    assert.doesNotMatch(screen, /connection lost/i);
    assert.match(screen, /right-before\.txt/, 'the right pane stayed on its server');

    // The right pane's server dies the same way, and its pane comes back the same way.
    await fs.writeFile(path.join(rightServed.root, 'right-after.txt'), 'r');
    right = await killAndRestart(term, right, rightServed, 'right');
    screen = await term.waitForFrame((s) => s.includes('right-after.txt'), { what: 'the right pane listing again', timeoutMs: 40_000 });
    assert.doesNotMatch(screen, /connection lost/i);
    assert.match(screen, /left-after\.txt/);

    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
    await left.stop();
    await right.stop();
  }
});
