/**
 * Interrupted FTP transfers against a private vsftpd whose sessions are held
 * to 1 MB/s, so a test can act in the middle of a transfer without racing the
 * loopback: a connection cut from the server's side keeps the partial file
 * and `resume` continues it (REST for downloads, APPE for uploads); a cancel
 * rejects with CANCELLED, keeps the partial and never leaves a truncated file
 * under the final name.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Progress } from '../../src/client/types.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { openRemote } from '../../src/remote/open-remote.js';
import type { Remote } from '../../src/remote/remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { patternBytes, writePattern } from '../client/files.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const skip = skipUnlessInstalled('vsftpd');
const makeTemp = tempFolderMaker();
const SIZE = 3 * 1024 * 1024;
const CUT_AFTER = 256 * 1024;

function code(expected: number) {
  return (error: unknown): boolean => {
    if (error instanceof FerryError && error.code === expected) return true;
    throw error;
  };
}

/** Calls `act` once, the first time progress passes CUT_AFTER bytes. */
function onceAfterCut(act: () => void): (progress: Progress) => void {
  let done = false;
  return (progress) => {
    if (done || progress.bytes < CUT_AFTER) return;
    done = true;
    act();
  };
}

async function untilFileHolds(file: string, bytes: number): Promise<void> {
  while ((fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0) < bytes) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

void describe('FTP transfers interrupted and resumed', { skip }, () => {
  let server: PrivateVsftpd;
  let remote: Remote;
  let local: string;

  before(async () => {
    server = await startVsftpd({ maxRate: 1_000_000 });
    local = await makeTemp('ferry-ftp-resume-');
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
  });
  after(async () => {
    remote?.close();
    await server?.stop();
  });

  void it('continues a download cut off by the server from its partial file', async () => {
    const content = patternBytes(SIZE, 21);
    fs.writeFileSync(path.join(server.pub, 'down.bin'), content);
    const target = path.join(local, 'down.bin');
    const partial = path.join(local, '.down.bin.ferry-part');
    await assert.rejects(
      remote.download('/pub/down.bin', target, { progressIntervalMs: 0, onProgress: onceAfterCut(() => server.cutSessions()) }),
      code(ErrorCode.CONNECTION_LOST),
    );
    assert.ok(!fs.existsSync(target), 'nothing under the final name');
    const kept = fs.statSync(partial).size;
    assert.ok(kept >= CUT_AFTER && kept < SIZE, `the partial file holds ${kept} bytes`);

    const resumed = await remote.download('/pub/down.bin', target, { resume: true });
    assert.equal(resumed.resumedFrom, kept);
    assert.equal(resumed.bytes, SIZE - kept);
    assert.deepEqual(fs.readFileSync(target), content);
    assert.ok(!fs.existsSync(partial));
  });

  void it('continues an upload cut off by the server with APPE', async () => {
    const source = path.join(local, 'up.bin');
    const content = writePattern(source, SIZE, 22);
    const partial = path.join(server.pub, '.up.bin.ferry-part');
    // The client reads ahead of what the server has taken in (socket buffers): cut once the server holds some.
    const upload = remote.upload(source, '/pub/up.bin');
    await untilFileHolds(partial, CUT_AFTER);
    server.cutSessions();
    await assert.rejects(upload, code(ErrorCode.CONNECTION_LOST));
    assert.ok(!fs.existsSync(path.join(server.pub, 'up.bin')), 'nothing under the final name');
    const kept = fs.statSync(partial).size;
    assert.ok(kept > 0 && kept < SIZE, `the server's partial file holds ${kept} bytes`);

    const resumed = await remote.upload(source, '/pub/up.bin', { resume: true });
    assert.ok(resumed.resumedFrom > 0, 'resumed after the bytes already there');
    assert.equal(resumed.bytes, SIZE - resumed.resumedFrom);
    assert.deepEqual(fs.readFileSync(path.join(server.pub, 'up.bin')), content);
    assert.ok(!fs.existsSync(partial));
  });

  void it('cancels a download: CANCELLED, partial kept, the session goes on', async () => {
    fs.writeFileSync(path.join(server.pub, 'cancel.bin'), patternBytes(SIZE, 23));
    const target = path.join(local, 'cancel.bin');
    const controller = new AbortController();
    await assert.rejects(
      remote.download('/pub/cancel.bin', target, {
        signal: controller.signal, progressIntervalMs: 0, onProgress: onceAfterCut(() => controller.abort()),
      }),
      code(ErrorCode.CANCELLED),
    );
    assert.ok(!fs.existsSync(target));
    assert.ok(fs.statSync(path.join(local, '.cancel.bin.ferry-part')).size >= CUT_AFTER);
    assert.equal(remote.connected, true);
    assert.equal((await remote.stat('/pub/cancel.bin')).size, SIZE);
  });

  void it('cancels an upload: CANCELLED, the final name never holds a truncated file', async () => {
    const source = path.join(local, 'cancel-up.bin');
    writePattern(source, SIZE, 24);
    const controller = new AbortController();
    await assert.rejects(
      remote.upload(source, '/pub/cancel-up.bin', {
        signal: controller.signal, progressIntervalMs: 0, onProgress: onceAfterCut(() => controller.abort()),
      }),
      code(ErrorCode.CANCELLED),
    );
    assert.ok(!fs.existsSync(path.join(server.pub, 'cancel-up.bin')));
    assert.ok(!(await remote.list('/pub')).some((entry) => entry.name === 'cancel-up.bin'));
  });

  void it('a cancel before the start moves nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(remote.download('/pub/down.bin', path.join(local, 'never.bin'), { signal: controller.signal }), code(ErrorCode.CANCELLED));
    assert.ok(!fs.existsSync(path.join(local, 'never.bin')));
  });
});
