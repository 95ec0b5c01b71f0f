/**
 * End to end: the built `ferry` binary in a pseudo-terminal against a real
 * ferryd on an ephemeral loopback port. It runs the UI as it ships, from the
 * bundle `npm run build` makes (src/tui/load.ts; test/bin/what-ferry-loads
 * checks that). Keys go in, the screen is read back through a headless
 * xterm, and the files are checked on disk afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer, type FerryServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { Keys, spawnInTerminal, type TerminalSession } from '../helpers/terminal.js';

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');

const tempFolder = tempFolderMaker();

const ESC = String.fromCharCode(0x1b);

interface World {
  server: FerryServer;
  remoteRoot: string;
  localRoot: string;
  term: TerminalSession;
  stop(): Promise<void>;
}

async function startWorld(setup: (remoteRoot: string, localRoot: string) => Promise<void>, port = 0): Promise<World> {
  const remoteRoot = await tempFolder('ferry-e2e-remote-');
  const localRoot = await tempFolder('ferry-e2e-local-');
  await setup(remoteRoot, localRoot);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port });
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], {
    cwd: localRoot,
    columns: 110,
    rows: 32,
  });
  const world: World = {
    server,
    remoteRoot,
    localRoot,
    term,
    async stop() {
      term.close();
      await world.server.close(0).catch(() => undefined);
    },
  };
  return world;
}

/** Polls the disk (not the screen) until `check` holds. */
async function waitForDisk(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const exists = (file: string): Promise<boolean> => fs.access(file).then(() => true, () => false);

/** Narrows the active pane to `name` with the `/` filter and puts the cursor on it. */
async function focusByFilter(term: TerminalSession, name: string): Promise<void> {
  term.write('/');
  await term.waitForText('filter: _');
  term.write(name);
  await term.waitForText(`filter: ${name}_`);
  term.write(Keys.enter);
  await term.waitForFrame((screen) => screen.includes(`filter: ${name}`) && !screen.includes(`filter: ${name}_`));
}

async function clearFilter(term: TerminalSession): Promise<void> {
  term.write('/');
  await term.waitForText('_');
  term.write(Keys.escape);
  await term.waitForFrame((screen) => !screen.includes('filter:'));
}

/** The rows of one pane: the left or right half of the lines between the pane borders. */
function paneText(screen: string, side: 'local' | 'remote'): string {
  return screen
    .split('\n')
    .filter((line) => line.includes('││'))
    .map((line) => {
      const middle = line.indexOf('││');
      return side === 'local' ? line.slice(0, middle) : line.slice(middle + 2);
    })
    .join('\n');
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

void test('connect, list, enter a folder, download, upload, delete with confirmation, quit', { timeout: 120_000 }, async () => {
  const world = await startWorld(async (remote, local) => {
    await fs.mkdir(path.join(remote, 'sub'));
    await fs.writeFile(path.join(remote, 'sub', 'inner.txt'), 'inside');
    await fs.writeFile(path.join(remote, 'remote.txt'), 'from the server\n');
    await fs.writeFile(path.join(local, 'local.txt'), 'from the client\n');
  });
  const { term, remoteRoot, localRoot } = world;
  try {
    // The whole first screen: both listings, the remote location, the hint bar.
    await term.waitForFrame(
      (screen) =>
        screen.includes('remote.txt') &&
        screen.includes('local.txt') &&
        screen.includes(`ferry://127.0.0.1:${world.server.port}/`) &&
        /F5\s*Copy/.test(screen),
      { what: 'the first full screen' },
    );

    // The remote pane is active; folders come first, so the cursor is on sub/.
    term.write(Keys.enter);
    await term.waitForText('inner.txt');
    await term.waitForText(`:${world.server.port}/sub`);
    term.write(Keys.backspace);
    await term.waitForFrame((screen) => screen.includes('remote.txt') && !screen.includes('inner.txt'));

    // Download with the explicit key.
    await focusByFilter(term, 'remote.txt');
    term.write('d');
    await term.waitForText(/\d (?:B|[KMGTP]iB) in \d/);
    await waitForDisk(() => exists(path.join(localRoot, 'remote.txt')), 'the downloaded file');
    assert.equal(await fs.readFile(path.join(localRoot, 'remote.txt'), 'utf8'), 'from the server\n');
    await clearFilter(term);

    // Upload with F5 from the local pane.
    term.write(Keys.tab);
    await focusByFilter(term, 'local.txt');
    term.write(Keys.f5);
    await term.waitForText('To (remote folder):');
    term.write(Keys.enter);
    await waitForDisk(() => exists(path.join(remoteRoot, 'local.txt')), 'the uploaded file');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'local.txt'), 'utf8'), 'from the client\n');
    await clearFilter(term);

    // Delete on the remote side: the dialog names the file; n keeps it, y deletes it.
    term.write(Keys.tab);
    // The remote pane refreshes after the upload.
    await term.waitForFrame((screen) => paneText(screen, 'remote').includes('local.txt'), { what: 'local.txt in the remote pane' });
    await focusByFilter(term, 'local.txt');
    term.write(Keys.f8);
    const question = await term.waitForText('Delete 1 item?');
    assert.match(question, /local\.txt/);
    term.write('n');
    await term.waitForText('delete cancelled');
    assert.equal(await exists(path.join(remoteRoot, 'local.txt')), true);
    term.write(Keys.f8);
    await term.waitForText('Delete 1 item?');
    term.write('y');
    await term.waitForText('deleted 1 item');
    assert.equal(await exists(path.join(remoteRoot, 'local.txt')), false);
    assert.equal(await exists(path.join(localRoot, 'local.txt')), true, 'the local copy stays');

    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    await world.stop();
  }
});

