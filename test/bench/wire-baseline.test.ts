/**
 * The C baselines of the bench (bench/wire-baseline.ts): what they deliver,
 * and that the receiver does not depend on when the sender's end of the
 * connection arrives.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { receiveInto, socatFile, tarSocat } from '../../bench/wire-baseline.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { hashTree, sameTree, sha256File, writeRandomFile, writeSmallTree } from '../../bench/util.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const tempFolder = tempFolderMaker();

void test('tar x exits at the end of the archive while the sender still holds the connection open', { timeout: 30_000 }, async () => {
  // `tar x` stops reading at the end-of-archive blocks, before the sender's FIN: the receiver must
  // treat that as success (copying the socket through Node into tar's stdin failed with "Premature close").
  const source = await tempFolder('ferry-wire-tar-src-');
  const target = await tempFolder('ferry-wire-tar-dst-');
  await writeSmallTree(path.join(source, 'tree'), 20, 4096);
  const archive = execFileSync('tar', ['-c', '-f', '-', '-C', source, '.'], { maxBuffer: 64 * 1024 * 1024 });
  const receiver = await receiveInto('tar', ['-x', '-f', '-', '-C', target]);
  const socket = net.connect({ host: '127.0.0.1', port: receiver.port });
  try {
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(archive);
    // No end(): the connection stays open until tar has exited.
    assert.equal(await receiver.finished, 0);
    assert.ok(sameTree(await hashTree(path.join(source, 'tree')), await hashTree(path.join(target, 'tree'))));
  } finally {
    socket.destroy();
    await receiver.stop();
  }
});

void test('socat and tar | socat deliver the same bytes', { timeout: 60_000, skip: skipUnlessInstalled('socat') }, async () => {
  const folder = await tempFolder('ferry-wire-socat-');
  const file = path.join(folder, 'one.bin');
  await writeRandomFile(file, 3 * 1024 * 1024 + 17);
  const copy = path.join(folder, 'copy.bin');
  assert.ok(await socatFile(file, copy) > 0);
  assert.equal(await sha256File(copy), await sha256File(file));

  const tree = path.join(folder, 'tree');
  await writeSmallTree(tree, 30, 4096);
  const out = path.join(folder, 'out');
  await fs.mkdir(out);
  assert.ok(await tarSocat(tree, out) > 0);
  assert.ok(sameTree(await hashTree(tree), await hashTree(out)));
});
