/**
 * Unfinished transfers across a restart of `ferry`, in a pseudo-terminal
 * against a real ferryd: a download cut off by quitting is offered on the
 * next start and, accepted, resumes from its partial copy — the right pane's
 * once it is connected to its server, the left pane's once that pane is. A
 * copy between two servers is not kept across a restart: quitting removes
 * what it staged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../src/server/log.js';
import { startServer } from '../../src/server/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { connectLeftPane, downloadRightAndCopyLeft, Keys, quitConfirmed, spawnInTerminal, type TerminalSession } from '../helpers/terminal.js';
import { startTwoPaneServers } from '../helpers/two-pane-servers.js';

/** transfers.json as ferry writes it (src/tui/transfers/saved-queue.ts). */
interface SavedFile {
  version: number;
  sessions: { side: string; server: unknown; transfers: unknown[] }[];
}

/** Where the runs keep their list (XDG_STATE_HOME is `home/state`). */
const savedFile = (home: string): string => path.join(home, 'state', 'ferry', 'transfers.json');

/** The list the last run kept. */
async function readSavedFile(home: string): Promise<SavedFile> {
  return JSON.parse(await fs.readFile(savedFile(home), 'utf8')) as SavedFile;
}

/**
 * Answers the question about last time with Resume, waits until the download
 * has resumed and finished whole (`file` holds `size` bytes), and quits:
 * everything finished, the list is gone.
 */
async function resumeToTheEnd(term: TerminalSession, file: string, size: number, home: string): Promise<void> {
  term.write('y');
  await term.waitForText(/resumed at [1-9]/, 90_000);
  assert.equal((await fs.stat(file)).size, size);
  term.write(Keys.f10);
  assert.equal(await term.exited(), 0);
  assert.equal(await fs.stat(savedFile(home)).catch(() => undefined), undefined);
}

const ferryBin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferry.js');
const tempFolder = tempFolderMaker();

void test('quitting during a download keeps it; the next start offers it and it resumes', { timeout: 120_000 }, async () => {
  const remoteRoot = await tempFolder('ferry-saved-remote-');
  const localRoot = await tempFolder('ferry-saved-local-');
  const home = await tempFolder('ferry-saved-home-');
  const size = 1024 ** 3;
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), size);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
  const open = (): TerminalSession =>
    spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${server.port}/`], { cwd: localRoot, columns: 110, rows: 30, env });
  let term = open();
  try {
    await term.waitForText('big.bin');
    term.write('d');
    await term.waitForText(/↓big\.bin.*\b[1-9]\d*%/);
    assert.equal(await quitConfirmed(term), 0);
    term.close();
    const saved = await readSavedFile(home);
    assert.deepEqual(saved.sessions, [{
      side: 'remote',
      server: { host: '127.0.0.1', port: server.port, user: '', tls: 'auto' },
      transfers: [{ direction: 'download', name: 'big.bin', source: '/big.bin', target: path.join(localRoot, 'big.bin'), isFolder: false }],
    }]);

    term = open();
    await term.waitForText('Unfinished transfers');
    await term.waitForText('1 transfer with 127.0.0.1');
    await resumeToTheEnd(term, path.join(localRoot, 'big.bin'), size, home);
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
});

void test('quitting keeps the saved download but removes the staging folder of a copy between two servers, kept until then with its row', { timeout: 120_000 }, async () => {
  const localRoot = await tempFolder('ferry-saved-local-');
  // The program's own temporary folder: where its copies between servers are staged.
  const tmp = await tempFolder('ferry-saved-tmp-');
  const { rightServer, leftServer, env: homeEnv, home } = await startTwoPaneServers(tempFolder, 'ferry-saved-');
  const env = { ...homeEnv, TMPDIR: tmp };
  const term = spawnInTerminal(process.execPath, [ferryBin, `ferry://127.0.0.1:${rightServer.port}/`], { cwd: localRoot, columns: 110, rows: 30, env });
  const stagingFolders = async (): Promise<string[]> => (await fs.readdir(tmp)).filter((name) => name.startsWith('ferry-relay-'));
  try {
    // A download from the right pane's server into the local folder (the saved list keeps it), and a copy from
    // the left pane's server to the right one's.
    await downloadRightAndCopyLeft(term, leftServer.port, 'big.bin', 'rel.bin');
    // Cancelled, the copy's row stays and so does its staging folder, for a retry.
    term.write('p');
    term.write('j');
    term.write('x');
    await term.waitForText(/⇄\s*rel\.bin.*cancelled/);
    const [staging] = await stagingFolders();
    assert.ok(staging, 'the cancelled copy keeps its staging folder');
    assert.ok((await fs.stat(path.join(tmp, staging, '.file.ferry-part'))).size > 0, 'with its partial file');

    assert.equal(await quitConfirmed(term), 0);
    assert.deepEqual(await stagingFolders(), [], 'quitting removes what the copy staged');
    const saved = await readSavedFile(home);
    // The right pane's download alone: the copy went through the left pane's session too, and is not kept.
    assert.deepEqual(saved.sessions.map(({ side, transfers }) => ({ side, transfers })), [{
      side: 'remote',
      transfers: [{ direction: 'download', name: 'big.bin', source: '/big.bin', target: path.join(localRoot, 'big.bin'), isFolder: false }],
    }]);
  } finally {
    term.close();
    await leftServer.stop();
    await rightServer.stop();
  }
});