void test('a running download can be cancelled, leaves no final file, and resumes to the right bytes', { timeout: 120_000 }, async () => {
  const size = 512 * 1024 * 1024;
  const world = await startWorld(async (remote) => {
    // Random-looking but cheap content: a repeated 1 MiB random block.
    const block = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < block.length; i += 4) block.writeUInt32LE((Math.random() * 0xffffffff) >>> 0, i);
    const handle = await fs.open(path.join(remote, 'big.bin'), 'w');
    for (let written = 0; written < size; written += block.length) await handle.write(block);
    await handle.close();
  });
  const { term, remoteRoot, localRoot } = world;
  try {
    await term.waitForText('big.bin');
    await focusByFilter(term, 'big.bin');
    term.write('d');
    await term.waitForText(/\d+%/);
    term.write('p');
    await term.waitForText('x cancel');
    term.write('x');
    await term.waitForText('cancelled (r: resume)');
    assert.equal(await exists(path.join(localRoot, 'big.bin')), false, 'no final file after a cancel');

    term.write('r');
    await term.waitForText(/\d (?:B|[KMGTP]iB) in \d/, 60_000);
    await waitForDisk(() => exists(path.join(localRoot, 'big.bin')), 'the resumed download');
    assert.equal((await fs.stat(path.join(localRoot, 'big.bin'))).size, size);
    assert.equal(await sha256(path.join(localRoot, 'big.bin')), await sha256(path.join(remoteRoot, 'big.bin')));
    // Escape leaves the transfer panel. Ctrl-C only once it has: arriving in the same read right after
    // Escape, it would be one key, Alt+Ctrl-C, as a terminal means it.
    term.write(Keys.escape);
    await term.waitForText('(p: manage)');
    term.write(Keys.ctrl('c'));
    assert.equal(await term.exited(), 0);
  } finally {
    await world.stop();
  }
});

void test('a dropped connection is shown, the local pane keeps working, ^O reconnects after a restart', { timeout: 120_000 }, async () => {
  const world = await startWorld(async (remote, local) => {
    await fs.writeFile(path.join(remote, 'before.txt'), 'x');
    await fs.mkdir(path.join(local, 'localdir'));
  });
  const { term, remoteRoot } = world;
  try {
    await term.waitForText('before.txt');
    const port = world.server.port;
    await world.server.close(0);
    await term.waitForText('CONNECTION LOST');
    // The local pane still browses.
    term.write(Keys.tab);
    term.write(Keys.enter);
    await term.waitForText(`${path.sep}localdir`);
    await fs.writeFile(path.join(remoteRoot, 'after.txt'), 'y');
    world.server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port });
    term.write(Keys.ctrl('o'));
    await term.waitForText('after.txt');
    await term.waitForText(/connected 127\.0\.0\.1/);
    // Disconnect returns to the dialog; F10 there quits.
    term.write(Keys.ctrl('d'));
    await term.waitForText('Connect to a Ferry server');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    await world.stop();
  }
});

