/**
 * The UI over every remote kind (issue 12), against real ferryd servers under
 * ink-testing-library: the connect dialog's kind selector and its list of
 * bookmarks, recent connections and ~/.ssh/config hosts (files in temporary
 * folders), the recent list a connect writes (never a password), both panes
 * on servers with a copy between them through the queue, the queue row's and
 * the status line's honest words, and the masked secret and SSH trust
 * dialogs a login can bring up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { LOGIN_FAILED_MESSAGE } from '../../src/security/authenticator.js';
import type { ConnectFunction } from '../../src/tui/connect-params.js';
import { statusText, verificationText } from '../../src/tui/components/TransferRow.js';
import { transfersReducer, initialTransfersState } from '../../src/tui/state/transfers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { KEYS, loopback, realConnect, renderApp, waitForFrame, waitUntil } from '../helpers/ink.js';

const CTRL_U = '\x15';

async function withFolders(run: (folder: (prefix: string) => Promise<string>) => Promise<void>): Promise<void> {
  const made: string[] = [];
  try {
    await run(async (prefix) => {
      const dir = await tempFolder(prefix);
      made.push(dir);
      return dir;
    });
  } finally {
    for (const dir of made) await removeTempFolder(dir);
  }
}

void test('the kind selector: ←/→ picks ferry, ferrys, sftp, ftp, ftps; the port follows unless typed; a key file only for SFTP', async () => {
  await withFolders(async (folder) => {
    const app = renderApp(await folder('ferry-kinds-local-'));
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server') && /Port\s+7070/.test(f));
      app.stdin.write(KEYS.up);
      await waitForFrame(app.lastFrame, (f) => /› Kind/.test(f));
      app.stdin.write(KEYS.right);
      app.stdin.write(KEYS.right);
      let frame = await waitForFrame(app.lastFrame, (f) => f.includes('Connect to an SFTP server'));
      assert.match(frame, /Port\s+22\s/);
      assert.match(frame, /Key file/);
      app.stdin.write(KEYS.right);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('Connect to an FTP server'));
      assert.match(frame, /Port\s+21\s/);
      assert.doesNotMatch(frame, /Key file/);
      // A port of one's own stays whatever the kind.
      app.stdin.write(KEYS.down);
      app.stdin.write(KEYS.down);
      app.stdin.write(CTRL_U);
      app.stdin.write('2121');
      await waitForFrame(app.lastFrame, (f) => /Port\s+2121/.test(f));
      app.stdin.write(KEYS.up);
      app.stdin.write(KEYS.up);
      app.stdin.write(KEYS.right);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('Connect to an FTPS server'));
      assert.match(frame, /Port\s+2121/);
      // Round the ring back to ferry (ftps → ferry): 2121 is still the user's.
      app.stdin.write(KEYS.right);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
      assert.match(frame, /Port\s+2121/);
    } finally {
      app.unmount();
    }
  });
});

void test('the saved list offers bookmarks, recent connections and ssh hosts; picking fills the fields; a connect goes first in the recent list without its password', async () => {
  await withFolders(async (folder) => {
    const remoteRoot = await folder('ferry-kinds-remote-');
    await fs.mkdir(path.join(remoteRoot, 'docs'));
    await fs.writeFile(path.join(remoteRoot, 'docs', 'report.txt'), 'r');
    const server = await startTestServer({
      root: remoteRoot,
      authenticate: (attempt) =>
        attempt.user === 'alice' && attempt.secret === 'kept-secret'
          ? Promise.resolve({ user: 'alice', root: remoteRoot, readOnly: false })
          : Promise.reject(new FerryError(ErrorCode.AUTH, LOGIN_FAILED_MESSAGE)),
    });
    const config = await folder('ferry-kinds-config-');
    const bookmarksFile = path.join(config, 'bookmarks.json');
    const sshConfigFile = path.join(config, 'ssh_config');
    await fs.writeFile(bookmarksFile, JSON.stringify({
      bookmarks: [{ name: 'work', url: `ferry://alice@127.0.0.1:${server.port}/docs`, password: 'kept-secret' }],
      recent: [{ url: 'ftp://files.example.org/pub', lastUsedMs: 1 }],
    }));
    await fs.writeFile(sshConfigFile, 'Host build-box\n  HostName 127.0.0.1\n  User bob\nHost *\n  ForwardAgent no\n');
    const app = renderApp(await folder('ferry-kinds-local-'), { savedConnectionsFile: bookmarksFile, sshConfigFile });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('3 saved — ←→ to pick'));
      app.stdin.write(KEYS.up);
      app.stdin.write(KEYS.up);
      app.stdin.write(KEYS.right);
      let frame = await waitForFrame(app.lastFrame, (f) => f.includes('1/3 @work'));
      assert.match(frame, new RegExp(`Port\\s+${server.port}`));
      assert.match(frame, /User\s+alice/);
      app.stdin.write(KEYS.right);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('2/3 ftp://files.example.org/pub'));
      assert.match(frame, /Connect to an FTP server/);
      assert.match(frame, /Host\s+files\.example\.org/);
      app.stdin.write(KEYS.right);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('3/3 ssh build-box'));
      assert.match(frame, /Connect to an SFTP server/);
      assert.match(frame, /Host\s+build-box/);
      assert.match(frame, /Port\s+22\s/);
      // Back to the bookmark (← wraps the other way) and connect: its kept password logs in.
      app.stdin.write(KEYS.left);
      app.stdin.write(KEYS.left);
      await waitForFrame(app.lastFrame, (f) => f.includes('1/3 @work'));
      app.stdin.write(KEYS.enter);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('report.txt') && f.includes(`ferry://alice@127.0.0.1:${server.port}/docs`));
      assert.match(frame, /\[ferry plain\] connected/);
      type Saved = { recent: { url: string }[]; bookmarks: unknown[] };
      const read = async (): Promise<Saved> => JSON.parse(await fs.readFile(bookmarksFile, 'utf8')) as Saved;
      await waitUntil(async () => (await read()).recent.length === 2, 'the recent list to be written');
      const saved = await read();
      assert.deepEqual(saved.recent.map((entry) => entry.url), [`ferry://alice@127.0.0.1:${server.port}/docs`, 'ftp://files.example.org/pub']);
      assert.doesNotMatch(JSON.stringify(saved.recent), /kept-secret/);
      assert.equal(saved.bookmarks.length, 1);
      assert.equal((await fs.stat(bookmarksFile)).mode & 0o777, 0o600);
    } finally {
      app.unmount();
      await server.cleanup();
    }
  });
});

async function withTwoServers(run: (a: TestServer, b: TestServer, local: string) => Promise<void>): Promise<void> {
  await withFolders(async (folder) => {
    const a = await startTestServer({ root: await folder('ferry-kinds-a-') });
    const b = await startTestServer({ root: await folder('ferry-kinds-b-') });
    try {
      await run(a, b, await folder('ferry-kinds-local-'));
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
}

void test('both panes on servers: Alt-O connects the left one; F5 copies between the two servers both ways, verified; ^D brings the local folder back', async () => {
  await withTwoServers(async (a, b, local) => {
    await fs.writeFile(path.join(a.root, 'on-a.txt'), 'from server a');
    await fs.writeFile(path.join(b.root, 'on-b.txt'), 'from server b');
    await fs.writeFile(path.join(local, 'mine.txt'), 'local');
    const app = renderApp(local, { initial: loopback(a.port) });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('on-a.txt') && f.includes('mine.txt'));
      app.stdin.write('\x1bo');
      await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane to a Ferry server'));
      app.stdin.write(KEYS.down);
      app.stdin.write(CTRL_U);
      app.stdin.write(String(b.port));
      await waitForFrame(app.lastFrame, (f) => new RegExp(`Port\\s+${b.port}`).test(f));
      app.stdin.write(KEYS.enter);
      let frame = await waitForFrame(app.lastFrame, (f) => f.includes('on-b.txt') && f.includes(`ferry://127.0.0.1:${b.port}/`));
      assert.match(frame, /on-a\.txt/);
      assert.doesNotMatch(frame, /mine\.txt/);

      // Left (server b) → right (server a).
      app.stdin.write(KEYS.tab);
      app.stdin.write(KEYS.f5);
      await waitForFrame(app.lastFrame, (f) => f.includes('Copy on-b.txt'));
      app.stdin.write(KEYS.enter);
      frame = await waitForFrame(app.lastFrame, (f) => /⇄\s*on-b\.txt.*SHA-256 ✓/.test(f));
      assert.equal(await fs.readFile(path.join(a.root, 'on-b.txt'), 'utf8'), 'from server b');
      // The left pane is active and on server b: the status line speaks of its session.
      assert.match(frame, new RegExp(`\\[ferry plain\\] connected 127\\.0\\.0\\.1:${b.port}`));

      // Right (server a) → left (server b): on-a.txt is the first file there.
      app.stdin.write(KEYS.tab);
      await waitForFrame(app.lastFrame, (f) => f.includes('on-b.txt') && new RegExp(`connected 127\\.0\\.0\\.1:${a.port}`).test(f));
      app.stdin.write(KEYS.f5);
      await waitForFrame(app.lastFrame, (f) => f.includes('Copy on-a.txt'));
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => /⇄\s*on-a\.txt.*SHA-256 ✓/.test(f));
      assert.equal(await fs.readFile(path.join(b.root, 'on-a.txt'), 'utf8'), 'from server a');
      // The same copy again: the target exists, and the conflict dialog asks as for any transfer.
      app.stdin.write(KEYS.f5);
      await waitForFrame(app.lastFrame, (f) => f.includes('Copy on-a.txt'));
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Copying between servers on-a.txt') && f.includes('Esc: skip'));
      app.stdin.write('s');
      await waitForFrame(app.lastFrame, (f) => !f.includes('Target exists') && f.includes('skipped'));

      // ^D in the left pane ends its session: the local folder is back there; the right pane stays on server a.
      app.stdin.write(KEYS.tab);
      app.stdin.write(KEYS.ctrlD);
      await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
      app.stdin.write(KEYS.escape);
      frame = await waitForFrame(app.lastFrame, (f) => f.includes('mine.txt') && f.includes('on-a.txt') && !f.includes('Connect the left'));
      assert.match(frame, new RegExp(`ferry://127\\.0\\.0\\.1:${a.port}/`));
    } finally {
      app.unmount();
    }
  });
});

void test('an upload to a Ferry server says SHA-256 ✓; other kinds say what they checked: size ✓, or the server hash', () => {
  assert.equal(verificationText('sha256'), 'SHA-256 ✓');
  assert.equal(verificationText('size'), 'size ✓');
  assert.equal(verificationText('size+md5'), 'size+MD5 ✓');
  assert.equal(verificationText('size+sha1'), 'size+SHA-1 ✓');
  assert.equal(verificationText(undefined), '');
  let state = transfersReducer(initialTransfersState, {
    type: 'enqueue', resume: false, requests: [{ direction: 'upload', name: 'a.bin', source: '/l/a.bin', target: '/a.bin', isFolder: false }],
  });
  state = transfersReducer(state, { type: 'done', id: 1, movedBytes: 10, size: 10, durationMs: 5, resumedFrom: 0, at: 1, verification: 'size' });
  const status = statusText(state.items[0]!, 10);
  assert.equal(status.keep, ' size ✓');
});

void test('a queued upload to the Ferry server ends with SHA-256 ✓ on its row', async () => {
  await withFolders(async (folder) => {
    const local = await folder('ferry-kinds-local-');
    await fs.writeFile(path.join(local, 'up.txt'), 'upload me');
    const server = await startTestServer({ root: await folder('ferry-kinds-remote-') });
    const app = renderApp(local, { initial: loopback(server.port) });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('(empty folder)') && f.includes('up.txt'));
      app.stdin.write(KEYS.tab);
      app.stdin.write('u');
      await waitForFrame(app.lastFrame, (f) => /↑\s*up\.txt.*SHA-256 ✓/.test(f));
    } finally {
      app.unmount();
      await server.cleanup();
    }
  });
});

/** A kind's login that asks for a password through askSecret (as SFTP and FTP do), over a real ferryd. */
const askingConnect: ConnectFunction = async (url, options) => {
  const password = await options.askSecret?.(`Password for ${url.user ?? ''}@${url.host}:`);
  if (password === undefined) throw new FerryError(ErrorCode.AUTH, 'login cancelled');
  return realConnect(url, { ...options, password });
};

