/**
 * The file viewer's pieces: text or hex by the first bytes, lines by byte
 * offset, control characters shown safely, and the remote byte source against
 * a real ferryd on a 2 GiB sparse file — the first screen comes without the
 * file being read, a window far inside comes after streaming only up to it,
 * and a window behind the stream is read again from a hash checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startConnectedTestServer } from '../helpers/server.js';
import {
  hexRow, indexOfIgnoringCase, lineText, looksBinary, MAX_LINE_BYTES, previousLineStart, splitLines,
} from '../../src/tui/viewer/text-lines.js';
import { openRemoteByteSource } from '../../src/tui/viewer/remote-byte-source.js';
import { openLocalByteSource } from '../../src/tui/viewer/local-byte-source.js';
import { ViewerController } from '../../src/tui/viewer/viewer-controller.js';
import { parseKey } from '../../src/tui/keys/parse-key.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

void test('text or hex: NUL or bytes that are not UTF-8 mean hex; a character cut by the sample is still text', () => {
  assert.equal(looksBinary(Buffer.from('plain text\n')), false);
  assert.equal(looksBinary(Buffer.from('a\0b')), true);
  assert.equal(looksBinary(Buffer.from([0x61, 0xff, 0x62])), true);
  assert.equal(looksBinary(Buffer.from('é', 'utf8').subarray(0, 1)), false);
});

void test('lines are cut at newlines and at MAX_LINE_BYTES; the line before is found from its end', () => {
  const text = Buffer.from('one\ntwo\n\nfour');
  const lines = splitLines(text, 100, true);
  assert.deepEqual(lines.map((line) => [line.start, line.next, Buffer.from(line.bytes).toString()]), [
    [100, 104, 'one'], [104, 108, 'two'], [108, 109, ''], [109, 113, 'four'],
  ]);
  assert.equal(splitLines(text, 0, false).length, 3, 'a line cut by the end of the bytes is not known yet');
  assert.equal(splitLines(Buffer.alloc(MAX_LINE_BYTES + 10, 0x61), 0, false).length, 1);
  assert.equal(previousLineStart(text, 0, 8), 4);
  assert.equal(previousLineStart(text, 0, 9), 8);
  assert.equal(previousLineStart(text, 0, 4), 0);
  assert.equal(previousLineStart(text, 0, 13), 9);
});

void test('a line never carries a control or bidi character to the terminal; tabs become spaces', () => {
  assert.equal(lineText(Buffer.from('a\x1b[41mred\x07\r')), 'a?[41mred?');
  assert.equal(lineText(Buffer.from('txt\u202eexe.sh')), 'txt?exe.sh');
  assert.equal(lineText(Buffer.from('\tx')), '        x');
  assert.equal(hexRow(16, Buffer.from('A\x1b'), 4, 8), '00000010  41 1b        A.');
  assert.equal(indexOfIgnoringCase(Buffer.from('xxHeLLo'), Buffer.from('hello')), 2);
});

void test('a 2 GiB remote file: the first screen without reading the file, a window inside by streaming only to it, one behind from a checkpoint', async () => {
  const server = await startConnectedTestServer();
  try {
    const file = path.join(server.root, 'huge.log');
    const handle = await fs.open(file, 'w');
    await handle.write(Buffer.from(Array.from({ length: 100 }, (_, i) => `line ${i + 1}\n`).join('')), 0, undefined, 0);
    await handle.write(Buffer.from('MARKER-AT-3-MIB'), 0, 15, 3 * MiB);
    await handle.truncate(2 * GiB);
    await handle.close();

    const source = await openRemoteByteSource(server.client, '/huge.log');
    assert.equal(source.size, 2 * GiB);
    const first = await source.read(0, 64);
    assert.match(first.toString(), /^line 1\nline 2\n/);
    assert.ok(source.fetched <= MiB, `the first screen fetched ${source.fetched} bytes`);

    const marker = await source.read(3 * MiB, 15);
    assert.equal(marker.toString(), 'MARKER-AT-3-MIB');
    assert.ok(source.fetched < 4 * MiB, `reading at 3 MiB fetched ${source.fetched} bytes`);

    // Far behind the stream and past the blocks kept? Block 0 is kept; a reopen is forced by reading
    // ahead past the cache and coming back to the first MiB.
    await source.read(20 * MiB, 10);
    assert.equal((await source.read(0, 6)).toString(), 'line 1');
    assert.equal((await source.read(3 * MiB, 15)).toString(), 'MARKER-AT-3-MIB');
    assert.ok(source.fetched < 30 * MiB, `fetched ${source.fetched} bytes in all`);
    source.close();
    // The session is still good after the CANC.
    assert.equal((await server.client.stat('/huge.log')).size, 2 * GiB);
  } finally {
    await server.cleanup();
  }
});

void test('the viewer on a local file: text lines, search, hex, and the end without reading the middle', async () => {
  const server = await startConnectedTestServer();
  try {
    const file = path.join(server.local, 'notes.txt');
    await fs.writeFile(file, Array.from({ length: 500 }, (_, i) => `row ${i + 1}${i === 300 ? ' needle' : ''}\n`).join(''));
    const viewer = await ViewerController.open(await openLocalByteSource(file), 'notes.txt');
    const settled = async (check: (lines: string[]) => boolean): Promise<string[]> => {
      for (let i = 0; i < 500; i++) {
        const lines = viewer.getSnapshot().lines;
        if (check(lines)) return lines;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.fail(`viewer shows ${JSON.stringify(viewer.getSnapshot())}`);
    };
    viewer.resize(30, 5);
    await settled((lines) => lines[0]?.startsWith('row 1 ') === true);
    viewer.key(parseKey('\x1b[6~'));
    await settled((lines) => lines[0]?.startsWith('row 5 ') === true);
    viewer.key(parseKey('/'));
    for (const char of 'NEEDLE') viewer.key(parseKey(char));
    viewer.key(parseKey('\r'));
    await settled((lines) => lines[0]?.startsWith('row 301 needle') === true);
    viewer.key(parseKey('\x1b[F'));
    await settled((lines) => lines[4]?.startsWith('row 500') === true);
    viewer.key(parseKey('h'));
    await settled((lines) => /^0000[0-9a-f]{4} {2}/.test(lines[0] ?? ''));
    assert.equal(viewer.key(parseKey('q')), false, 'q closes');
    viewer.close();
  } finally {
    await server.cleanup();
  }
});

void test('a remote view left waiting longer than the server stall timeout reads on: the ended read is opened again', async () => {
  const server = await startConnectedTestServer({ limits: { stallTimeoutMs: 100 } });
  try {
    const content = Buffer.alloc(4 * MiB, 0x61);
    content.write('END', content.length - 3);
    await fs.writeFile(path.join(server.root, 'slow.txt'), content);
    const source = await openRemoteByteSource(server.client, '/slow.txt');
    assert.equal((await source.read(0, 3)).toString(), 'aaa');
    // Longer than the stall timeout: ferryd ends the waiting DWLD with TIMEOUT.
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.equal((await source.read(content.length - 3, 3)).toString(), 'END');
    source.close();
  } finally {
    await server.cleanup();
  }
});

void test('a local FIFO or folder is refused at once instead of waiting for a writer', { timeout: 20_000 }, async (t) => {
  const { execFileSync } = await import('node:child_process');
  const server = await startConnectedTestServer();
  t.after(() => server.cleanup());
  const fifo = path.join(server.local, 'pipe');
  try {
    execFileSync('mkfifo', [fifo]);
  } catch {
    t.skip('mkfifo is not available');
    return;
  }
  await assert.rejects(openLocalByteSource(fifo), /not a regular file/);
  await assert.rejects(openLocalByteSource(server.local), /not a regular file|folder|directory/i);
});