void test('a refused connection is a message in the connect dialog, not a crash', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-e2e-local-');
  const probe = await startServer({ root: localRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const port = probe.port;
  await probe.close(0);
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${port}/`], { cwd: localRoot, columns: 80, rows: 24 });
  try {
    const screen = await term.waitForText('connection refused');
    assert.match(screen, /Connect to a Ferry server/);
    assert.doesNotMatch(term.output(), /\n\s+at .+:\d+:\d+/, 'no stack trace');
    term.write(Keys.ctrl('c'));
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
  }
});

void test('TLS: the trust dialog asks about a new server, trusting remembers it, a changed certificate is refused', { timeout: 120_000 }, async () => {
  const { generateSelfSigned, fingerprintOf } = await import('../../src/security/certificate.js');
  const remoteRoot = await tempFolder('ferry-e2e-remote-');
  const localRoot = await tempFolder('ferry-e2e-local-');
  const configHome = await tempFolder('ferry-e2e-config-');
  await fs.writeFile(path.join(remoteRoot, 'secret.txt'), 'over TLS');
  const first = await generateSelfSigned('localhost');
  let server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0, tls: first });
  const port = server.port;
  const env = { XDG_CONFIG_HOME: configHome, HOME: configHome };
  const open = (): TerminalSession =>
    spawnInTerminal(process.execPath, [ferryBin, `ferrys://127.0.0.1:${port}/`], { cwd: localRoot, columns: 100, rows: 30, env });
  let term = open();
  try {
    const fingerprint = fingerprintOf(first.cert);
    await term.waitForText('Unknown server');
    await term.waitForText(fingerprint.slice(0, 47));
    term.write('y');
    await term.waitForText('secret.txt');
    await term.waitForText('(TLS)');
    const knownHosts = await fs.readFile(path.join(configHome, 'ferry', 'known_hosts'), 'utf8');
    assert.match(knownHosts, new RegExp(`127\\.0\\.0\\.1:${port} ${fingerprint}`));
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    term.close();

    // Known now: no question.
    term = open();
    await term.waitForText('secret.txt');
    assert.doesNotMatch(term.text(), /Unknown server/);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    term.close();

    // Same address, another certificate: refused with a clear message.
    await server.close(0);
    server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port, tls: await generateSelfSigned('localhost') });
    term = open();
    await term.waitForText('CHANGED');
    assert.doesNotMatch(term.text(), /secret\.txt/);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
});