void test('a secret asked during login comes up masked; Enter sends it, Esc cancels the login', async () => {
  await withFolders(async (folder) => {
    const remoteRoot = await folder('ferry-kinds-remote-');
    await fs.writeFile(path.join(remoteRoot, 'behind-login.txt'), 'x');
    const server = await startTestServer({
      root: remoteRoot,
      authenticate: (attempt) =>
        attempt.user === 'alice' && attempt.secret === 'open-sesame'
          ? Promise.resolve({ user: 'alice', root: remoteRoot, readOnly: false })
          : Promise.reject(new FerryError(ErrorCode.AUTH, LOGIN_FAILED_MESSAGE)),
    });
    const local = await folder('ferry-kinds-local-');
    const app = renderApp(local, { initial: loopback(server.port, { user: 'alice' }), connect: askingConnect });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('The server asks for a secret') && f.includes('Password for alice@127.0.0.1:'));
      app.stdin.write('open-sesame');
      const typed = await waitForFrame(app.lastFrame, (f) => f.includes('*'.repeat('open-sesame'.length)));
      assert.doesNotMatch(typed, /open-sesame/);
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('behind-login.txt'));
    } finally {
      app.unmount();
    }
    const cancelled = renderApp(local, { initial: loopback(server.port, { user: 'alice' }), connect: askingConnect });
    try {
      await waitForFrame(cancelled.lastFrame, (f) => f.includes('The server asks for a secret'));
      cancelled.stdin.write(KEYS.escape);
      const frame = await waitForFrame(cancelled.lastFrame, (f) => f.includes('Connect to a Ferry server') && f.includes('login cancelled'));
      assert.doesNotMatch(frame, /behind-login\.txt/);
    } finally {
      cancelled.unmount();
      await server.cleanup();
    }
  });
});

