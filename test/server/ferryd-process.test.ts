/**
 * The real `ferryd` binary as a child process: the printed address, crash
 * safety under SIGKILL, and the SIGTERM grace period.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeOf, RawClient, sha256 } from './raw-client.js';
import { spawnFerryd as spawnFerrydProcess, type FerrydProcess } from '../helpers/ferryd-process.js';
import { limitsFromFlags } from '../../src/security/ferryd-options.js';

const FERRYD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/bin/ferryd.js');

type Ferryd = FerrydProcess;

function spawnFerryd(root: string, extra: string[] = [], configDir = `${root}.config`): Promise<Ferryd> {
  // Its own config folder (TLS certificate, users) beside the served one, removed with it.
  return spawnFerrydProcess({ root, configDir, extra: ['--log-level', 'info', ...extra] });
}

const exists = (p: string): Promise<boolean> => fs.lstat(p).then(() => true, () => false);

/** Starts an upload and sends `part` bytes, waiting until the server reports them written (WIND). */
async function startUpload(client: RawClient, id: number, name: string, content: Buffer, part: number, flags = 0): Promise<void> {
  client.send({ op: 'UPLD', id, path: name, size: content.length, mtimeMs: 0, mode: 0, flags });
  const open = await client.nextFor(id);
  assert.equal(open.op, 'OPEN');
  client.send({ op: 'DATA', id, offset: 0, data: content.subarray(0, part) });
  let granted = 0;
  while (granted < part) {
    const msg = await client.nextFor(id);
    assert.equal(msg.op, 'WIND');
    if (msg.op === 'WIND') granted += msg.increment;
  }
}