void test('names with control characters show them as ?, and nothing in a name reaches the terminal as a command', { timeout: 120_000 }, async () => {
  const ESC = String.fromCharCode(0x1b);
  const CSI = String.fromCharCode(0x9b);
  const world = await startWorld(async (remote, local) => {
    await fs.writeFile(path.join(local, `red${ESC}[41mEVIL`), 'x');
    // C1 is allowed in protocol names (§7 refuses only C0 and DEL), so ferryd lists it and the client takes it.
    await fs.writeFile(path.join(remote, `c1${CSI}41mEVIL`), 'y');
  });
  const { term } = world;
  try {
    const screen = await term.waitForFrame((current) => current.includes('red?[41mEVIL') && current.includes('c1?41mEVIL'), {
      what: 'both names, masked',
    });
    assert.match(paneText(screen, 'local'), /red\?\[41mEVIL/);
    assert.match(paneText(screen, 'remote'), /c1\?41mEVIL/);
    assert.equal(term.paletteBackgrounds().has(1), false, 'no cell painted red');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    await world.stop();
  }
});

void test('text fields apply keys that arrive in one read one by one: Backspace erases, Enter submits, control characters stay out', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-e2e-local-');
  const term = spawnInTerminal(process.execPath, [ferryBin], { cwd: localRoot, columns: 100, rows: 30 });
  try {
    await term.waitForText('Connect to a Ferry server');
    term.write(Keys.escape);
    await term.waitForText('local pane only');

    term.write(Keys.f7);
    await term.waitForText('Make folder');
    term.write('abc');
    await term.waitForText('> abc');
    term.write(`${Keys.backspace}${Keys.backspace}`);
    term.write('z');
    await term.waitForText('> az');
    term.write(Keys.enter);
    await term.waitForText('created az');
    assert.deepEqual(await fs.readdir(localRoot), ['az']);

    // A paste ending in a newline: the name, then Enter, in one write; a stray control character is dropped.
    term.write(Keys.f7);
    await term.waitForText('Make folder');
    term.write(`pas\x0bted${Keys.enter}`);
    await term.waitForText('created pasted');
    assert.deepEqual((await fs.readdir(localRoot)).sort(), ['az', 'pasted']);
    assert.doesNotMatch(term.text(), /Make folder/);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
  }
});

void test('a name with a decomposed accent (e + U+0301, as macOS writes names) is edited by whole characters', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-e2e-local-');
  const decomposed = 'cafe\u0301 combining.txt';
  await fs.writeFile(path.join(localRoot, decomposed), 'x');
  const term = spawnInTerminal(process.execPath, [ferryBin], { cwd: localRoot, columns: 80, rows: 24 });
  try {
    await term.waitForText('Connect to a Ferry server');
    term.write(Keys.escape);
    await term.waitForText('local pane only');
    term.write(Keys.f6);
    await term.waitForText('Rename/move');
    // Four steps right from the start put the cursor after `é`, never between the letter and its accent.
    term.write(Keys.home);
    for (let step = 0; step < 4; step++) term.write(Keys.right);
    term.write('X');
    const screen = await term.waitForFrame((text) => text.normalize('NFC').includes('> caféX combining.txt'), { what: 'X typed after é' });
    // The field's line still ends at the dialog's right border.
    const fieldLine = screen.split('\n').find((line) => line.includes('> caf')) ?? '';
    assert.match(fieldLine, /║ > caf.+ ║/u, fieldLine);
    term.write(Keys.enter);
    await term.waitForFrame((text) => !text.includes('Rename/move'));
    await waitForDisk(async () => (await fs.readdir(localRoot)).includes('cafe\u0301X combining.txt'), 'the renamed file');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
  }
});

void test('NO_COLOR (no-color.org): nothing is coloured, the cursor and the hint keys still show in inverse', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-e2e-local-');
  await fs.mkdir(path.join(localRoot, 'folder'));
  await fs.writeFile(path.join(localRoot, 'file.txt'), 'x');
  /** SGR colour parameters: foreground/background 30–49 (38/48 extended) and the bright 90–107. */
  const colourSgr = new RegExp(`${ESC}\\[(?:\\d+;)*(?:3\\d|4\\d|9[0-7]|10[0-7])(?:;\\d+)*m`);
  for (const noColor of ['1', '']) {
    const term = spawnInTerminal(process.execPath, [ferryBin], { cwd: localRoot, columns: 80, rows: 24, env: { NO_COLOR: noColor } });
    try {
      await term.waitForText('Connect to a Ferry server');
      term.write(Keys.escape);
      await term.waitForText('local pane only');
      await term.waitForText('file.txt');
      term.write(Keys.f7);
      await term.waitForText('Make folder');
      term.write(Keys.escape);
      await term.waitForFrame((screen) => !screen.includes('Make folder'));
      await term.flush();
      if (noColor) {
        assert.doesNotMatch(term.output(), colourSgr, 'a colour was written with NO_COLOR=1');
        assert.ok(term.output().includes(`${ESC}[7m`), 'inverse (the cursor, the hint keys) stays');
      } else {
        // Empty NO_COLOR is as if it were not set.
        assert.match(term.output(), colourSgr);
      }
      term.write(Keys.f10);
      assert.equal(await term.exited(), 0);
    } finally {
      term.close();
    }
  }
});