void test('the left pane\'s download is kept under its server and resumes once the left pane is connected to it again', { timeout: 120_000 }, async () => {
  const remoteRoot = await tempFolder('ferry-saved-left-remote-');
  const localRoot = await tempFolder('ferry-saved-local-');
  const home = await tempFolder('ferry-saved-home-');
  const size = 256 * 1024 ** 2;
  await fs.writeFile(path.join(remoteRoot, 'left.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'left.bin'), size);
  const server = await startServer({ root: remoteRoot, host: '127.0.0.1', logger: silentLogger, port: 0 });
  const configFile = path.join(home, 'config', 'ferry', 'config.json');
  await fs.mkdir(path.dirname(configFile), { recursive: true });
  // Slow in the first run, so that quitting finds the download under way.
  await fs.writeFile(configFile, JSON.stringify({ rateLimit: '8M' }));
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
  // No server for the right pane: it lists the local folder, and the left pane goes to the server.
  const open = (): TerminalSession => spawnInTerminal(process.execPath, [ferryBin], { cwd: localRoot, columns: 110, rows: 30, env });
  const connectLeft = async (session: TerminalSession): Promise<void> => {
    await session.waitForText('Connect to a Ferry server');
    session.write(Keys.escape);
    await session.waitForFrame((frame) => !frame.includes('Connect to a Ferry server'));
    await connectLeftPane(session, server.port);
    await session.waitForText('left.bin');
  };
  let term = open();
  try {
    await connectLeft(term);
    term.write(Keys.f5);
    await term.waitForText('Download left.bin');
    term.write(Keys.enter);
    await term.waitForText(/left\.bin.*\b[1-9]\d*%/);
    assert.equal(await quitConfirmed(term), 0);
    term.close();
    const saved = await readSavedFile(home);
    assert.equal(saved.sessions.length, 1);
    const [left] = saved.sessions;
    assert.equal(left!.side, 'local');
    assert.deepEqual({ ...(left!.server as object), tls: undefined }, { host: '127.0.0.1', port: server.port, user: '', tls: undefined });
    assert.deepEqual(left!.transfers, [
      { direction: 'download', name: 'left.bin', source: '/left.bin', target: path.join(localRoot, 'left.bin'), isFolder: false, from: 'local' },
    ]);

    await fs.rm(configFile);
    term = open();
    await connectLeft(term);
    await term.waitForText('Unfinished transfers');
    await term.waitForText(`1 transfer with 127.0.0.1:${server.port} (left pane)`);
    await resumeToTheEnd(term, path.join(localRoot, 'left.bin'), size, home);
  } finally {
    term.close();
    await server.close(0).catch(() => undefined);
  }
});