void test('a new SSH host key comes up in the trust dialog with its type and SHA256: fingerprint; refusing stops the login', async () => {
  const fingerprint = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
  // A kind that meets a host key it has not seen (as SFTP does), over a real ferryd.
  const sshLikeConnect: ConnectFunction = async (url, options) => {
    const trusted = await options.verifyNewKey?.({ kind: 'ssh', host: url.host, port: url.port, fingerprint, algorithm: 'ssh-ed25519' });
    if (!trusted) throw new FerryError(ErrorCode.TRUST, `host key of ${url.host} not trusted`);
    return realConnect(url, options);
  };
  await withFolders(async (folder) => {
    const server = await startTestServer({ root: await folder('ferry-kinds-remote-') });
    const local = await folder('ferry-kinds-local-');
    const app = renderApp(local, { initial: loopback(server.port), connect: sshLikeConnect });
    try {
      const frame = await waitForFrame(app.lastFrame, (f) => f.includes('Unknown host key'));
      assert.match(frame, /ssh-ed25519/);
      assert.ok(frame.includes(fingerprint), frame);
      app.stdin.write('n');
      await waitForFrame(app.lastFrame, (f) => f.includes('not trusted') && f.includes('Connect to a Ferry server'));
    } finally {
      app.unmount();
      await server.cleanup();
    }
  });
});

