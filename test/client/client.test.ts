/**
 * FerryClient against a real ferryd (in-process, port 0, temporary root):
 * every operation and its error codes, transfers with mtime and mode,
 * overwrite rules, progress, cancel, resume both ways, concurrent clients, a
 * LIST during a big download, path escapes, and a server dying mid-transfer.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import type { Progress } from '../../src/client/types.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { startConnectedTestServer, startTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { sha256File, writePattern } from './files.js';

function hasCode(code: number) {
  return (error: unknown): boolean => {
    if (error instanceof FerryError && error.code === code) return true;
    throw error;
  };
}

const MiB = 1024 * 1024;

void describe('FerryClient against ferryd', () => {
  let server: ConnectedTestServer;
  let client: FerryClient;
  let local: string;

  before(async () => {
    ({ client, local } = server = await startConnectedTestServer({}, 'ferry-client-local-'));
  });
  after(() => server.cleanup());

  void it('reports the session the handshake settled', () => {
    assert.equal(client.info.version, 1);
    assert.equal(client.info.tls, false);
    assert.equal(client.info.readOnly, false);
    assert.ok(client.info.maxFrame >= 65536);
    assert.ok(client.info.maxInFlight >= 1);
    assert.equal(client.connected, true);
  });

  void it('mkdir, stat, list, rename, delete, rmdir, with their error codes', async () => {
    await client.mkdir('ops');
    await assert.rejects(client.mkdir('ops'), hasCode(ErrorCode.EXISTS));
    await client.mkdir('ops', { parents: true });
    await client.mkdir('ops/deep/er/still', { parents: true });
    await assert.rejects(client.mkdir('nope/x'), hasCode(ErrorCode.NOT_FOUND));
    fs.writeFileSync(path.join(server.root, 'ops', 'f.txt'), 'abc');

    const st = await client.stat('ops/f.txt');
    assert.deepEqual([st.name, st.kind, st.size], ['f.txt', EntryKind.FILE, 3]);
    assert.equal((await client.stat('/ops/')).kind, EntryKind.DIRECTORY);
    await assert.rejects(client.stat('ops/missing'), hasCode(ErrorCode.NOT_FOUND));

    const names = (await client.list('ops')).map((e) => e.name).sort();
    assert.deepEqual(names, ['deep', 'f.txt']);
    const deep = (await client.list('ops', { recursive: true })).map((e) => e.name).sort();
    assert.deepEqual(deep, ['deep', 'deep/er', 'deep/er/still', 'f.txt']);
    await assert.rejects(client.list('ops/f.txt'), hasCode(ErrorCode.NOT_A_DIRECTORY));
    await assert.rejects(client.list('ops/missing'), hasCode(ErrorCode.NOT_FOUND));

    fs.writeFileSync(path.join(server.root, 'ops', 'g.txt'), 'g');
    await assert.rejects(client.rename('ops/f.txt', 'ops/g.txt'), hasCode(ErrorCode.EXISTS));
    await client.rename('ops/f.txt', 'ops/h.txt');
    await client.rename('ops/h.txt', 'ops/g.txt', { overwrite: true });
    assert.equal(fs.readFileSync(path.join(server.root, 'ops', 'g.txt'), 'utf8'), 'abc');
    await assert.rejects(client.rename('ops/missing', 'ops/x'), hasCode(ErrorCode.NOT_FOUND));

    await assert.rejects(client.delete('ops/deep'), hasCode(ErrorCode.IS_A_DIRECTORY));
    await client.delete('ops/g.txt');
    await assert.rejects(client.delete('ops/g.txt'), hasCode(ErrorCode.NOT_FOUND));
    await assert.rejects(client.rmdir('ops'), hasCode(ErrorCode.NOT_EMPTY));
    await client.rmdir('ops/deep/er/still');
    await client.rmdir('ops', { recursive: true });
    assert.equal(fs.existsSync(path.join(server.root, 'ops')), false);
  });

  void it('refuses paths that escape the root with INVALID_PATH', async () => {
    fs.symlinkSync(local, path.join(server.root, 'escape-link'));
    const bad = ['../x', 'a/../../x', '/..', '..', 'a/./b', 'a//b', 'a\\..\\b', 'x\u0000y', 'x\ny', 'escape-link/anything'];
    fs.writeFileSync(path.join(local, 'secret.txt'), 'secret');
    for (const target of bad) {
      await assert.rejects(client.stat(target), hasCode(ErrorCode.INVALID_PATH), `stat ${JSON.stringify(target)}`);
    }
    await assert.rejects(client.list('escape-link'), hasCode(ErrorCode.INVALID_PATH));
    await assert.rejects(client.download('escape-link/secret.txt', path.join(local, 'stolen.txt')), hasCode(ErrorCode.INVALID_PATH));
    await assert.rejects(client.upload(path.join(local, 'secret.txt'), '../planted.txt'), hasCode(ErrorCode.INVALID_PATH));
    await assert.rejects(client.mkdir('../outside'), hasCode(ErrorCode.INVALID_PATH));
    await assert.rejects(client.rename('escape-link', '../moved'), hasCode(ErrorCode.INVALID_PATH));
    assert.equal(fs.existsSync(path.join(local, 'stolen.txt')), false);
    assert.equal(fs.existsSync(path.join(path.dirname(server.root), 'planted.txt')), false);
    fs.unlinkSync(path.join(server.root, 'escape-link'));
  });

  void it('uploads and downloads with mtime and mode, and honours overwrite', async () => {
    const source = path.join(local, 'doc.bin');
    const data = writePattern(source, 3 * MiB + 17);
    fs.chmodSync(source, 0o640);
    const mtime = new Date('2021-03-04T05:06:07.000Z');
    fs.utimesSync(source, mtime, mtime);

    const progress: Progress[] = [];
    const up = await client.upload(source, 'doc.bin', { onProgress: (p) => progress.push(p) });
    assert.deepEqual([up.bytes, up.size, up.resumedFrom], [data.length, data.length, 0]);
    const remote = fs.statSync(path.join(server.root, 'doc.bin'));
    assert.equal(remote.mtimeMs, mtime.getTime());
    assert.equal(remote.mode & 0o777, 0o640);
    assert.ok(fs.readFileSync(path.join(server.root, 'doc.bin')).equals(data));
    assert.deepEqual(progress.at(-1), { bytes: data.length, total: data.length });
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.bytes >= progress[i - 1]!.bytes);

    await assert.rejects(client.upload(source, 'doc.bin'), hasCode(ErrorCode.EXISTS));
    await client.upload(source, 'doc.bin', { overwrite: true });

    const target = path.join(local, 'doc-copy.bin');
    const down = await client.download('doc.bin', target);
    assert.equal(down.bytes, data.length);
    assert.ok(fs.readFileSync(target).equals(data));
    const copy = fs.statSync(target);
    assert.equal(copy.mtimeMs, mtime.getTime());
    assert.equal(copy.mode & 0o777, 0o640);
    assert.equal(fs.existsSync(path.join(local, '.doc-copy.bin.ferry-part')), false);

    await assert.rejects(client.download('doc.bin', target), hasCode(ErrorCode.EXISTS));
    await assert.rejects(client.download('doc.bin', local), hasCode(ErrorCode.IS_A_DIRECTORY));
    await client.download('doc.bin', target, { overwrite: true });
    await assert.rejects(client.download('missing.bin', path.join(local, 'missing.bin')), hasCode(ErrorCode.NOT_FOUND));
    assert.equal(fs.existsSync(path.join(local, '.missing.bin.ferry-part')), false);
    await assert.rejects(client.upload(path.join(local, 'nope'), 'nope'), hasCode(ErrorCode.NOT_FOUND));
    await assert.rejects(client.upload(local, 'dir-as-file'), hasCode(ErrorCode.IS_A_DIRECTORY));
  });

  void it('moves empty files', async () => {
    const empty = path.join(local, 'empty');
    fs.writeFileSync(empty, '');
    await client.upload(empty, 'empty');
    assert.equal(fs.statSync(path.join(server.root, 'empty')).size, 0);
    await client.download('empty', path.join(local, 'empty-copy'));
    assert.equal(fs.statSync(path.join(local, 'empty-copy')).size, 0);
  });

  void it('cancels a download and an upload with an AbortSignal', async () => {
    const source = path.join(local, 'cancel.bin');
    writePattern(source, 64 * MiB, 7);
    const up = new AbortController();
    await assert.rejects(client.upload(source, 'cancel.bin', {
      signal: up.signal, progressIntervalMs: 0, onProgress: (p) => p.bytes > 0 && up.abort(),
    }), hasCode(ErrorCode.CANCELLED));
    assert.equal(fs.existsSync(path.join(server.root, 'cancel.bin')), false, 'no final file after a cancelled upload');

    fs.copyFileSync(source, path.join(server.root, 'cancel.bin'));
    const down = new AbortController();
    const target = path.join(local, 'cancel-copy.bin');
    await assert.rejects(client.download('cancel.bin', target, {
      signal: down.signal, progressIntervalMs: 0, onProgress: (p) => p.bytes > 0 && down.abort(),
    }), hasCode(ErrorCode.CANCELLED));
    assert.equal(fs.existsSync(target), false, 'no final file after a cancelled download');
    // The session is still usable.
    assert.equal((await client.stat('cancel.bin')).size, 64 * MiB);
    const already = new AbortController();
    already.abort();
    await assert.rejects(client.stat('cancel.bin', { signal: already.signal }), hasCode(ErrorCode.CANCELLED));
  });

  void it('resumes a download from its temporary file, sending fewer bytes', async () => {
    const size = 48 * MiB;
    writePattern(path.join(server.root, 'resume-down.bin'), size, 11);
    const target = path.join(local, 'resume-down.bin');
    const controller = new AbortController();
    await assert.rejects(client.download('resume-down.bin', target, {
      signal: controller.signal, progressIntervalMs: 0, onProgress: (p) => p.bytes >= 8 * MiB && controller.abort(),
    }), hasCode(ErrorCode.CANCELLED));
    const partial = path.join(local, '.resume-down.bin.ferry-part');
    const kept = fs.statSync(partial).size;
    assert.ok(kept > 0 && kept < size, `partial file holds ${kept} bytes`);
    assert.equal(fs.existsSync(target), false);

    const result = await client.download('resume-down.bin', target, { resume: true });
    assert.equal(result.resumedFrom, kept);
    assert.equal(result.bytes, size - kept);
    assert.equal(await sha256File(target), await sha256File(path.join(server.root, 'resume-down.bin')));
    assert.equal(fs.existsSync(partial), false);
  });

  void it('restarts a resumed download from 0 when the remote file changed', async () => {
    writePattern(path.join(server.root, 'changed.bin'), 2 * MiB, 3);
    const target = path.join(local, 'changed.bin');
    // A temporary file that is not a prefix of the remote file.
    writePattern(path.join(local, '.changed.bin.ferry-part'), MiB, 4);
    const result = await client.download('changed.bin', target, { resume: true });
    assert.equal(result.resumedFrom, 0);
    assert.equal(result.bytes, 2 * MiB);
    assert.equal(await sha256File(target), await sha256File(path.join(server.root, 'changed.bin')));
    // A temporary file longer than the remote file is refused too, and restarted.
    writePattern(path.join(local, '.changed2.bin.ferry-part'), 3 * MiB, 3);
    const longer = await client.download('changed.bin', path.join(local, 'changed2.bin'), { resume: true });
    assert.equal(longer.resumedFrom, 0);
  });

  void it('resumes an upload after the connection was lost', async () => {
    const size = 48 * MiB;
    const source = path.join(local, 'resume-up.bin');
    writePattern(source, size, 21);
    const first = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    await assert.rejects(first.upload(source, 'resume-up.bin', {
      progressIntervalMs: 0, onProgress: (p) => p.bytes >= 8 * MiB && first.close('interrupting on purpose'),
    }), hasCode(ErrorCode.CONNECTION_LOST));
    assert.equal(fs.existsSync(path.join(server.root, 'resume-up.bin')), false, 'no final file after an interrupted upload');

    const result = await retryWhileBusy(() => client.upload(source, 'resume-up.bin', { resume: true }));
    assert.ok(result.resumedFrom > 0, `resumed from ${result.resumedFrom}`);
    assert.equal(result.bytes, size - result.resumedFrom);
    assert.equal(await sha256File(path.join(server.root, 'resume-up.bin')), await sha256File(source));
  });

  void it('restarts a resumed upload whose server-side prefix differs', async () => {
    const source = path.join(local, 'mismatch-up.bin');
    writePattern(source, 4 * MiB, 5);
    writePattern(path.join(server.root, '.mismatch-up.bin.ferry-part'), MiB, 6);
    const result = await client.upload(source, 'mismatch-up.bin', { resume: true });
    assert.equal(result.resumedFrom, 0);
    assert.equal(result.bytes, 4 * MiB);
    assert.equal(await sha256File(path.join(server.root, 'mismatch-up.bin')), await sha256File(source));
  });

  void it('answers a LIST while a large download runs', async () => {
    const big = path.join(server.root, 'sparse-big.bin');
    fs.writeFileSync(big, '');
    fs.truncateSync(big, 512 * MiB);
    let downloadDone = false;
    const download = client.download('sparse-big.bin', path.join(local, 'sparse-big.bin'), {
      onProgress: () => undefined,
    }).then((r) => {
      downloadDone = true;
      return r;
    });
    // Wait until bytes flow, then list.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const entries = await client.list('/');
    const listedWhileRunning = !downloadDone;
    assert.ok(entries.some((e) => e.name === 'sparse-big.bin'));
    const result = await download;
    assert.equal(result.size, 512 * MiB);
    assert.ok(listedWhileRunning, 'the LIST was answered before the download finished');
    fs.rmSync(path.join(local, 'sparse-big.bin'));
    fs.rmSync(big);
  });

  void it('serves several clients at once', async () => {
    const clients = await Promise.all(Array.from({ length: 4 }, () => FerryClient.connect({ host: '127.0.0.1', port: server.port })));
    try {
      await Promise.all(clients.map(async (c, i) => {
        const source = path.join(local, `multi-${i}.bin`);
        const data = writePattern(source, MiB + i * 1000, 100 + i);
        await c.upload(source, `multi-${i}.bin`);
        await c.download(`multi-${i}.bin`, path.join(local, `multi-${i}.copy`));
        assert.ok(fs.readFileSync(path.join(local, `multi-${i}.copy`)).equals(data));
      }));
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });
});

void describe('a server that goes away', () => {
  void it('rejects a running download with CONNECTION_LOST and leaves no final file', async () => {
    const server = await startConnectedTestServer({}, 'ferry-client-drop-');
    const { client, local } = server;
    try {
      const big = path.join(server.root, 'big.bin');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 1024 * MiB);
      const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
      let stopping: Promise<void> | undefined;
      const target = path.join(local, 'big.bin');
      await assert.rejects(client.download('big.bin', target, {
        progressIntervalMs: 0,
        onProgress: (p) => {
          if (p.bytes > 0 && !stopping) stopping = server.server.close(0);
        },
      }), hasCode(ErrorCode.CONNECTION_LOST));
      await stopping;
      assert.equal(fs.existsSync(target), false);
      assert.ok((await closed) instanceof FerryError);
      assert.equal(client.connected, false);
      await assert.rejects(client.list('/'), hasCode(ErrorCode.CONNECTION_LOST));
    } finally {
      await server.cleanup();
    }
  });

  void it('reports local failures with their codes and leaves the session usable', async () => {
    const server = await startConnectedTestServer({}, 'ferry-client-local-fail-');
    const { client, local } = server;
    try {
      fs.writeFileSync(path.join(server.root, 'f.bin'), 'content');
      await assert.rejects(client.download('f.bin', path.join(local, 'no-such-folder', 'f.bin')), hasCode(ErrorCode.NOT_FOUND));
      await client.download('f.bin', path.join(local, 'f.bin'));
      assert.equal(fs.readFileSync(path.join(local, 'f.bin'), 'utf8'), 'content');
      await client.quit();
    } finally {
      await server.cleanup();
    }
  });

  void it('a read-only session refuses writes with PERMISSION', async () => {
    const server = await startConnectedTestServer({ readOnly: true }, 'ferry-client-ro-');
    const { client, local } = server;
    try {
      fs.writeFileSync(path.join(local, 'f.txt'), 'x');
      fs.writeFileSync(path.join(server.root, 'g.txt'), 'g');
      assert.equal(client.info.readOnly, true);
      await assert.rejects(client.upload(path.join(local, 'f.txt'), 'f.txt'), hasCode(ErrorCode.PERMISSION));
      await assert.rejects(client.mkdir('d'), hasCode(ErrorCode.PERMISSION));
      await assert.rejects(client.delete('g.txt'), hasCode(ErrorCode.PERMISSION));
      await assert.rejects(client.rename('g.txt', 'h.txt'), hasCode(ErrorCode.PERMISSION));
      await client.download('g.txt', path.join(local, 'g.txt'));
      await client.quit();
    } finally {
      await server.cleanup();
    }
  });

  void it('quit ends the session politely', async () => {
    const server = await startTestServer();
    try {
      const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
      const closed = new Promise<Error | undefined>((resolve) => client.onClose(resolve));
      await client.quit();
      assert.equal(await closed, undefined);
      assert.equal(client.connected, false);
      await assert.rejects(client.stat('/'), hasCode(ErrorCode.CONNECTION_LOST));
    } finally {
      await server.cleanup();
    }
  });
});

/** The server may still be closing the interrupted upload when the resume arrives (BUSY): try again briefly. */
async function retryWhileBusy<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof FerryError && error.code === ErrorCode.BUSY) || tries >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
