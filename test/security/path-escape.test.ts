/**
 * The path-escape corpus, through a real session (frame level, so nothing is
 * cleaned up by a client library first): `..` in every position, absolute
 * paths, backslashes, NUL and control characters, over-long names and paths,
 * symlinks to a file and a folder outside the root, and a folder swapped for
 * a symlink while transfers run. Whatever the reply, nothing outside the root
 * may be read, listed, created, changed or deleted, and the session survives.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, errorCodeName } from '../../src/protocol/errors.js';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { RawClient } from '../server/raw-client.js';
import { tempFolderFor } from '../helpers/temp-folders.js';

const SECRET = 'OUTSIDE-SECRET-CONTENT';

/** Every file below `dir` with its content, to prove that nothing outside changed. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await fs.readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, full);
    result[rel] = entry.isFile() ? await fs.readFile(full, 'utf8') : entry.isSymbolicLink() ? `-> ${await fs.readlink(full)}` : 'dir';
  }
  return result;
}

async function setup(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = await tempFolderFor(t, 'ferry-escape-');
  const root = path.join(dir, 'root');
  const outside = path.join(dir, 'outside');
  await fs.mkdir(path.join(root, 'sub', 'deeper'), { recursive: true });
  await fs.mkdir(path.join(outside, 'inner'), { recursive: true });
  await fs.writeFile(path.join(outside, 'secret.txt'), SECRET);
  await fs.writeFile(path.join(outside, 'inner', 'secret.txt'), SECRET);
  await fs.writeFile(path.join(root, 'inside.txt'), 'inside');
  await fs.writeFile(path.join(root, 'sub', 'inside.txt'), 'inside');
  await fs.symlink(path.join(outside, 'secret.txt'), path.join(root, 'link-file'));
  await fs.symlink(outside, path.join(root, 'link-dir'));
  await fs.symlink('../../outside', path.join(root, 'sub', 'relative-link-dir'));
  await fs.symlink('inside.txt', path.join(root, 'good-link'));
  const served = await startTestServer({ root });
  t.after(() => served.cleanup());
  return { root, outside, served };
}

function escapeCorpus(): string[] {
  const dots = ['..', '../', '../..', '/..', '/../..', '../outside/secret.txt', '/../outside/secret.txt',
    'sub/..', 'sub/../..', 'sub/../../outside/secret.txt', 'sub/deeper/../../../outside', 'a/b/../../../outside',
    './inside.txt', 'sub/./inside.txt', '.', '/.', 'sub/.', 'sub//inside.txt', '//inside.txt', 'sub/', '..\u0000/x'];
  const absolute = ['/etc/passwd', '//etc/passwd', '/proc/self/environ', 'C:\\Windows\\win.ini', 'C:/Windows/win.ini'];
  const backslash = ['..\\outside\\secret.txt', 'sub\\..\\..\\outside', '\\..\\outside', '\\\\server\\share', 'sub\\inside.txt'];
  const control = ['inside.txt\u0000.png', '\u0000', 'a\u0001b', 'new\nline', 'tab\there', 'del\u007f', 'esc\u001b[2J'];
  const long = ['x'.repeat(256), `sub/${'y'.repeat(300)}`, `${'d/'.repeat(2100)}f`, `${'../'.repeat(1400)}etc/passwd`];
  const symlinks = ['link-dir/secret.txt', 'link-dir/inner/secret.txt', 'link-dir', 'link-dir/', 'sub/relative-link-dir/secret.txt',
    'sub/relative-link-dir', 'link-file', 'link-dir/new.txt', 'link-dir/inner', 'sub/relative-link-dir/inner/new.txt'];
  const encoded = ['%2e%2e/outside/secret.txt', '..%2fsecret.txt', '\u2025/outside', '\uff0e\uff0e/outside', '..\u2215outside'];
  return [...dots, ...absolute, ...backslash, ...control, ...long, ...symlinks, ...encoded];
}

/** The request kinds tried with every path. */
function requests(client: RawClient, p: string): Array<{ label: string; run: () => Promise<ServerMessage[]> }> {
  const single = (msg: Parameters<RawClient['request']>[0]) => async () => [await client.request(msg)];
  return [
    { label: 'STAT', run: single({ op: 'STAT', id: client.id(), path: p }) },
    { label: 'LIST', run: single({ op: 'LIST', id: client.id(), path: p, flags: 1 }) },
    { label: 'DWLD', run: async () => {
      const result = await client.download(p);
      return 'fail' in result ? [result.fail] : [result.open, { op: 'DATA', id: 0, offset: 0, data: result.content }];
    } },
    { label: 'UPLD', run: async () => [await client.upload(p, Buffer.from('planted'), 1)] },
    { label: 'MKDR', run: single({ op: 'MKDR', id: client.id(), path: `${p}/made`, flags: 1 }) },
    { label: 'MOVE-to', run: single({ op: 'MOVE', id: client.id(), from: 'inside.txt', to: p, flags: 1 }) },
    { label: 'MOVE-from', run: single({ op: 'MOVE', id: client.id(), from: p, to: 'taken', flags: 1 }) },
    { label: 'DELF', run: single({ op: 'DELF', id: client.id(), path: p }) },
    { label: 'RMDR', run: single({ op: 'RMDR', id: client.id(), path: p, flags: 1 }) },
  ];
}

