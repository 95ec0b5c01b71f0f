/**
 * F3 and F4 as they ship: the built `ferry` binary in a pseudo-terminal
 * against a real ferryd on loopback. The viewer opens a 2 GiB sparse remote
 * file at once and never lets its bytes steer the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer, type FerryServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { spawnInTerminal, type TerminalSession } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();
const F3 = '\x1bOR';

interface World {
  server: FerryServer;
  remoteRoot: string;
  localRoot: string;
  term: TerminalSession;
}

async function withWorld(
  setup: (remoteRoot: string, localRoot: string) => Promise<void>,
  run: (world: World) => Promise<void>,
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const remoteRoot = await tempFolder('ferry-view-remote-');
  const localRoot = await tempFolder('ferry-view-local-');
  await setup(remoteRoot, localRoot);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], {
    cwd: localRoot, columns: 100, rows: 30, env: { ...process.env, ...env },
  });
  try {
    await run({ server, remoteRoot, localRoot, term });
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
}

/** Puts the remote pane's cursor on `name` with the `/` filter. */
async function focusByFilter(term: TerminalSession, name: string): Promise<void> {
  term.write('/');
  await term.waitForText('filter: _');
  term.write(`${name}\r`);
  await term.waitForFrame((screen) => screen.includes(`filter: ${name}`) && !screen.includes(`filter: ${name}_`));
}

void test('F3 on a 2 GiB sparse remote file shows its first screen at once, pages, searches, shows hex, and closes', async () => {
  await withWorld(async (remoteRoot) => {
    const handle = await fs.open(path.join(remoteRoot, 'huge.log'), 'w');
    const head = Array.from({ length: 2000 }, (_, i) => `entry ${i + 1}${i === 0 ? ' \x1b[41mred\x1b]0;title\x07' : ''}\n`).join('');
    await handle.write(Buffer.from(head), 0, undefined, 0);
    await handle.truncate(2 * 1024 * 1024 * 1024);
    await handle.close();
  }, async ({ term }) => {
    await term.waitForText('huge.log');
    await focusByFilter(term, 'huge');
    term.write(F3);
    const first = await term.waitForText('entry 2');
    assert.match(first, /huge\.log · 2\.0G · text · 0%/);
    assert.match(first, /entry 1 \?\[41mred\?\]0;title\?/, 'escape sequences show as ?');
    assert.equal(term.paletteBackgrounds().has(1), false, 'nothing painted red');
    term.write('\x1b[6~');
    await term.waitForFrame((screen) => /^entry 27$/m.test(screen) && !/^entry 2$/m.test(screen));
    term.write('/entry 150\r');
    await term.waitForFrame((screen) => /found "entry 150" at byte \d+/.test(screen) && screen.split('\n')[1] === 'entry 150');
    term.write('h');
    await term.waitForFrame((screen) => / hex · /.test(screen) && /^[0-9a-f]{8} {2}/m.test(screen));
    term.write('q');
    await term.waitForFrame((screen) => !screen.includes(' hex · ') && screen.includes('huge.log'));
  });
});
