/**
 * Crash safety: ferryd killed with SIGKILL in the middle of an upload never
 * leaves a partial file under the final name, and the upload resumes after a
 * restart with the right hash; stale temporary files are removed after their
 * age, below every user's root too; a full disk (a real tmpfs as root, a
 * file-size limit for any user) gives the client NO_SPACE, removes the
 * temporary file, and the server goes on serving others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FerryClient } from '../../src/client/client.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import { tempFolderFor } from '../helpers/temp-folders.js';
import { killHard, makeUsersFile, startFerryd, waitFor } from './helpers.js';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

void test('kill -9 of ferryd mid-upload: no partial file under the final name; after a restart the upload resumes to the right hash', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-crash-');
  const root = path.join(dir, 'root');
  await fs.mkdir(root);
  const content = randomBytes(24 * 1024 * 1024);
  const local = path.join(dir, 'big.bin');
  await fs.writeFile(local, content);

  const first = await startFerryd(root, path.join(dir, 'config'));
  t.after(() => killHard(first));
  const client = await RawClient.open(first.port);
  const id = client.id();
  client.send({ op: 'UPLD', id, path: 'big.bin', size: content.length, mtimeMs: 0, mode: 0, flags: 0 });
  const open = await client.nextFor(id);
  assert.ok(open.op === 'OPEN', JSON.stringify(open));
  // Send part of the file and wait until the server has written some of it (it grants credit as it writes).
  const partial = Math.min(open.window, 6 * 1024 * 1024);
  await client.sendContent(id, content.subarray(0, partial), 0, open.window);
  const wind = await client.nextFor(id);
  assert.equal(wind.op, 'WIND');
  await killHard(first);
  client.destroy();

  const names = await fs.readdir(root);
  assert.ok(!names.includes('big.bin'), `no file under the final name after kill -9 (found ${names.join(', ')})`);
  assert.ok(names.includes('.big.bin.ferry-part'), `the temporary file stays for a resume (found ${names.join(', ')})`);
  const kept = (await fs.stat(path.join(root, '.big.bin.ferry-part'))).size;
  assert.ok(kept > 0 && kept <= partial, `temporary file holds ${kept} bytes`);

  const second = await startFerryd(root, path.join(dir, 'config'));
  t.after(() => killHard(second));
  const resumer = await FerryClient.connect({ host: '127.0.0.1', port: second.port });
  const result = await resumer.upload(local, 'big.bin', { resume: true });
  await resumer.quit();
  assert.ok(result.resumedFrom > 0, 'the upload continued from the temporary file');
  assert.equal(result.resumedFrom + result.bytes, content.length);
  assert.equal(sha256(await fs.readFile(path.join(root, 'big.bin'))), sha256(content));
  assert.ok(!(await fs.readdir(root)).includes('.big.bin.ferry-part'), 'the temporary file became the final file');
  t.diagnostic(`killed with ${kept} of ${content.length} bytes on disk; resumed from ${result.resumedFrom}`);
});

void test('stale temporary files older than --temp-max-age are removed at start; fresh ones stay resumable', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-stale-');
  const root = path.join(dir, 'root');
  await fs.mkdir(path.join(root, 'sub'), { recursive: true });
  const stale = [path.join(root, '.old.bin.ferry-part'), path.join(root, 'sub', '.older.bin.ferry-part')];
  const fresh = path.join(root, '.new.bin.ferry-part');
  const lookalike = path.join(root, 'old.bin.ferry-part');
  for (const file of [...stale, fresh, lookalike]) await fs.writeFile(file, 'partial');
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
  for (const file of [...stale, lookalike]) await fs.utimes(file, twoHoursAgo, twoHoursAgo);

  const ferryd = await startFerryd(root, path.join(dir, 'config'), ['--temp-max-age', '1']);
  t.after(() => killHard(ferryd));
  await waitFor(async () => (await Promise.all(stale.map((f) => fs.access(f).then(() => true, () => false)))).every((e) => !e), 'stale temporary files to go');
  await fs.access(fresh);
  await fs.access(lookalike);
  await waitFor(() => /removed stale upload temporary files/.test(ferryd.output()), 'the sweep to be logged');
});

void test('the stale-file sweep covers every user\'s root, also one outside --root', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-stale-users-');
  const served = path.join(dir, 'served');
  const adaRoot = path.join(dir, 'elsewhere', 'ada');
  await fs.mkdir(served);
  await fs.mkdir(path.join(adaRoot, 'sub'), { recursive: true });
  const usersFile = await makeUsersFile(dir, [{ name: 'ada', password: 'ada-password', root: adaRoot }]);
  const stale = [path.join(adaRoot, '.old.bin.ferry-part'), path.join(adaRoot, 'sub', '.older.bin.ferry-part'), path.join(served, '.x.ferry-part')];
  const fresh = path.join(adaRoot, '.new.bin.ferry-part');
  const ordinary = path.join(adaRoot, 'old.bin');
  for (const file of [...stale, fresh, ordinary]) await fs.writeFile(file, 'partial');
  const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
  for (const file of [...stale, ordinary]) await fs.utimes(file, twoHoursAgo, twoHoursAgo);

  const ferryd = await startFerryd(served, path.join(dir, 'config'), ['--users', usersFile, '--temp-max-age', '1']);
  t.after(() => killHard(ferryd));
  await waitFor(async () => (await Promise.all(stale.map((f) => fs.access(f).then(() => true, () => false)))).every((e) => !e), 'stale temporary files to go');
  await fs.access(fresh);
  await fs.access(ordinary);
  // The line is written once the whole root is swept, a moment after its files are gone.
  const realAdaRoot = await fs.realpath(adaRoot);
  await waitFor(() => ferryd.output().split('\n').some((line) => /removed stale upload temporary files/.test(line) && line.includes(realAdaRoot)),
    'the sweep of the user\'s root to be logged with that root');
});

/** A 2 MiB tmpfs mounted on a fresh folder, or the reason it cannot be. */
function mountSmallTmpfs(where: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', where], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    return `cannot mount a 2 MiB tmpfs (needs root or CAP_SYS_ADMIN): ${(stderr || (error as Error).message).replace(/\s+/g, ' ')}`;
  }
}

