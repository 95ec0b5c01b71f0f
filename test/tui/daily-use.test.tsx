/**
 * The UI used all day: which pane is active once connected, resuming after a
 * reconnect however it was made, F6 on a selection, a selection of many files
 * as one transfer. Real ferryd, real folders, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../src/server/log.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { KEYS, loopback, renderApp, waitForFrame, waitUntil } from '../helpers/ink.js';

const makeFolder = tempFolderMaker();

async function folderWith(files: Record<string, string>, folders: string[] = []): Promise<string> {
  const dir = await makeFolder('ferry-tui-daily-');
  for (const folder of folders) await fs.mkdir(path.join(dir, folder), { recursive: true });
  for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
  return dir;
}

/** A ferryd on `root` that can be stopped and started again on the same port. */
async function restartableServer(root: string): Promise<{ port: number; stop(): Promise<void>; restart(): Promise<void>; current(): TestServer }> {
  let server = await startTestServer({ root });
  const port = server.port;
  return {
    port,
    stop: () => server.cleanup(),
    restart: async () => {
      server = await startTestServer({ root, port });
    },
    current: () => server,
  };
}

/** The active pane is the one whose folder F7 offers to make the new folder in. */
async function activeFolder(app: ReturnType<typeof renderApp>): Promise<string> {
  app.stdin.write(KEYS.f7);
  const frame = await waitForFrame(app.lastFrame, (f) => f.includes('New folder in'));
  app.stdin.write(KEYS.escape);
  await waitForFrame(app.lastFrame, (f) => !f.includes('New folder in'));
  return /New folder in (\S+):/.exec(frame)![1]!;
}

void test('the remote pane is active once connected, whether the password came with the start or from the dialog', async () => {
  const local = await folderWith({ 'here.txt': 'x' });
  const remoteRoot = await folderWith({ 'there.txt': 'y' });
  const server = await startTestServer({ root: remoteRoot });
  try {
    const started = renderApp(local, { initial: loopback(server.port) });
    try {
      await waitForFrame(started.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('there.txt'));
      assert.equal(await activeFolder(started), '/');
    } finally {
      started.unmount();
    }
    const asked = renderApp(local, { prefill: loopback(server.port) });
    try {
      await waitForFrame(asked.lastFrame, (f) => f.includes('Connect to a Ferry server'));
      asked.stdin.write(KEYS.enter);
      await waitForFrame(asked.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('there.txt'));
      assert.equal(await activeFolder(asked), '/');
    } finally {
      asked.unmount();
    }
  } finally {
    await server.cleanup();
  }
});

void test('a download cut by a dropped connection resumes when the connect dialog reconnects to the same server', { timeout: 60_000 }, async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  const size = 1024 ** 3;
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), size);
  const server = await restartableServer(remoteRoot);
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('big.bin'));
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => /↓big\.bin.*\b[1-9]\d*%/.test(f));
    await server.stop();
    await waitForFrame(app.lastFrame, (f) => /connection lost/i.test(f) && /0 running/.test(f));
    // ^O while the server is down: the attempt fails and the connect dialog says why.
    app.stdin.write('\x0f');
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server') && /refused/i.test(f), 10_000);
    await server.restart();
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('resuming 1 transfer'), 10_000);
    const done = await waitForFrame(app.lastFrame, (f) => /\d (?:B|[KMGTP]iB) in \d/.test(f), 50_000);
    assert.match(done, /resumed at [1-9]\d*/);
    assert.equal((await fs.stat(path.join(local, 'big.bin'))).size, size);
  } finally {
    app.unmount();
    await server.stop();
  }
});

