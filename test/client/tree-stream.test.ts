/**
 * Tree downloads streamed in one TGET: against a real ferryd (small, medium
 * and large files, modes and mtimes, symlinks left out, cancel) and against a
 * scripted server that sends what ferryd never would (an unsafe name, a wrong
 * hash, a FILE inside a file).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import type { TreeProgress } from '../../src/client/types.js';
import { DEFAULT_MAX_FRAME } from '../../src/protocol/constants.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { EntryKind, type ClientMessage, type Entry } from '../../src/protocol/messages.js';
import { createLogger, type LogFields } from '../../src/server/log.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { tempFolderSync } from '../helpers/temp-folders.js';
import { startFakeServer, type FakePeer, type FakeServer } from './fake-server.js';
import { patternBytes } from './files.js';

const isCode = (code: number) => (error: unknown): boolean => error instanceof FerryError && error.code === code;
const sha256 = (data: Buffer): Buffer => createHash('sha256').update(data).digest();

function partsLeft(folder: string): string[] {
  return fs.readdirSync(folder, { recursive: true }).map(String).filter((name) => name.endsWith('.ferry-part'));
}

void describe('tree download in one TGET, against ferryd', () => {
  let server: ConnectedTestServer;
  let client: FerryClient;
  let local: string;
  const logLines: { msg: string; fields: LogFields }[] = [];

  before(async () => {
    // A logger that keeps every line, to see which requests the client made.
    const sink = new (await import('node:stream')).Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const parsed = JSON.parse(line) as { msg: string } & LogFields;
          logLines.push({ msg: parsed.msg, fields: parsed });
        }
        done();
      },
    });
    const logger = createLogger({ level: 'debug', format: 'json', stream: sink });
    ({ client, local } = server = await startConnectedTestServer({ logger }, 'ferry-tree-stream-'));
  });
  after(() => server.cleanup());

  void it('brings back every file byte for byte with mtime and mode, leaves symlinks out, in one request', async () => {
    const top = path.join(server.root, 'photos');
    const files = new Map<string, Buffer>();
    const add = (relative: string, size: number, mode: number): void => {
      fs.mkdirSync(path.dirname(path.join(top, relative)), { recursive: true });
      const data = patternBytes(size, files.size + 3);
      fs.writeFileSync(path.join(top, relative), data, { mode });
      files.set(relative, data);
    };
    for (let i = 0; i < 120; i++) add(`small/${i % 4}/s${i}.bin`, (i * 97) % 5000, 0o644);
    add('empty.txt', 0, 0o600);
    add('medium/m.bin', 300_000, 0o640);
    add('large/l.bin', 6 * 1024 * 1024 + 5, 0o755);
    fs.mkdirSync(path.join(top, 'nothing-inside', 'deeper'), { recursive: true });
    fs.symlinkSync('/etc/passwd', path.join(top, 'small', 'link-out'));
    fs.symlinkSync('../large', path.join(top, 'small', 'link-folder'));
    const mtime = new Date('2021-03-04T05:06:07.000Z');
    fs.utimesSync(path.join(top, 'medium', 'm.bin'), mtime, mtime);

    const requestsBefore = logLines.filter((line) => line.msg === 'request').length;
    const target = path.join(local, 'photos');
    const result = await client.downloadTree('photos', target);
    assert.equal(result.files, files.size);
    assert.equal(result.bytes, [...files.values()].reduce((sum, data) => sum + data.length, 0));
    for (const [relative, data] of files) {
      const landed = path.join(target, relative);
      assert.ok(fs.readFileSync(landed).equals(data), relative);
      assert.equal(fs.statSync(landed).mode & 0o777, fs.statSync(path.join(top, relative)).mode & 0o777, `${relative} mode`);
    }
    assert.equal(fs.statSync(path.join(target, 'medium', 'm.bin')).mtimeMs, mtime.getTime());
    assert.ok(fs.statSync(path.join(target, 'nothing-inside', 'deeper')).isDirectory());
    assert.equal(fs.existsSync(path.join(target, 'small', 'link-out')), false);
    assert.equal(fs.existsSync(path.join(target, 'small', 'link-folder')), false);
    assert.deepEqual(partsLeft(target), []);
    // One TGET: not a request per file (and no listing, with nobody watching progress).
    const requests = logLines.filter((line) => line.msg === 'request').slice(requestsBefore);
    assert.deepEqual(requests.map((line) => String(line.fields.request).split(' ')[0]), ['TGET']);
    const tget = requests.find((line) => String(line.fields.request).startsWith('TGET'))!;
    assert.equal(tget.fields.files, files.size);
    assert.equal(tget.fields.bytes, result.bytes);
  });

  void it('with a progress listener, progress ends at the tree\'s totals', async () => {
    const top = path.join(server.root, 'watched');
    fs.mkdirSync(path.join(top, 'sub'), { recursive: true });
    const big = patternBytes(8 * 1024 * 1024, 31);
    fs.writeFileSync(path.join(top, 'sub', 'big.bin'), big);
    fs.writeFileSync(path.join(top, 'small.txt'), 'small');
    const total = big.length + 5;
    const progress: TreeProgress[] = [];
    const result = await client.downloadTree('watched', path.join(local, 'watched'), { onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    assert.equal(result.files, 2);
    assert.equal(result.folders, 1);
    const last = progress.at(-1)!;
    assert.deepEqual([last.filesDone, last.filesTotal, last.bytesDone, last.bytesTotal], [2, 2, total, total]);
  });

  void it('without overwrite an existing local file stops the tree with EXISTS and is left as it was', async () => {
    const top = path.join(server.root, 'again');
    fs.mkdirSync(top);
    for (let i = 0; i < 10; i++) fs.writeFileSync(path.join(top, `f${i}`), patternBytes(1000, i + 1));
    const target = path.join(local, 'again');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'f5'), 'mine');
    await assert.rejects(client.downloadTree('again', target), isCode(ErrorCode.EXISTS));
    assert.equal(fs.readFileSync(path.join(target, 'f5'), 'utf8'), 'mine');
    assert.deepEqual(partsLeft(target), []);
    // The session is still good, and overwrite replaces.
    await client.downloadTree('again', target, { overwrite: true });
    assert.ok(fs.readFileSync(path.join(target, 'f5')).equals(patternBytes(1000, 6)));
  });

  void it('a cancelled tree stops with CANCELLED; what landed is whole, nothing partial has a final name', async () => {
    const top = path.join(server.root, 'big-tree');
    fs.mkdirSync(top);
    const sizes = new Map<string, number>();
    for (let i = 0; i < 8; i++) {
      fs.writeFileSync(path.join(top, `b${i}`), patternBytes(3 * 1024 * 1024, i + 9));
      sizes.set(`b${i}`, 3 * 1024 * 1024);
    }
    const target = path.join(local, 'big-tree');
    const stop = new AbortController();
    const run = client.downloadTree('big-tree', target, {
      signal: stop.signal, progressIntervalMs: 0,
      onProgress: (progress) => {
        if (progress.bytesDone > 5 * 1024 * 1024) stop.abort();
      },
    });
    await assert.rejects(run, isCode(ErrorCode.CANCELLED));
    for (const name of fs.readdirSync(target)) {
      if (name.endsWith('.ferry-part')) continue;
      assert.ok(fs.readFileSync(path.join(target, name)).equals(patternBytes(3 * 1024 * 1024, Number(name.slice(1)) + 9)), name);
    }
    assert.ok(fs.readdirSync(target).filter((name) => !name.endsWith('.ferry-part')).length < sizes.size);
    assert.ok(client.connected);
    assert.equal((await client.list('big-tree')).length, sizes.size);
  });

  void it('uploads a tree in one TPUT: every file whole, with mtime and mode, progress to the totals', async () => {
    const source = path.join(local, 'up-source');
    const files = new Map<string, Buffer>();
    for (let i = 0; i < 150; i++) {
      const relative = i % 2 === 0 ? `f${i}.bin` : `d${i % 5}/e${i % 3}/f${i}.bin`;
      fs.mkdirSync(path.dirname(path.join(source, relative)), { recursive: true });
      const data = patternBytes((i * 131) % 7000, i + 5);
      fs.writeFileSync(path.join(source, relative), data, { mode: i % 2 ? 0o600 : 0o644 });
      files.set(relative, data);
    }
    const large = patternBytes(5 * 1024 * 1024 + 3, 99);
    fs.writeFileSync(path.join(source, 'large.bin'), large);
    files.set('large.bin', large);
    fs.mkdirSync(path.join(source, 'hollow', 'deeper'), { recursive: true });
    const mtime = new Date('2019-05-06T07:08:09.000Z');
    fs.utimesSync(path.join(source, 'f0.bin'), mtime, mtime);

    const requestsBefore = logLines.filter((line) => line.msg === 'request').length;
    const progress: TreeProgress[] = [];
    const result = await client.uploadTree(source, 'uploaded/here', { onProgress: (p) => progress.push(p) });
    assert.equal(result.files, files.size);
    const top = path.join(server.root, 'uploaded', 'here');
    for (const [relative, data] of files) {
      assert.ok(fs.readFileSync(path.join(top, relative)).equals(data), relative);
      assert.equal(fs.statSync(path.join(top, relative)).mode & 0o777, fs.statSync(path.join(source, relative)).mode & 0o777);
    }
    assert.equal(fs.statSync(path.join(top, 'f0.bin')).mtimeMs, mtime.getTime());
    assert.ok(fs.statSync(path.join(top, 'hollow', 'deeper')).isDirectory());
    assert.deepEqual(partsLeft(top), []);
    const last = progress.at(-1)!;
    assert.equal(last.filesDone, files.size);
    assert.equal(last.bytesDone, last.bytesTotal);
    const requests = logLines.filter((line) => line.msg === 'request').slice(requestsBefore);
    assert.deepEqual(requests.map((line) => String(line.fields.request).split(' ')[0]).sort(), ['MKDR', 'TPUT']);
  });

  void it('a cancelled tree upload stops with CANCELLED and leaves no partial file under a final name', async () => {
    const source = path.join(local, 'cancel-up');
    fs.mkdirSync(source);
    for (let i = 0; i < 6; i++) fs.writeFileSync(path.join(source, `big${i}`), patternBytes(2 * 1024 * 1024, i + 40));
    const stop = new AbortController();
    await assert.rejects(client.uploadTree(source, 'cancel-up', {
      signal: stop.signal, progressIntervalMs: 0,
      onProgress: (progress) => {
        if (progress.bytesDone > 3 * 1024 * 1024) stop.abort();
      },
    }), isCode(ErrorCode.CANCELLED));
    const top = path.join(server.root, 'cancel-up');
    // The server ends the request on its own time; what it committed is whole.
    for (let i = 0; i < 100 && partsLeft(top).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const name of fs.readdirSync(top)) {
      assert.ok(fs.readFileSync(path.join(top, name)).equals(patternBytes(2 * 1024 * 1024, Number(name.slice(3)) + 40)), name);
    }
    assert.ok(client.connected);
  });

  void it('with resume, a tree goes file by file and continues a partial file', async () => {
    const top = path.join(server.root, 'resumable');
    fs.mkdirSync(top);
    const data = patternBytes(400_000, 77);
    fs.writeFileSync(path.join(top, 'r.bin'), data);
    const target = path.join(local, 'resumable');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, '.r.bin.ferry-part'), data.subarray(0, 150_000));
    const requestsBefore = logLines.filter((line) => line.msg === 'request').length;
    await client.downloadTree('resumable', target, { resume: true });
    assert.ok(fs.readFileSync(path.join(target, 'r.bin')).equals(data));
    const requests = logLines.filter((line) => line.msg === 'request').slice(requestsBefore);
    assert.ok(requests.some((line) => String(line.fields.request).startsWith('DWLD r.bin') || String(line.fields.request).includes('offset=150000')));
  });
});

/** A scripted server that offers `tree` and answers LIST and TGET with `items`. */
async function treeServer(script: (peer: FakePeer, tget: ClientMessage & { op: 'TGET' }) => void, listing: Entry[]): Promise<FakeServer> {
  return startFakeServer({
    onConn: (msg, peer) => peer.send({
      op: 'CONN', id: msg.id, version: 1, maxFrame: DEFAULT_MAX_FRAME, maxInFlight: 64,
      capabilities: ['sha256', 'resume', 'list-recursive', 'tree'], flags: 0, serverName: 'scripted', user: '',
    }),
    onMessage: (msg, peer) => {
      if (msg.op === 'LIST') peer.send({ op: 'ENTS', id: msg.id, flags: 1, entries: listing });
      else if (msg.op === 'TGET') script(peer, msg);
      else if (msg.op === 'CANC') peer.send({ op: 'FAIL', id: msg.id, code: ErrorCode.CANCELLED, message: 'cancelled' });
      else if (msg.op === 'QUIT') peer.send({ op: 'DONE', id: msg.id });
    },
  });
}