void test('a selection of a folder and a file goes from one server to the other as one tree copy, verified', async () => {
  await withTwoServers(async (a, b, local) => {
    await fs.mkdir(path.join(b.root, 'album', 'inner'), { recursive: true });
    await fs.writeFile(path.join(b.root, 'album', 'inner', 'photo.jpg'), 'jpeg bytes');
    await fs.writeFile(path.join(b.root, 'notes.txt'), 'notes');
    await fs.writeFile(path.join(b.root, 'left-behind.txt'), 'not selected');
    const app = renderApp(local, { initial: loopback(a.port) });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('(empty folder)'));
      app.stdin.write('O');
      await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
      app.stdin.write(KEYS.down);
      app.stdin.write(CTRL_U);
      app.stdin.write(String(b.port));
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('left-behind.txt') && f.includes(`ferry://127.0.0.1:${b.port}/`));
      app.stdin.write(KEYS.tab);
      // album/ first (folders first), then left-behind.txt, then notes.txt: select album and notes.txt.
      app.stdin.write(' ');
      app.stdin.write(KEYS.down);
      app.stdin.write(' ');
      await waitForFrame(app.lastFrame, (f) => f.includes('2 selected'));
      app.stdin.write(KEYS.f5);
      await waitForFrame(app.lastFrame, (f) => f.includes('Copy 2 items'));
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => /⇄\s*2 items.*SHA-256 ✓/.test(f));
      assert.equal(await fs.readFile(path.join(a.root, 'album', 'inner', 'photo.jpg'), 'utf8'), 'jpeg bytes');
      assert.equal(await fs.readFile(path.join(a.root, 'notes.txt'), 'utf8'), 'notes');
      await assert.rejects(fs.access(path.join(a.root, 'left-behind.txt')));
    } finally {
      app.unmount();
    }
  });
});