void test('a session to another server does not take up what the lost one interrupted', { timeout: 60_000 }, async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({});
  await fs.writeFile(path.join(remoteRoot, 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'big.bin'), 1024 ** 3);
  const server = await restartableServer(remoteRoot);
  const other = await startTestServer({ root: await folderWith({ 'elsewhere.txt': 'z' }) });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('big.bin'));
    app.stdin.write('d');
    await waitForFrame(app.lastFrame, (f) => /↓big\.bin.*\b[1-9]\d*%/.test(f));
    await server.stop();
    await waitForFrame(app.lastFrame, (f) => /connection lost/i.test(f) && /0 running/.test(f));
    app.stdin.write('\x0f');
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'), 10_000);
    // Port field: Tab to it, erase, type the other server's.
    app.stdin.write(KEYS.tab);
    for (let i = 0; i < 6; i++) app.stdin.write(KEYS.backspace);
    app.stdin.write(String(other.port));
    app.stdin.write(KEYS.enter);
    const frame = await waitForFrame(app.lastFrame, (f) => f.includes('elsewhere.txt'));
    assert.doesNotMatch(frame, /resuming/);
    assert.match(frame, /0 running/);
  } finally {
    app.unmount();
    await other.cleanup();
    await server.stop();
  }
});


/** A ferryd on `root` whose access log is kept: the requests it served, by their summary (`TGET dir`, `DWLD dir/x`). */
async function loggingServer(root: string): Promise<{ server: TestServer; requests: () => string[] }> {
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.setEncoding('utf8');
  let partial = '';
  stream.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const server = await startTestServer({ root, logger: createLogger({ level: 'info', format: 'json', stream }) });
  const requests = (): string[] => lines
    .map((line) => JSON.parse(line) as { msg: string; request?: string })
    .filter((line) => line.msg === 'request' && line.request !== undefined)
    .map((line) => line.request!);
  return { server, requests };
}

void test('a selection of many remote files is one transfer: one TGET of those names, not a request per file', { timeout: 60_000 }, async () => {
  const local = await folderWith({ 'kept.txt': 'mine' });
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`f${String(i).padStart(3, '0')}.txt`] = `content ${i}`;
  const remoteRoot = await folderWith({ ...files, 'kept.txt': 'theirs', 'sub/inner.txt': 'inner' }, ['sub']);
  const { server, requests } = await loggingServer(remoteRoot);
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('f000.txt'));
    app.stdin.write('a');
    await waitForFrame(app.lastFrame, (f) => f.includes('302 selected'));
    app.stdin.write(KEYS.f5);
    // F5 asks where to, offering the other pane's folder.
    await waitForFrame(app.lastFrame, (f) => f.includes('Download 302 items'));
    app.stdin.write(KEYS.enter);
    // kept.txt exists locally: it leaves the selection and is asked about on its own; the rest goes on.
    // (It listens once "Esc: skip" shows: keys typed as it appeared are ignored.)
    await waitForFrame(app.lastFrame, (f) => f.includes('Target exists') && f.includes('kept.txt') && f.includes('Esc: skip'));
    app.stdin.write('s');
    const done = await waitForFrame(app.lastFrame, (f) => f.includes('2 transfers finished'), 30_000);
    assert.match(done, /1 done, 1 skipped/);
    for (const [name, content] of Object.entries(files)) assert.equal(await fs.readFile(path.join(local, name), 'utf8'), content);
    assert.equal(await fs.readFile(path.join(local, 'sub', 'inner.txt'), 'utf8'), 'inner');
    assert.equal(await fs.readFile(path.join(local, 'kept.txt'), 'utf8'), 'mine');
    const served = requests();
    assert.deepEqual(served.filter((request) => request.startsWith('DWLD')), [], 'no file went by its own request');
    assert.equal(served.filter((request) => request.startsWith('TGET')).length, 1);
  } finally {
    app.unmount();
    await server.cleanup();
  }
});

