/**
 * What a Midnight Commander or termscp user runs into at once: keys that act
 * on the pane in front of them, questions that wait to be seen, the answers
 * they expect from mc. Real ferryd, real folders, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KEYS, loopback, renderApp, waitForFrame, waitUntil } from '../helpers/ink.js';
import { folderWith, withConnectedApp } from '../helpers/connected-app.js';
import { startTestServer } from '../helpers/server.js';
import { hintEntries } from '../../src/tui/keys/keymap.js';
import { generateSelfSigned } from '../../src/security/certificate.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { LOGIN_FAILED_MESSAGE } from '../../src/security/authenticator.js';
import { conflictDialog, conflictDialogModule } from '../../src/tui/dialogs/conflict-dialog.js';
import { INPUT_GUARD_MS } from '../../src/tui/dialogs/input-guard.js';
import type { DialogHost } from '../../src/tui/dialogs/dialog.js';
import { parseKey } from '../../src/tui/keys/parse-key.js';
import { initialTransfersState, transfersReducer } from '../../src/tui/state/transfers.js';
import { namePattern } from '../../src/tui/state/name-pattern.js';
import { appendLogEntry, MESSAGE_TEXT_LIMIT, type LogEntry } from '../../src/tui/state/message-log.js';

const HOME = '\x1b[H';
const END = '\x1b[F';

/** The app on `dir` with the connect dialog closed: the local pane alone. */
async function localOnly(dir: string): Promise<ReturnType<typeof renderApp>> {
  const app = renderApp(dir);
  await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
  app.stdin.write(KEYS.escape);
  await waitForFrame(app.lastFrame, (f) => !f.includes('Connect to'));
  return app;
}

const exists = (file: string): Promise<boolean> => fs.access(file).then(() => true, () => false);

void test('u and d act on the active pane only, in the direction they name', async () => {
  const local = await folderWith({ 'up.txt': 'from here' });
  const remoteRoot = await folderWith({ 'down.txt': 'from there' });
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('down.txt') && f.includes('up.txt'));
    // The remote pane is active at start: u has nothing of its own to upload.
    app.stdin.write('u');
    await waitForFrame(app.lastFrame, (f) => f.includes('u uploads from the local pane'));
    // The local pane: d does not reach for the entry under the remote cursor.
    app.stdin.write(KEYS.tab);
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => f.includes('d downloads from the remote pane'));
    app.stdin.write('u');
    await waitUntil(() => exists(path.join(remoteRoot, 'up.txt')), 'the upload of the local cursor');
    await waitForFrame(app.lastFrame, (f) => f.includes('1 transfer finished: 1 done'));
    assert.equal(await exists(path.join(local, 'down.txt')), false, 'nothing was downloaded');
    assert.equal(await exists(path.join(remoteRoot, 'down.txt')), true);
  });
});

void test('the hint bar names u and d as transfers, not cursor moves', () => {
  const labels = new Map(hintEntries().map((hint) => [hint.key, hint.label]));
  assert.equal(labels.get('u'), 'Upload');
  assert.equal(labels.get('d'), 'Download');
});

void test('Esc clears a filter that Enter kept', async () => {
  const dir = await folderWith({ 'apple.txt': 'a', 'berry.txt': 'b' });
  const app = await localOnly(dir);
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('berry.txt'));
    app.stdin.write('/');
    app.stdin.write('app');
    app.stdin.write(KEYS.enter);
    // Without a connection the right pane lists the same folder: berry.txt stays there, once.
    const times = (f: string, text: string): number => f.split(text).length - 1;
    await waitForFrame(app.lastFrame, (f) => f.includes('filter: app') && !f.includes('filter: app_') && times(f, 'berry.txt') === 1);
    app.stdin.write(KEYS.escape);
    const frame = await waitForFrame(app.lastFrame, (f) => times(f, 'berry.txt') === 2);
    assert.doesNotMatch(frame, /filter: app/);
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('Home, End and the page keys move through the transfer queue', async () => {
  const names = Array.from({ length: 12 }, (_, index) => `f${String(index + 1).padStart(2, '0')}.txt`);
  const local = await folderWith({});
  const remoteRoot = await folderWith(Object.fromEntries(names.map((name) => [name, name])));
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('f12.txt'));
    // One row each (a selection would be one row): d on every file in turn.
    for (let i = 0; i < names.length; i++) {
      app.stdin.write('d');
      app.stdin.write(KEYS.down);
    }
    await waitForFrame(app.lastFrame, (f) => /0 running .*0 waiting, 12 in all/.test(f) && (f.match(/✓ ↓f/g) ?? []).length > 0);
    app.stdin.write('p');
    // The rows shown, by name (the queue keeps the order the listing gave).
    const shown = (frame: string): string => frame.split('\n').filter((line) => line.includes('↓')).map((line) => /f\d\d\.txt/.exec(line)?.[0]).filter(Boolean).join(' ');
    // Everything has finished: the cursor starts on the last item.
    const atEnd = shown(await waitForFrame(app.lastFrame, (f) => f.includes('x cancel') && shown(f) !== ''));
    app.stdin.write(HOME);
    const atHome = shown(await waitForFrame(app.lastFrame, (f) => shown(f) !== atEnd));
    assert.ok(atHome.split(' ').every((name) => !atEnd.includes(name)), `${atHome} | ${atEnd}`);
    app.stdin.write(KEYS.pageDown);
    await waitForFrame(app.lastFrame, (f) => shown(f) !== atHome);
    app.stdin.write(END);
    await waitForFrame(app.lastFrame, (f) => shown(f) === atEnd);
  });
});