/**
 * The checks after an upload to `root` failed with NO_SPACE, where `root` held
 * only small.txt ('still here'): nothing else is left there, and neither the
 * session that filled the disk nor a new one is broken by it. Local copies go
 * to `scratch`, off the full disk.
 */
async function assertNothingLeftAndStillServing(
  { filler, port, root, scratch }: { filler: FerryClient; port: number; root: string; scratch: string },
): Promise<void> {
  assert.deepEqual((await fs.readdir(root)).sort(), ['small.txt'], 'no temporary file and no partial file is left');
  assert.deepEqual((await filler.list('/')).map((e) => e.name), ['small.txt']);
  await filler.quit();
  const other = await FerryClient.connect({ host: '127.0.0.1', port });
  const down = path.join(scratch, 'small-copy.txt');
  await other.download('small.txt', down);
  assert.equal(await fs.readFile(down, 'utf8'), 'still here');
  const smallUp = path.join(scratch, 'ok.txt');
  await fs.writeFile(smallUp, 'fits');
  await other.upload(smallUp, 'ok.txt');
  assert.equal(await fs.readFile(path.join(root, 'ok.txt'), 'utf8'), 'fits');
  await other.quit();
}

void test('disk full: the client gets NO_SPACE, the temporary file is removed, the server keeps serving', async (t) => {
  // Cleaned up by hand, in order: server, then the mount, then the folder.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-full-'));
  const root = path.join(dir, 'small-disk');
  await fs.mkdir(root);
  const whyNot = mountSmallTmpfs(root);
  if (whyNot !== undefined) {
    await fs.rm(dir, { recursive: true, force: true });
    // Loud: the reason is the skip message and goes to stderr too. The next test (a file-size limit)
    // covers the same path for any user; a real ENOSPC needs a mount.
    const why = `SKIPPED the tmpfs disk-full test: ${whyNot} (the file-size-limit test below still covers NO_SPACE)`;
    process.stderr.write(`${why}\n`);
    t.diagnostic(why);
    t.skip(whyNot);
    return;
  }
  let cleanupServer = async (): Promise<void> => undefined;
  t.after(async () => {
    await cleanupServer();
    execFileSync('umount', ['-l', root]);
    await fs.rm(dir, { recursive: true, force: true });
  });
  await fs.writeFile(path.join(root, 'small.txt'), 'still here');
  const big = path.join(dir, 'big.bin');
  await fs.writeFile(big, randomBytes(4 * 1024 * 1024));
  const served = await startTestServer({ root });
  cleanupServer = () => served.cleanup();

  const filler = await FerryClient.connect({ host: '127.0.0.1', port: served.port });
  const failure = await filler.upload(big, 'big.bin').catch((error: unknown) => error);
  assert.ok(failure instanceof FerryError && failure.code === ErrorCode.NO_SPACE, `expected NO_SPACE, got ${String(failure)}`);
  await assertNothingLeftAndStillServing({ filler, port: served.port, root, scratch: dir });
});

void test('disk full for any user (a file-size limit): NO_SPACE, nothing left behind, the server keeps serving', async (t) => {
  const dir = await tempFolderFor(t, 'ferry-fsize-');
  const root = path.join(dir, 'root');
  await fs.mkdir(root);
  await fs.writeFile(path.join(root, 'small.txt'), 'still here');
  const big = path.join(dir, 'big.bin');
  await fs.writeFile(big, randomBytes(4 * 1024 * 1024));
  // 2048 blocks: 1 or 2 MiB, whichever unit the shell uses; either is less than the upload.
  const ferryd = await startFerryd(root, path.join(dir, 'config'), [], { fileSizeLimitBlocks: 2048 });
  t.after(() => killHard(ferryd));

  const filler = await FerryClient.connect({ host: '127.0.0.1', port: ferryd.port });
  const failure = await filler.upload(big, 'big.bin').catch((error: unknown) => error);
  assert.ok(failure instanceof FerryError && failure.code === ErrorCode.NO_SPACE, `expected NO_SPACE, got ${String(failure)}`);
  assert.match(failure.message, /big\.bin/, 'the message names the upload\'s target');
  assert.ok(!failure.message.includes('ferry-part'), `the message does not expose the temporary name: ${failure.message}`);
  await assertNothingLeftAndStillServing({ filler, port: ferryd.port, root, scratch: dir });
  assert.equal(ferryd.child.exitCode, null, 'ferryd is still running');
});