void test('a selection of local files goes up as one TPUT', { timeout: 60_000 }, async () => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 200; i++) files[`u${String(i).padStart(3, '0')}.txt`] = `up ${i}`;
  const local = await folderWith({ ...files, 'dir/deep.txt': 'deep' }, ['dir']);
  const remoteRoot = await folderWith({});
  const { server, requests } = await loggingServer(remoteRoot);
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('u000.txt'));
    app.stdin.write(KEYS.tab);
    app.stdin.write('a');
    await waitForFrame(app.lastFrame, (f) => f.includes('201 selected'));
    app.stdin.write(KEYS.f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Upload 201 items'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('1 transfer finished: 1 done'), 30_000);
    for (const [name, content] of Object.entries(files)) assert.equal(await fs.readFile(path.join(remoteRoot, name), 'utf8'), content);
    assert.equal(await fs.readFile(path.join(remoteRoot, 'dir', 'deep.txt'), 'utf8'), 'deep');
    const served = requests();
    assert.deepEqual(served.filter((request) => request.startsWith('UPLD')), [], 'no file went by its own request');
    assert.equal(served.filter((request) => request.startsWith('TPUT')).length, 1);
  } finally {
    app.unmount();
    await server.cleanup();
  }
});

void test('F6 with a selection moves the selected entries into a folder, not the one under the cursor', async () => {
  const local = await folderWith({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' }, ['dest']);
  const app = renderApp(local);
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('c.txt') && !f.includes('Connect to'));
    // dest/ first, then a.txt, b.txt, c.txt: select a.txt and b.txt; the cursor ends on c.txt.
    app.stdin.write(KEYS.down);
    app.stdin.write(' ');
    app.stdin.write(' ');
    await waitForFrame(app.lastFrame, (f) => f.includes('2 selected'));
    app.stdin.write(KEYS.f6);
    await waitForFrame(app.lastFrame, (f) => f.includes('Move 2 items'));
    app.stdin.write('/nowhere');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('is not a folder'));
    for (let i = 0; i < '/nowhere'.length; i++) app.stdin.write(KEYS.backspace);
    app.stdin.write('/dest');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('moved 2 items'));
    assert.deepEqual((await fs.readdir(path.join(local, 'dest'))).sort(), ['a.txt', 'b.txt']);
    assert.deepEqual((await fs.readdir(local)).sort(), ['c.txt', 'dest']);
  } finally {
    app.unmount();
  }
});

void test('F6 with a selection on the remote side moves them there; one whose name is taken in the target stays, with the reason', async () => {
  const local = await folderWith({});
  const remoteRoot = await folderWith({ 'one.txt': '1', 'two.txt': '2', 'into/two.txt': 'taken' }, ['into']);
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('two.txt'));
    // into/, one.txt, two.txt: select the two files.
    app.stdin.write(KEYS.down);
    app.stdin.write(' ');
    app.stdin.write(' ');
    await waitForFrame(app.lastFrame, (f) => f.includes('2 selected'));
    app.stdin.write(KEYS.f6);
    await waitForFrame(app.lastFrame, (f) => f.includes('Move 2 items'));
    app.stdin.write('into');
    app.stdin.write(KEYS.enter);
    const stopped = await waitForFrame(app.lastFrame, (f) => f.includes('cannot move 1 item'));
    assert.match(stopped, /moved 1; cannot move 1 item: two\.txt/);
    assert.equal(await fs.readFile(path.join(remoteRoot, 'into', 'one.txt'), 'utf8'), '1');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'into', 'two.txt'), 'utf8'), 'taken');
    assert.equal(await fs.readFile(path.join(remoteRoot, 'two.txt'), 'utf8'), '2');
  } finally {
    app.unmount();
    await server.cleanup();
  }
});

