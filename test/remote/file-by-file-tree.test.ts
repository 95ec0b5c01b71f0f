/**
 * The tree transfers that SFTP and FTP use (src/remote/file-by-file-tree.ts),
 * driven here through a Ferry session's single-file calls only (list of one
 * folder, mkdir, upload, download — never TGET/TPUT or LIST -r), so the
 * generic path is checked against a real ferryd: a nested tree both ways byte
 * for byte, the recursive listing, a selection, a resume that sends only what
 * is missing, and a cancel.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ListOptions } from '../../src/client/types.js';
import { ErrorCode, isFerryError } from '../../src/protocol/errors.js';
import { fileByFileTrees, type SingleFileRemote } from '../../src/remote/file-by-file-tree.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { patternBytes } from '../client/files.js';

function makeTree(top: string, count: number): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const folder = i % 3 === 0 ? '' : i % 3 === 1 ? `d${i % 4}` : `d${i % 4}/sub${i % 3}/leaf`;
    const relative = folder === '' ? `file-${i}.txt` : `${folder}/file-${i}.txt`;
    const data = patternBytes((i * 53) % 5000, i + 1);
    fs.mkdirSync(path.join(top, folder), { recursive: true });
    fs.writeFileSync(path.join(top, relative), data);
    files.set(relative, data);
  }
  fs.mkdirSync(path.join(top, 'empty', 'inner'), { recursive: true });
  return files;
}

void describe('file-by-file tree transfers (the SFTP/FTP path)', () => {
  let server: ConnectedTestServer;
  let singleFile: SingleFileRemote & { recursiveLists: number; uploads: number };

  before(async () => {
    server = await startConnectedTestServer({}, 'ferry-fbf-');
    const client = server.client;
    singleFile = {
      recursiveLists: 0,
      uploads: 0,
      list(target: string, options: ListOptions = {}) {
        if (options.recursive) this.recursiveLists++;
        return client.list(target, options);
      },
      mkdir: (target, options) => client.mkdir(target, options),
      upload(localPath, remotePath, options) {
        this.uploads++;
        return client.upload(localPath, remotePath, options);
      },
      download: (remotePath, localPath, options) => client.download(remotePath, localPath, options),
    };
  });
  after(() => server.cleanup());

  void it('moves a nested tree up and back down byte for byte, one folder listing at a time', async () => {
    const trees = fileByFileTrees(singleFile, { concurrency: 4 });
    const source = path.join(server.local, 'source');
    const files = makeTree(source, 60);
    const up = await trees.uploadTree(source, '/up');
    assert.equal(up.files, 60);
    for (const [relative, data] of files) assert.ok(fs.readFileSync(path.join(server.root, 'up', relative)).equals(data), relative);
    assert.ok(fs.statSync(path.join(server.root, 'up', 'empty', 'inner')).isDirectory());

    const listed = await trees.listRecursively('/up');
    const names = listed.map((entry) => entry.name);
    assert.ok(names.includes('d1/sub1/leaf/file-1.txt') || names.some((name) => name.endsWith('/leaf/file-2.txt')));
    for (const name of names) {
      const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined;
      if (parent) assert.ok(names.indexOf(parent) < names.indexOf(name), `${parent} is listed before ${name}`);
    }

    const back = path.join(server.local, 'back');
    const down = await trees.downloadTree('/up', back);
    assert.equal(down.files, 60);
    for (const [relative, data] of files) assert.ok(fs.readFileSync(path.join(back, relative)).equals(data), relative);
    assert.equal(singleFile.recursiveLists, 0, 'the kind is only ever asked for one folder');
  });

  void it('moves a selection, and a resume sends only what is not there yet', async () => {
    const trees = fileByFileTrees(singleFile, { concurrency: 3 });
    const source = path.join(server.local, 'picked');
    makeTree(source, 30);
    const picked = await trees.uploadTree(source, '/picked', { names: ['d1', 'file-0.txt'] });
    assert.ok(fs.existsSync(path.join(server.root, 'picked', 'file-0.txt')));
    assert.ok(!fs.existsSync(path.join(server.root, 'picked', 'd2')));
    assert.ok(picked.files > 1);

    fs.rmSync(path.join(server.root, 'picked', 'd1'), { recursive: true });
    const before = singleFile.uploads;
    const resumed = await trees.uploadTree(source, '/picked', { names: ['d1', 'file-0.txt'], resume: true });
    assert.equal(resumed.files, picked.files - 1, 'file-0.txt was there with its size and mtime');
    assert.equal(singleFile.uploads - before, resumed.files);
  });

  void it('a cancelled tree rejects with CANCELLED', async () => {
    const trees = fileByFileTrees(singleFile, { concurrency: 2 });
    const source = path.join(server.local, 'cancelled');
    makeTree(source, 40);
    const stop = new AbortController();
    const moving = trees.uploadTree(source, '/cancelled', {
      signal: stop.signal, onProgress: (progress) => { if (progress.filesDone >= 2) stop.abort(); }, progressIntervalMs: 0,
    });
    await assert.rejects(moving, (error) => isFerryError(error, ErrorCode.CANCELLED));
  });

  void it('a missing folder fails the listing with NOT_FOUND', async () => {
    const trees = fileByFileTrees(singleFile, { concurrency: 2 });
    await assert.rejects(trees.listRecursively('/nothing-here'), (error) => isFerryError(error, ErrorCode.NOT_FOUND));
  });
});