void test('End and Home scroll the help to its last and first lines', async () => {
  const dir = await folderWith({ 'a.txt': 'x' });
  const app = await localOnly(dir);
  try {
    app.stdin.write('?');
    const first = await waitForFrame(app.lastFrame, (f) => f.includes('Ferry keys (1-'));
    const total = /of (\d+);/.exec(first)?.[1];
    assert.ok(total);
    app.stdin.write(END);
    await waitForFrame(app.lastFrame, (f) => new RegExp(`-${total} of ${total};`).test(f));
    app.stdin.write(HOME);
    await waitForFrame(app.lastFrame, (f) => f.includes('Ferry keys (1-'));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('an encrypted session keeps its [ferrys TLS] mark in the status line, a plain one says it is plain', async () => {
  const dir = await folderWith({});
  const server = await startTestServer({ tls: await generateSelfSigned('localhost') });
  const app = renderApp(dir, { initial: loopback(server.port, { tls: 'require' }) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Unknown server'));
    await waitForFrame(app.lastFrame, (f) => f.includes('Trust (y)') && !f.includes('a moment'));
    app.stdin.write('y');
    await waitForFrame(app.lastFrame, (f) => f.includes('(empty folder)') && f.includes('[ferrys TLS] connected'));
    // Another message replaces "connected … (TLS)": the mark stays.
    app.stdin.write('u');
    await waitForFrame(app.lastFrame, (f) => f.includes('u uploads from') && !f.includes('(TLS)') && f.includes('[ferrys TLS]'));
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  }
  const local = await folderWith({});
  const remoteRoot = await folderWith({ 'plain.txt': 'p' });
  await withConnectedApp(local, remoteRoot, async ({ app: plain }) => {
    const frame = await waitForFrame(plain.lastFrame, (f) => f.includes('[ferry plain] connected 127.0.0.1') && f.includes('plain.txt'));
    assert.doesNotMatch(frame, /\[TLS\]/);
  });
});

void test('after a wrong password the cursor is in the emptied password field: typing the right one connects', async () => {
  const dir = await folderWith({ 'charlie.txt': 'c' });
  const server = await startTestServer({
    authenticate: (attempt) =>
      attempt.user === 'alice' && attempt.secret === 'right'
        ? Promise.resolve({ user: 'alice', root: dir, readOnly: true })
        : Promise.reject(new FerryError(ErrorCode.AUTH, LOGIN_FAILED_MESSAGE)),
  });
  const app = renderApp(dir, { prefill: loopback(server.port, { user: 'alice', password: 'wrong' }) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('wrong user or password'));
    app.stdin.write('right');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('as alice') && f.includes('charlie.txt'));
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('the conflict question ignores keys typed as it appeared, and listens after a moment', () => {
  const queued = transfersReducer(initialTransfersState, {
    type: 'enqueue', resume: false, requests: [{ direction: 'download', name: 'a.txt', source: '/a.txt', target: '/tmp/a.txt', isFolder: false }],
  });
  const item = transfersReducer(queued, { type: 'conflict', id: 1 }).items[0]!;
  const answers: string[] = [];
  const shown: unknown[] = [];
  const messages: string[] = [];
  const host = {
    conflictItem: item,
    show: (dialog: unknown) => shown.push(dialog),
    info: (text: string) => messages.push(text),
    queue: { resolveConflict: (_id: number, choice: string) => { answers.push(choice); return Promise.resolve(); } },
  } as unknown as DialogHost;
  // Just appeared: `r` (meant as rename in the pane) does not resume.
  assert.equal(conflictDialogModule.onKey(conflictDialog(), parseKey('r'), host), true);
  assert.deepEqual(answers, []);
  assert.match(messages[0] ?? '', /ignored/);
  // The ignored key restarted the moment.
  assert.ok(Date.now() - (shown[0] as { guardedSince: number }).guardedSince < INPUT_GUARD_MS);
  // Shown a while ago: the key answers. Enter takes the highlighted answer, Skip by default.
  const seen = conflictDialog(Date.now() - INPUT_GUARD_MS);
  conflictDialogModule.onKey(seen, parseKey('\r'), host);
  conflictDialogModule.onKey(seen, parseKey('r'), host);
  assert.deepEqual(answers, ['skip', 'resume']);
});

void test('the conflict dialog shows both sides and keys typed before it showed do not answer it', async () => {
  const local = await folderWith({ 'same.txt': 'old local' });
  const remoteRoot = await folderWith({ 'same.txt': 'the newer remote one' });
  const day = 24 * 3600 * 1000;
  await fs.utimes(path.join(local, 'same.txt'), new Date(), new Date(Date.now() - 3 * day));
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.split('same.txt').length === 3);
    app.stdin.write('d');
    // Typed while it appears: neither overwrites.
    await waitForFrame(app.lastFrame, (f) => f.includes('Target exists'));
    app.stdin.write('o');
    const question = await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('Esc: skip'));
    assert.match(question, /Source +20 B .* newer, larger/);
    assert.match(question, /Target +9 B /);
    assert.equal(await fs.readFile(path.join(local, 'same.txt'), 'utf8'), 'old local');
    // Enter takes the highlighted answer: Skip.
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Target exists') && f.includes('skipped'));
    assert.equal(await fs.readFile(path.join(local, 'same.txt'), 'utf8'), 'old local');
  });
});

void test('^L opens the message log: every message whole, with its time, scrollable, Esc closes', async () => {
  const dir = await folderWith({});
  const app = await localOnly(dir);
  try {
    const name = `a-folder-with-a-name-far-too-long-for-the-status-line-${'x'.repeat(120)}-end`;
    app.stdin.write(KEYS.f7);
    await waitForFrame(app.lastFrame, (f) => f.includes('Make folder'));
    app.stdin.write(name);
    app.stdin.write(KEYS.enter);
    const cut = await waitForFrame(app.lastFrame, (f) => f.includes('created a-folder'));
    const statusLine = cut.split('\n').find((line) => line.includes('created a-folder')) ?? '';
    assert.ok(!statusLine.includes('-end'), `the status line shows only the start: ${statusLine}`);
    app.stdin.write('\x0c');
    const log = await waitForFrame(app.lastFrame, (f) => f.includes('Messages ('));
    const inner = log.split('\n').filter((line) => line.includes('║')).map((line) => line.slice(line.indexOf('║') + 1, line.lastIndexOf('║')).trim());
    assert.match(log, /\d\d:\d\d:\d\d local pane only — press \^O to connect/);
    const lastMessage = inner.slice(inner.findIndex((line) => /\d\d:\d\d:\d\d created/.test(line))).join('');
    assert.ok(lastMessage.replace(/\s/g, '').includes(`created${name}`), `the whole message:\n${inner.join('\n')}`);
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => !f.includes('Messages ('));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('the message log is bounded: the oldest go first, a huge message is cut', () => {
  let log: readonly LogEntry[] = [];
  for (let index = 0; index < 30; index++) log = appendLogEntry(log, { at: index, text: `message ${index}`, kind: 'info' }, 10);
  assert.equal(log.length, 10);
  assert.equal(log[0]?.text, 'message 20');
  assert.equal(log[9]?.text, 'message 29');
  log = appendLogEntry(log, { at: 99, text: 'y'.repeat(MESSAGE_TEXT_LIMIT * 10), kind: 'error' }, 10);
  assert.equal(log.length, 10);
  assert.equal(log[9]?.text.length, MESSAGE_TEXT_LIMIT + 1);
});

void test('name patterns: * ? [ab], whole names, any case, other characters literal', () => {
  const matches = (pattern: string, name: string): boolean => namePattern(pattern).test(name);
  assert.ok(matches('*.jpg', 'Holiday.JPG'));
  assert.ok(!matches('*.jpg', 'a.jpg.txt'));
  assert.ok(matches('?.txt', 'a.txt') && !matches('?.txt', 'ab.txt'));
  assert.ok(matches('[ab]*', 'beta') && !matches('[ab]*', 'gamma'));
  assert.ok(matches('[!ab]*', 'gamma') && !matches('[!ab]*', 'alpha'));
  assert.ok(matches('report (1).pdf', 'report (1).pdf') && !matches('report (1).pdf', 'report 1.pdf'));
  assert.ok(matches('a+b.$x', 'a+b.$x'));
  assert.ok(matches('*', '.hidden'));
});

void test('+ and - select and unselect by pattern, ^U unselects all, the status line sums the selection', async () => {
  const dir = await folderWith({ 'one.jpg': 'x'.repeat(1000), 'two.jpg': 'x'.repeat(2000), 'notes.txt': 'x'.repeat(500) });
  const app = await localOnly(dir);
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('two.jpg'));
    app.stdin.write('+');
    await waitForFrame(app.lastFrame, (f) => f.includes('Names matching'));
    app.stdin.write('\x15'); // ^U empties the field
    app.stdin.write('*.JPG');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('2 selected, 2.9 KiB'));
    app.stdin.write('-');
    await waitForFrame(app.lastFrame, (f) => f.includes('Unselect') && f.includes('Names matching'));
    app.stdin.write(KEYS.backspace);
    app.stdin.write('one*');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('1 selected, 2.0 KiB'));
    app.stdin.write('a');
    await waitForFrame(app.lastFrame, (f) => f.includes('3 selected, 3.4 KiB'));
    app.stdin.write('\x15');
    await waitForFrame(app.lastFrame, (f) => !f.includes('selected,'));
    // - with the offered * unselects everything.
    app.stdin.write('a');
    await waitForFrame(app.lastFrame, (f) => f.includes('3 selected'));
    app.stdin.write('-');
    await waitForFrame(app.lastFrame, (f) => f.includes('Names matching'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => !f.includes('selected,') && f.includes('unselected 3 names matching *'));
  } finally {
    app.unmount();
    await fs.rm(dir, { recursive: true, force: true });
  }
});

void test('F5 asks where to, the other pane\'s folder offered and editable', async () => {
  const local = await folderWith({ 'a.txt': 'A', 'b.txt': 'B' });
  const remoteRoot = await folderWith({}, ['inbox']);
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('inbox') && f.includes('b.txt'));
    app.stdin.write(KEYS.tab);
    const f5 = '\x1b[15~';
    app.stdin.write(f5);
    const prompt = await waitForFrame(app.lastFrame, (f) => f.includes('Upload a.txt') && f.includes('To (remote folder):'));
    assert.match(prompt, /> \/ /, 'the remote pane\'s folder is offered');
    // Nothing is queued until Enter.
    assert.doesNotMatch(prompt, /Transfers: \d/);
    app.stdin.write('inbox');
    app.stdin.write(KEYS.enter);
    await waitUntil(() => exists(path.join(remoteRoot, 'inbox', 'a.txt')), 'a.txt in /inbox');
    // One entry to a path that is no folder: the copy's new name.
    app.stdin.write(f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Upload a.txt') && f.includes('To (remote folder):'));
    app.stdin.write('\x15');
    app.stdin.write('/copy-of-a.txt');
    app.stdin.write(KEYS.enter);
    await waitUntil(() => exists(path.join(remoteRoot, 'copy-of-a.txt')), 'the copy under its new name');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'copy-of-a.txt'), 'utf8'), 'A');
    // Several entries go into a folder only.
    app.stdin.write('a');
    app.stdin.write(f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Upload 2 items'));
    app.stdin.write('/nowhere');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('no folder'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('copy cancelled'));
    assert.equal(await exists(path.join(remoteRoot, 'b.txt')), false);
  });
});

void test('the position in an empty folder reads 0/0, on its parent row too', async () => {
  const local = await folderWith({ 'l.txt': 'l' });
  const remoteRoot = await folderWith({ 'a.txt': 'a' }, ['empty']);
  await withConnectedApp(local, remoteRoot, async ({ app }) => {
    await waitForFrame(app.lastFrame, (f) => f.includes('a.txt') && f.includes('/empty'));
    // The folder comes first: Enter goes into it, where only the parent row is left.
    app.stdin.write(KEYS.enter);
    const inside = await waitForFrame(app.lastFrame, (f) => f.includes('(empty folder)') && /:\d+\/empty/.test(f));
    assert.match(inside, / 0\/0\n/);
    assert.doesNotMatch(inside, /-1\/0/);
  });
});
