/**
 * Trees over SFTP against a private sshd: a tree down and up with every byte
 * checked, the named part of a tree (what a sync sends) both ways, an
 * existing file in the way, and a recursive listing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, isFerryError } from '../../src/protocol/errors.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { openRemote } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import type { Remote } from '../../src/remote/remote.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const makeTemp = tempFolderMaker();

/** Relative path → SHA-256 of every file below `root` (folders as `/`). */
async function snapshot(root: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const walk = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        found.set(relative, '/');
        await walk(path.join(dir, entry.name), relative);
      } else {
        found.set(relative, createHash('sha256').update(await fs.readFile(path.join(dir, entry.name))).digest('hex'));
      }
    }
  };
  await walk(root, '');
  return found;
}

async function writeTree(root: string): Promise<void> {
  for (let folder = 0; folder < 5; folder++) {
    const dir = path.join(root, `d${folder}`, 'inner');
    await fs.mkdir(dir, { recursive: true });
    for (let file = 0; file < 30; file++) {
      await fs.writeFile(path.join(dir, `f${file}.bin`), Buffer.alloc(1000 + file * 37, folder * 31 + file));
    }
  }
  await fs.mkdir(path.join(root, 'empty-folder'));
  await fs.writeFile(path.join(root, 'big.bin'), Buffer.alloc(3 * 1024 * 1024 + 5, 9));
}

void describe('SFTP trees', { skip: skipUnlessInstalled('sshd') }, () => {
  let server: Sshd;
  let remote: Remote;
  let local: string;

  before(async () => {
    server = await startSshd();
    await server.trustHostKey();
    remote = await openRemote(parseRemoteUrl(`sftp://${server.user}@127.0.0.1:${server.port}/`), {
      identityFile: server.clientKey, env: server.clientEnv(),
    });
    local = await makeTemp('ferry-sftp-tree-');
  });

  after(async () => {
    await remote?.quit();
    await server?.stop();
  });

  void test('a tree comes down whole, with empty folders, and goes back up whole', async () => {
    const source = path.join(server.root, 'tree');
    await writeTree(source);
    const expected = await snapshot(source);
    const down = path.join(local, 'down');
    const result = await remote.downloadTree(source, down);
    assert.equal(result.files, 151);
    assert.deepEqual(await snapshot(down), expected);

    const up = path.join(server.root, 'up');
    const uploaded = await remote.uploadTree(down, up);
    assert.equal(uploaded.files, 151);
    assert.deepEqual(await snapshot(up), expected);
  });

  void test('a resumed tree upload leaves alone the files an earlier run landed, though SFTP kept only their second', async () => {
    const source = await makeTemp('ferry-sftp-tree-resume-');
    await writeTree(source);
    // Times with a fraction of a second, as files written now have.
    const written = new Date(Date.UTC(2024, 2, 1, 12, 0, 0, 537));
    for (const name of ['big.bin', 'd0/inner/f0.bin']) await fs.utimes(path.join(source, name), written, written);
    const target = path.join(server.root, 'resumed-up');
    assert.equal((await remote.uploadTree(source, target)).files, 151);
    await fs.writeFile(path.join(source, 'd1', 'inner', 'f1.bin'), 'changed since');
    const again = await remote.uploadTree(source, target, { resume: true, overwrite: true });
    assert.equal(again.files, 1, 'only the changed file goes again');
    assert.deepEqual(await snapshot(target), await snapshot(source));
  });

  void test('a recursive listing names every entry relative to the folder', async () => {
    const entries = await remote.list(path.join(server.root, 'tree'), { recursive: true });
    const names = new Map(entries.map((entry) => [entry.name, entry.kind]));
    assert.equal(names.get('d0/inner/f0.bin'), EntryKind.FILE);
    assert.equal(names.get('d4/inner'), EntryKind.DIRECTORY);
    assert.equal(names.get('empty-folder'), EntryKind.DIRECTORY);
    assert.equal(entries.length, 151 + 5 * 2 + 1);
  });

  void test('an existing file stops a tree without overwrite; with it, the tree replaces it', async () => {
    const source = path.join(server.root, 'tree');
    const target = path.join(local, 'conflict');
    await fs.mkdir(path.join(target, 'd0', 'inner'), { recursive: true });
    await fs.writeFile(path.join(target, 'd0', 'inner', 'f0.bin'), 'mine');
    await assert.rejects(remote.downloadTree(source, target), (error: unknown) => isFerryError(error, ErrorCode.EXISTS));
    assert.equal(await fs.readFile(path.join(target, 'd0', 'inner', 'f0.bin'), 'utf8'), 'mine');
    await remote.downloadTree(source, target, { overwrite: true });
    assert.deepEqual(await snapshot(target), await snapshot(source));
  });

  void test('the named part of a tree goes up and comes down', async () => {
    const source = path.join(local, 'down');
    const subset = {
      folders: ['d1', 'd1/inner'],
      files: [{ relative: 'd1/inner/f3.bin', size: 1000 + 3 * 37 }, { relative: 'big.bin', size: 3 * 1024 * 1024 + 5 }],
    };
    const remoteDir = path.join(server.root, 'subset');
    const up = await remote.uploadSubset(source, remoteDir, subset);
    assert.equal(up.files, 2);
    assert.deepEqual([...(await snapshot(remoteDir)).keys()].sort(), ['big.bin', 'd1', 'd1/inner', 'd1/inner/f3.bin']);
    const back = path.join(local, 'subset-back');
    await remote.downloadSubset(remoteDir, back, subset);
    assert.deepEqual(await snapshot(back), await snapshot(remoteDir));
  });

  void test('a cancelled tree download rejects with CANCELLED', async () => {
    const controller = new AbortController();
    const target = path.join(local, 'cancelled');
    await assert.rejects(remote.downloadTree(path.join(server.root, 'tree'), target, {
      signal: controller.signal, progressIntervalMs: 0,
      onProgress: ({ filesDone }) => {
        if (filesDone >= 5) controller.abort();
      },
    }), (error: unknown) => isFerryError(error, ErrorCode.CANCELLED));
    // The session stays usable.
    assert.ok((await remote.list(server.root)).length > 0);
  });
});