for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
  void test(`${signal} from outside quits like the quit key: session closed, terminal restored`, { timeout: 120_000 }, async () => {
    const world = await startWorld(async (remote) => {
      await fs.writeFile(path.join(remote, 'here.txt'), 'x');
    });
    const { term, server } = world;
    try {
      await term.waitForText('here.txt');
      assert.equal(server.sessionCount, 1);
      assert.equal(term.onAlternateScreen(), true);
      process.kill(term.pid, signal);
      assert.equal(await term.exited(10_000), 128 + (os.constants.signals[signal] ?? 0));
      await term.flush();
      assert.equal(term.onAlternateScreen(), false, 'the alternate screen is left');
      assert.equal(term.cursorVisible(), true, 'the cursor is shown again');
      await waitForDisk(async () => server.sessionCount === 0, 'the server to see the session end');
    } finally {
      await world.stop();
    }
  });
}

void test('quitting with F10 leaves the alternate screen and shows the cursor', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-e2e-local-');
  const term = spawnInTerminal(process.execPath, [ferryBin], { cwd: localRoot, columns: 80, rows: 24 });
  try {
    await term.waitForText('Connect to a Ferry server');
    assert.equal(term.onAlternateScreen(), true);
    term.write(Keys.escape);
    await term.waitForText('local pane only');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
    await term.flush();
    assert.equal(term.onAlternateScreen(), false);
    assert.equal(term.cursorVisible(), true);
  } finally {
    term.close();
  }
});

void test('a resize lays the screen out again for the new size', { timeout: 120_000 }, async () => {
  const world = await startWorld(async (remote, local) => {
    await fs.writeFile(path.join(remote, 'remote.txt'), 'x');
    await fs.writeFile(path.join(local, 'local.txt'), 'y');
  });
  const { term } = world;
  /** The frame is laid out for `columns` × `rows`: the panes meet in the middle, the hint bar sits above the spare line. */
  const laidOutFor = (columns: number, rows: number) => (screen: string): boolean => {
    const lines = screen.split('\n');
    const top = lines[0] ?? '';
    return (
      /^┌─+┐┌─+┐$/.test(top) &&
      top.length === columns &&
      top.indexOf('┐┌') === Math.floor(columns / 2) - 1 &&
      (lines[rows - 2] ?? '').startsWith('F1Help') &&
      screen.includes('remote.txt') &&
      screen.includes('local.txt')
    );
  };
  try {
    await term.waitForFrame(laidOutFor(110, 32), { what: 'the 110×32 layout' });
    term.resize(80, 24);
    await term.waitForFrame(laidOutFor(80, 24), { what: 'the 80×24 layout' });
    term.resize(140, 40);
    const wide = await term.waitForFrame(laidOutFor(140, 40), { what: 'the 140×40 layout' });
    // Wide panes have room for the time column (`Dec  2 03:41`, mc's format).
    assert.match(wide.split('\n').find((line) => line.includes('remote.txt')) ?? '', /[A-Z][a-z]{2} [ \d]\d \d\d:\d\d│/);
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    await world.stop();
  }
});

void test('below 50×14 the screen says the terminal is too small, and lays out again once it is big enough', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-e2e-local-');
  await fs.writeFile(path.join(localRoot, 'local.txt'), 'y');
  const term = spawnInTerminal(process.execPath, [ferryBin], { cwd: localRoot, columns: 30, rows: 10 });
  try {
    const small = await term.waitForText('Terminal too small');
    assert.match(small, /need 50×14, have 30×10/);
    for (const line of small.split('\n')) assert.ok(line.length <= 30, line);
    term.resize(60, 15);
    await term.waitForFrame((screen) => screen.includes('Connect to a Ferry server') && !screen.includes('too small'));
    term.write(Keys.escape);
    await term.waitForText('local.txt');
    term.resize(49, 14);
    await term.waitForText('have 49×14');
    term.write(Keys.f10);
    assert.equal(await term.exited(), 0);
  } finally {
    term.close();
  }
});