void test('deleting a big local folder says how far it got, and keys go on meanwhile', { timeout: 60_000 }, async () => {
  const local = await folderWith({ 'z-other.txt': 'stays' }, ['big/a', 'big/b']);
  const files = 20_000;
  for (let i = 0; i < files; i++) writeFileSync(path.join(local, 'big', i % 2 ? 'a' : 'b', `f${i}`), '');
  const app = renderApp(local);
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect to a Ferry server'));
    app.stdin.write(KEYS.escape);
    await waitForFrame(app.lastFrame, (f) => f.includes('z-other.txt') && !f.includes('Connect to'));
    app.stdin.write(KEYS.f8);
    await waitForFrame(app.lastFrame, (f) => f.includes('Delete 1 item?'));
    app.stdin.write('y');
    // A key pressed while the folder goes is handled at once: the cursor moves before the delete ends.
    app.stdin.write(KEYS.down);
    const done = await waitForFrame(app.lastFrame, (f) => f.includes('deleted 1 item'), 30_000);
    // The end says how many went: the files and the three folders.
    assert.match(done, /deleted 1 item \(20,003 entries/);
    // Every frame drawn is kept: one of them showed the progress with the cursor already moved (2/2),
    // however fast the delete then ended (waiting on the last frame alone could miss it).
    assert.ok(
      app.frames.some((f) => /deleting big\/… [\d,]+ removed/.test(f) && /2\/2\s*$/m.test(f)),
      'a frame showed the delete in progress after the cursor had moved',
    );
    assert.deepEqual(await fs.readdir(local), ['z-other.txt']);
  } finally {
    app.unmount();
  }
});

void test('a folder cut by a drop resumes after the reconnect without asking about its own output or fetching finished files again', { timeout: 90_000 }, async () => {
  const local = await folderWith({});
  const small: Record<string, string> = {};
  for (let i = 0; i < 50; i++) small[`tree/small/s${i}.txt`] = `small ${i}`;
  const remoteRoot = await folderWith(small, ['tree/small']);
  await fs.writeFile(path.join(remoteRoot, 'tree', 'big.bin'), '');
  await fs.truncate(path.join(remoteRoot, 'tree', 'big.bin'), 1024 ** 3);
  const lines: string[] = [];
  const stream = new PassThrough();
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  const logger = createLogger({ level: 'info', format: 'json', stream });
  let server = await startTestServer({ root: remoteRoot, logger });
  const port = server.port;
  const app = renderApp(local, { initial: loopback(port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('tree'));
    app.stdin.write('d');
    // Some of big.bin has arrived: the folder is under way.
    await waitUntil(async () => {
      const names = await fs.readdir(path.join(local, 'tree')).catch(() => [] as string[]);
      const partial = names.find((name) => name.includes('big.bin'));
      return partial !== undefined && (await fs.stat(path.join(local, 'tree', partial))).size > 0;
    }, 'part of big.bin', 30_000);
    await server.cleanup();
    await waitForFrame(app.lastFrame, (f) => /connection lost/i.test(f) && /0 running/.test(f));
    const arrivedBefore = (await fs.readdir(path.join(local, 'tree', 'small')).catch(() => [] as string[])).length;
    lines.length = 0;
    server = await startTestServer({ root: remoteRoot, port, logger });
    app.stdin.write('\x0f');
    await waitForFrame(app.lastFrame, (f) => f.includes('resuming 1 transfer'), 10_000);
    await waitForFrame(app.lastFrame, (f) => /✓ ↓tree/.test(f), 60_000);
    assert.ok(!app.frames.some((frame) => frame.includes('Target exists')), 'no question about its own output');
    assert.equal((await fs.stat(path.join(local, 'tree', 'big.bin'))).size, 1024 ** 3);
    for (const [name, content] of Object.entries(small)) assert.equal(await fs.readFile(path.join(local, name), 'utf8'), content);
    const fetched = lines.map((line) => JSON.parse(line) as { msg: string; request?: string })
      .filter((line) => line.msg === 'request' && /^(DWLD|TGET)/.test(line.request ?? ''));
    assert.equal(fetched.length, 1 + 50 - arrivedBefore, 'big.bin and the small files that had not arrived, nothing else');
  } finally {
    app.unmount();
    await server.cleanup();
  }
});