void test('path-escape corpus: every request with every hostile path leaves the outside untouched and unread', async (t) => {
  const { root, outside, served } = await setup(t);
  const before = await snapshot(outside);
  const client = await RawClient.open(served.port);
  const corpus = escapeCorpus();
  const codes = new Map<string, number>();
  let requestsSent = 0;
  for (const p of corpus) {
    for (const { label, run } of requests(client, p)) {
      // Restore what a legitimate inside request may have moved or deleted, so every case starts equal.
      await fs.writeFile(path.join(root, 'inside.txt'), 'inside');
      const replies = await run();
      requestsSent += 1;
      for (const reply of replies) {
        const text = JSON.stringify(reply, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('utf8') : v));
        assert.ok(!text.includes(SECRET), `${label} ${JSON.stringify(p)} revealed outside content: ${text.slice(0, 200)}`);
        if (reply.op === 'ENTS') assert.ok(!reply.entries.some((e) => /secret/.test(e.name)), `${label} ${JSON.stringify(p)} listed outside`);
        if (reply.op === 'FAIL') {
          assert.notEqual(reply.code, ErrorCode.INTERNAL, `${label} ${JSON.stringify(p)}: ${reply.message}`);
          codes.set(errorCodeName(reply.code), (codes.get(errorCodeName(reply.code)) ?? 0) + 1);
        }
      }
      assert.deepEqual(await snapshot(outside), before, `${label} ${JSON.stringify(p)} changed something outside the root`);
    }
  }
  // A link inside the root pointing inside still works, and the session is still healthy.
  const good = await client.download('good-link');
  assert.ok('content' in good && good.content.toString() === 'inside');
  assert.ok((await client.list('')).entries.length > 0);
  await client.quit();
  t.diagnostic(`${corpus.length} paths × 9 requests = ${requestsSent} requests; refusals by code: ${JSON.stringify(Object.fromEntries(codes))}`);
  assert.ok((codes.get('INVALID_PATH') ?? 0) > corpus.length, 'most hostile paths are refused as INVALID_PATH');
});

/** Runs transfers while `sub` flips between the real folder and a symlink to the outside. */
async function transfersDuringSwaps(
  t: { after: (fn: () => Promise<void>) => void; diagnostic: (m: string) => void },
  also: 'nothing' | 'list' | 'move' = 'nothing',
) {
  const { root, outside, served } = await setup(t);
  await fs.writeFile(path.join(outside, 'data.txt'), SECRET);
  await fs.writeFile(path.join(root, 'sub', 'data.txt'), 'inside-data');
  const before = await snapshot(outside);
  const parked = path.join(root, '.parked-sub');
  const link = path.join(root, '.parked-link');
  await fs.symlink(outside, link);

  let flipping = true;
  let flips = 0;
  const flipper = (async () => {
    while (flipping) {
      await fs.rename(path.join(root, 'sub'), parked);
      await fs.rename(link, path.join(root, 'sub'));
      await new Promise((resolve) => setImmediate(resolve));
      await fs.rename(path.join(root, 'sub'), link);
      await fs.rename(parked, path.join(root, 'sub'));
      flips += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  const client = await RawClient.open(served.port);
  const outcomes = new Map<string, number>();
  let leakedNames = 0;
  const count = (key: string): void => { outcomes.set(key, (outcomes.get(key) ?? 0) + 1); };
  try {
    for (let i = 0; i < 150; i += 1) {
      const download = await client.download('sub/data.txt');
      if ('content' in download) {
        assert.equal(download.content.toString(), 'inside-data', 'a download through the swapped folder read the outside');
        count('download ok');
      } else {
        count(`download ${errorCodeName(download.fail.code)}`);
      }
      const upload = await client.upload(`sub/up-${i}.txt`, Buffer.from(`upload ${i}`), 1);
      count(`upload ${upload.op === 'FAIL' ? errorCodeName(upload.code) : upload.op}`);
      if (also === 'list') {
        const listing = await client.request({ op: 'LIST', id: client.id(), path: 'sub', flags: 0 });
        if (listing.op === 'ENTS') leakedNames += listing.entries.filter((e) => e.name === 'secret.txt').length;
      }
      if (also !== 'move') continue;
      const moved = await client.request({ op: 'MOVE', id: client.id(), from: 'inside.txt', to: `sub/moved-${i}.txt`, flags: 1 });
      count(`move ${moved.op === 'FAIL' ? errorCodeName(moved.code) : moved.op}`);
      if (moved.op === 'DONE') await fs.writeFile(path.join(root, 'inside.txt'), 'inside');
    }
  } finally {
    flipping = false;
    await flipper;
  }
  await client.quit();
  t.diagnostic(`${flips} swaps; outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
  return { before, after: await snapshot(outside), leakedNames };
}

void test('a folder swapped for a symlink to the outside while transfers run: nothing outside is read, written, moved or deleted', async (t) => {
  const { before, after } = await transfersDuringSwaps(t);
  for (const [name, content] of Object.entries(before)) assert.equal(after[name], content, `${name} outside changed or vanished`);
  // Not even an empty temporary file: uploads create it through the checked folder descriptor.
  assert.deepEqual(Object.entries(after).filter(([name]) => !(name in before)), [], 'something was created outside the root');
});

void test('a folder swapped for a symlink during uploads creates no file outside the root', async (t) => {
  const { before, after } = await transfersDuringSwaps(t);
  assert.deepEqual(Object.keys(after).filter((name) => !(name in before)), [], 'files were created outside the root');
});

void test('a folder swapped for a symlink during LIST never lists the outside', async (t) => {
  const { leakedNames } = await transfersDuringSwaps(t, 'list');
  assert.equal(leakedNames, 0, 'listings showed names from outside the root');
});

void test('a folder swapped for a symlink during MOVE never moves a file out of (or into) the root', async (t) => {
  const { before, after } = await transfersDuringSwaps(t, 'move');
  // Temporary files included: nothing at all appears outside the root.
  assert.deepEqual(Object.keys(after).filter((name) => !(name in before)), [], 'files were moved or created outside the root');
});