void test('a connect that fails is not put in the recent list', async () => {
  await withFolders(async (folder) => {
    const config = await folder('ferry-kinds-config-');
    const bookmarksFile = path.join(config, 'bookmarks.json');
    // Port 1 on loopback: nothing listens there, the connect is refused at once.
    const before = JSON.stringify({ bookmarks: [{ name: 'nowhere', url: 'ferry://127.0.0.1:1/' }], recent: [] });
    await fs.writeFile(bookmarksFile, before);
    const app = renderApp(await folder('ferry-kinds-local-'), { savedConnectionsFile: bookmarksFile });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('1 saved'));
      app.stdin.write(KEYS.up);
      app.stdin.write(KEYS.up);
      app.stdin.write(KEYS.right);
      await waitForFrame(app.lastFrame, (f) => f.includes('1/1 @nowhere'));
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('cannot connect to 127.0.0.1:1') && f.includes('Connect to a Ferry server'), 15_000);
      assert.equal(await fs.readFile(bookmarksFile, 'utf8'), before);
    } finally {
      app.unmount();
    }
  });
});

void test('the left pane on a server: F3 views its file through that session, F7 makes a folder there', async () => {
  await withTwoServers(async (a, b, local) => {
    await fs.writeFile(path.join(b.root, 'view-me.txt'), 'read through the left session');
    const app = renderApp(local, { initial: loopback(a.port) });
    try {
      await waitForFrame(app.lastFrame, (f) => f.includes('(empty folder)'));
      app.stdin.write('O');
      await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
      app.stdin.write(KEYS.down);
      app.stdin.write(`${CTRL_U}${b.port}`);
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes('view-me.txt'));
      app.stdin.write(KEYS.tab);
      app.stdin.write('\x1bOR');
      await waitForFrame(app.lastFrame, (f) => f.includes('read through the left session'));
      app.stdin.write(KEYS.escape);
      await waitForFrame(app.lastFrame, (f) => !f.includes('read through the left session'));
      app.stdin.write(KEYS.f7);
      await waitForFrame(app.lastFrame, (f) => f.includes('Make folder'));
      app.stdin.write('made-on-b');
      app.stdin.write(KEYS.enter);
      await waitUntil(async () => (await fs.stat(path.join(b.root, 'made-on-b')).catch(() => undefined))?.isDirectory() === true, 'the folder on server b');
      await assert.rejects(fs.access(path.join(local, 'made-on-b')), 'not in the local folder');
    } finally {
      app.unmount();
    }
  });
});