void test('ferryd prints its address; SIGKILL mid-upload leaves only the temporary file, resumable after restart', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-proc-'));
  let ferryd = await spawnFerryd(root);
  try {
    const content = randomBytes(1_000_000);
    const client = await RawClient.open(ferryd.port);
    await startUpload(client, 5, 'crash.bin', content, 400_000);
    ferryd.child.kill('SIGKILL');
    assert.equal((await ferryd.exited).signal, 'SIGKILL');
    await client.closed;
    assert.equal(await exists(path.join(root, 'crash.bin')), false);
    assert.equal((await fs.stat(path.join(root, '.crash.bin.ferry-part'))).size, 400_000);

    ferryd = await spawnFerryd(root);
    const again = await RawClient.open(ferryd.port);
    again.send({ op: 'UPLD', id: 6, path: 'crash.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
    const open = await again.nextFor(6);
    assert.ok(open.op === 'OPEN' && open.offset === 400_000);
    if (open.op !== 'OPEN') return;
    await again.sendContent(6, content, open.offset, open.window);
    again.send({ op: 'HASH', id: 6, hash: sha256(content) });
    assert.equal(codeOf(await again.next((m) => m.id === 6 && m.op !== 'WIND')), 'DONE');
    assert.ok((await fs.readFile(path.join(root, 'crash.bin'))).equals(content));
    await again.quit();
  } finally {
    ferryd.child.kill('SIGKILL');
    await ferryd.exited;
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(`${root}.config`, { recursive: true, force: true });
  }
});

void test('two ferryd on one root: a second writer gets BUSY; when the first is killed, the upload resumes through the other', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-proc-'));
  const first = await spawnFerryd(root);
  const second = await spawnFerryd(root, [], `${root}.config2`);
  try {
    const content = randomBytes(1_000_000);
    const writer = await RawClient.open(first.port);
    await startUpload(writer, 5, 'shared.bin', content, 300_000, 2);
    const other = await RawClient.open(second.port);
    const busy = await other.request({ op: 'UPLD', id: 6, path: 'shared.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
    assert.equal(codeOf(busy), 10); // BUSY: the first instance's lock is live

    first.child.kill('SIGKILL');
    await first.exited;
    await writer.closed;
    // Its lock stays behind, stale: the other instance breaks it and continues the temporary file.
    other.send({ op: 'UPLD', id: 7, path: 'shared.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 2 });
    const open = await other.nextFor(7);
    assert.ok(open.op === 'OPEN' && open.offset === 300_000);
    if (open.op !== 'OPEN') return;
    await other.sendContent(7, content, open.offset, open.window);
    other.send({ op: 'HASH', id: 7, hash: sha256(content) });
    assert.equal(codeOf(await other.next((m) => m.id === 7 && m.op !== 'WIND')), 'DONE');
    assert.ok((await fs.readFile(path.join(root, 'shared.bin'))).equals(content));
    assert.deepEqual(await fs.readdir(root), ['shared.bin']);
    await other.quit();
  } finally {
    first.child.kill('SIGKILL');
    second.child.kill('SIGKILL');
    await Promise.all([first.exited, second.exited]);
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(`${root}.config`, { recursive: true, force: true });
    await fs.rm(`${root}.config2`, { recursive: true, force: true });
  }
});

void test('SIGTERM: new connections are refused, a running upload may finish within the grace period, then exit 0', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-proc-'));
  const ferryd = await spawnFerryd(root, ['--grace', '20']);
  try {
    const content = randomBytes(500_000);
    const client = await RawClient.open(ferryd.port);
    const idle = await RawClient.open(ferryd.port);
    await startUpload(client, 5, 'graceful.bin', content, 100_000);
    ferryd.child.kill('SIGTERM');
    // The idle session is told and closed; the listener stops accepting.
    const notice = await idle.next();
    assert.equal(notice.op === 'FAIL' && notice.id, 0);
    await idle.closed;
    await assert.rejects(RawClient.connect(ferryd.port));
    // New requests on the busy session are refused, the upload itself completes.
    assert.equal(codeOf(await client.request({ op: 'STAT', id: 6, path: '' })), 20);
    await client.sendContent(5, content, 100_000, 8 * 1024 * 1024);
    client.send({ op: 'HASH', id: 5, hash: sha256(content) });
    assert.equal(codeOf(await client.next((m) => m.id === 5 && m.op !== 'WIND')), 'DONE');
    await client.closed;
    assert.deepEqual(await ferryd.exited, { code: 0, signal: null });
    assert.ok((await fs.readFile(path.join(root, 'graceful.bin'))).equals(content));
  } finally {
    ferryd.child.kill('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(`${root}.config`, { recursive: true, force: true });
  }
});

void test('SIGTERM: an upload still unfinished when the grace period ends keeps only its temporary file', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-proc-'));
  const ferryd = await spawnFerryd(root, ['--grace', '0.3']);
  try {
    const content = randomBytes(300_000);
    const client = await RawClient.open(ferryd.port);
    await startUpload(client, 5, 'stalled.bin', content, 50_000);
    ferryd.child.kill('SIGTERM');
    assert.deepEqual(await ferryd.exited, { code: 0, signal: null });
    await client.closed;
    assert.equal(await exists(path.join(root, 'stalled.bin')), false);
    assert.equal((await fs.stat(path.join(root, '.stalled.bin.ferry-part'))).size, 50_000);
    assert.match(ferryd.stderr(), /grace period over/);
  } finally {
    ferryd.child.kill('SIGKILL');
    await fs.rm(root, { recursive: true, force: true });
    await fs.rm(`${root}.config`, { recursive: true, force: true });
  }
});

/** Runs ferryd to its exit; returns the exit code and what it wrote. */
async function runFerrydToExit(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [FERRYD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stdout, stderr };
}

void test('bad arguments: exit 2 with one coded line, before any certificate is generated or anything listens', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-args-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  const root = path.join(dir, 'root');
  await fs.mkdir(root);
  await fs.writeFile(path.join(dir, 'a-file'), 'x');
  const configDir = path.join(dir, 'config');
  // TLS stays on (the default), so a late check would first generate a certificate in configDir.
  const base = ['--config-dir', configDir];
  const cases: Array<[string[], RegExp]> = [
    [['--port', '0'], /^ferryd: USAGE: --root DIR is required/],
    [['--root', root, '--port', 'abc'], /^ferryd: USAGE: --port must be a whole number from 0 to 65535/],
    [['--root', root, '--port', '70000'], /^ferryd: USAGE: --port/],
    [['--root', root, '--port', '-1'], /^ferryd: USAGE: --port/],
    [['--root', root, '--port', '1.5'], /^ferryd: USAGE: --port/],
    [['--root', path.join(dir, 'missing'), '--port', '0'], /^ferryd: NOT_FOUND: --root .*missing: no such folder/],
    [['--root', path.join(dir, 'a-file'), '--port', '0'], /^ferryd: NOT_A_DIRECTORY: --root .*a-file: not a folder/],
    [['--root', root, '--port', '0', '--log-level', 'loud'], /^ferryd: USAGE: unknown --log-level "loud"/],
    [['--root', root, '--port', '0', '--grace', 'soon'], /^ferryd: USAGE: --grace/],
    [['--root', root, '--port', '0', '--drain', '-5'], /^ferryd: USAGE: --drain must be a number of seconds, 0 or more/],
    [['--root', root, '--port', '0', '--max-frame', '1000'], /^ferryd: USAGE: --max-frame must be between 65536 and 16777216/],
    [['--root', root, '--port', '0', '--idle-timeout', 'x'], /^ferryd: USAGE: --idle-timeout must be a positive number of seconds/],
    [['--root', root, '--port', '0', '--login-block', '0'], /^ferryd: USAGE: --login-block/],
    [['--root', root, '--port', '0', '--stall-timeout', '-3'], /^ferryd: USAGE: --stall-timeout/],
    [['--root', root, '--port', '0', '--tls-cert', path.join(dir, 'a-file')], /^ferryd: USAGE: give both --tls-cert and --tls-key/],
    [['--root', root, '--port', '0', '--max-reply-backlog', '0'], /^ferryd: USAGE: --max-reply-backlog must be a positive whole number/],
    [['--root', root, '--port', '0', '--max-reply-backlog', '8M'], /^ferryd: USAGE: --max-reply-backlog must be a positive whole number/],
    [['--root', root, '--port', '0', '--max-partial-frames', '1.5'], /^ferryd: USAGE: --max-partial-frames must be a positive whole number/],
  ];
  for (const [args, expected] of cases) {
    const { code, stdout, stderr } = await runFerrydToExit([...base, ...args]);
    const what = args.join(' ');
    assert.equal(code, 2, `${what}: exit code (stderr: ${stderr})`);
    assert.match(stderr, expected, what);
    assert.equal(stderr.trimEnd().split('\n').length, 1, `${what}: one line, got ${JSON.stringify(stderr)}`);
    assert.match(stderr, /\(see ferryd --help\)\n$/, what);
    assert.equal(stdout, '', `${what}: nothing on stdout`);
    assert.equal(await exists(configDir), false, `${what}: nothing was written to the config folder`);
  }
});

void test('--max-reply-backlog and --max-partial-frames become the server\'s bounds', async (t) => {
  assert.deepEqual(limitsFromFlags({ maxReplyBacklog: 65_536, maxPartialFrames: 1_048_576 }),
    { maxReplyBacklog: 65_536, maxPartialFrameBytes: 1_048_576 });
  assert.deepEqual(limitsFromFlags({}), {}, 'without the flags the server keeps its defaults');
  assert.throws(() => limitsFromFlags({ maxReplyBacklog: -1 }), /--max-reply-backlog must be a positive whole number/);
  assert.throws(() => limitsFromFlags({ maxPartialFrames: 0 }), /--max-partial-frames must be a positive whole number/);

  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-bounds-flags-'));
  t.after(() => Promise.all([fs.rm(root, { recursive: true, force: true }), fs.rm(`${root}.config`, { recursive: true, force: true })]));
  const ferryd = await spawnFerryd(root, ['--no-tls', '--max-reply-backlog', '65536', '--max-partial-frames', '1048576']);
  t.after(() => ferryd.stop());
  // The log line goes to stderr before the address goes to stdout, but the two pipes are read apart.
  const listeningLine = (): string | undefined => ferryd.stderr().split('\n').find((line) => line.includes('"listening"'));
  while (listeningLine() === undefined && ferryd.child.exitCode === null) {
    await new Promise((resolve) => ferryd.child.stderr!.once('data', resolve));
  }
  const listening = listeningLine();
  assert.ok(listening, ferryd.stderr());
  const fields = JSON.parse(listening) as Record<string, unknown>;
  assert.equal(fields.maxReplyBacklog, 65_536);
  assert.equal(fields.maxPartialFrameBytes, 1_048_576);
});