const fileEntry = (name: string, size: number): Entry => ({ name, kind: EntryKind.FILE, size, mtimeMs: 0, mode: 0 });

void describe('tree download in one TGET, against a server that misbehaves', () => {
  let local: string;
  before(() => {
    local = tempFolderSync('ferry-tree-hostile-');
  });
  after(() => {
    fs.rmSync(local, { recursive: true, force: true });
  });

  const run = async (script: (peer: FakePeer, id: number) => void, expected: number, target: string): Promise<void> => {
    const fake = await treeServer((peer, msg) => script(peer, msg.id), [fileEntry('ok.txt', 3)]);
    const client = await FerryClient.connect({ host: '127.0.0.1', port: fake.port });
    try {
      await assert.rejects(client.downloadTree('t', target), isCode(expected));
    } finally {
      client.close();
      await fake.close();
    }
  };

  void it('the listing beside the stream gives progress its totals before the files arrive', async () => {
    const data = Buffer.from('0123456789');
    const fake = await treeServer((peer, msg) => {
      // The stream starts well after the listing's answer, so the totals are in before any file.
      setTimeout(() => {
        peer.send({ op: 'FILE', id: msg.id, entry: fileEntry('a.bin', data.length) });
        peer.send({ op: 'DATA', id: msg.id, offset: 0, data });
        peer.send({ op: 'HASH', id: msg.id, hash: sha256(data) });
        peer.send({ op: 'DONE', id: msg.id });
      }, 100);
    }, [fileEntry('a.bin', data.length), fileEntry('never-sent.bin', 90)]);
    const client = await FerryClient.connect({ host: '127.0.0.1', port: fake.port });
    try {
      const progress: TreeProgress[] = [];
      const result = await client.downloadTree('t', path.join(local, 'totals'), { onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
      assert.equal(result.files, 1);
      assert.ok(progress.length > 0);
      for (const report of progress) assert.deepEqual([report.filesTotal, report.bytesTotal], [2, 100], JSON.stringify(report));
    } finally {
      client.close();
      await fake.close();
    }
  });

  void it('a name leading out of the target is refused before anything is written', async () => {
    const target = path.join(local, 'escape', 'inner');
    await run((peer, id) => {
      peer.send({ op: 'FILE', id, entry: fileEntry('../outside.txt', 3) });
      peer.send({ op: 'DATA', id, offset: 0, data: Buffer.from('bad') });
      peer.send({ op: 'HASH', id, hash: sha256(Buffer.from('bad')) });
      peer.send({ op: 'DONE', id });
    }, ErrorCode.INVALID_PATH, target);
    assert.equal(fs.existsSync(path.join(local, 'escape', 'outside.txt')), false);
    assert.equal(fs.existsSync(path.join(local, 'escape', '.outside.txt.ferry-part')), false);
  });

  void it('content that does not match its hash never gets the final name', async () => {
    const target = path.join(local, 'badhash');
    await run((peer, id) => {
      peer.send({ op: 'FILE', id, entry: fileEntry('ok.txt', 3) });
      peer.send({ op: 'DATA', id, offset: 0, data: Buffer.from('abc') });
      peer.send({ op: 'HASH', id, hash: sha256(Buffer.from('xyz')) });
      peer.send({ op: 'DONE', id });
    }, ErrorCode.HASH_MISMATCH, target);
    assert.equal(fs.existsSync(path.join(target, 'ok.txt')), false);
    assert.deepEqual(partsLeft(target), []);
  });

  void it('a FILE inside a file, or DATA past the stated size, is a protocol violation', async () => {
    await run((peer, id) => {
      peer.send({ op: 'FILE', id, entry: fileEntry('a', 10) });
      peer.send({ op: 'FILE', id, entry: fileEntry('b', 10) });
    }, ErrorCode.BAD_FRAME, path.join(local, 'nested'));
    await run((peer, id) => {
      peer.send({ op: 'FILE', id, entry: fileEntry('a', 2) });
      peer.send({ op: 'DATA', id, offset: 0, data: Buffer.from('abc') });
    }, ErrorCode.BAD_FRAME, path.join(local, 'oversize'));
    assert.equal(fs.existsSync(path.join(local, 'oversize', 'a')), false);
  });
});
