import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { planRemoteLinks, targetInsideTree } from '../../src/client/tree-links.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { tempFolderSync, removeTempFolder } from '../helpers/temp-folders.js';

let server: ConnectedTestServer;
let outside: string;
before(async () => {
  server = await startConnectedTestServer();
  outside = tempFolderSync('ferry-test-outside-');
  fs.writeFileSync(path.join(outside, 'secret'), 'secret');
});
after(async () => {
  await server.cleanup();
  await removeTempFolder(outside);
});

/** A tree with a file link and a folder link inside it, a link out of it, and a link to its own parent. */
function makeTree(top: string): void {
  fs.mkdirSync(path.join(top, 'docs/deep'), { recursive: true });
  fs.writeFileSync(path.join(top, 'docs/a.txt'), 'aaa');
  fs.writeFileSync(path.join(top, 'docs/deep/b.txt'), 'bb');
  fs.symlinkSync('docs/a.txt', path.join(top, 'file-link'));
  fs.symlinkSync('docs', path.join(top, 'folder-link'));
  fs.symlinkSync(path.join(outside, 'secret'), path.join(top, 'out-link'));
  fs.symlinkSync('..', path.join(top, 'docs/deep/cycle'));
}

const read = (file: string): string | undefined => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);

void test('targetInsideTree judges the text relative to the link, without the disk', () => {
  assert.equal(targetInsideTree('a/l', 'b'), 'a/b');
  assert.equal(targetInsideTree('a/l', '../b'), 'b');
  assert.equal(targetInsideTree('a/l', '..'), '');
  assert.equal(targetInsideTree('l', '../b'), undefined);
  assert.equal(targetInsideTree('a/l', '../../b'), undefined);
  assert.equal(targetInsideTree('l', '/etc/passwd'), undefined);
  assert.equal(targetInsideTree('l', ''), undefined);
  const plan = planRemoteLinks([
    { name: 'd', kind: EntryKind.DIRECTORY, size: 0, mtimeMs: 0, mode: 0 },
    { name: 'd/l', kind: EntryKind.SYMLINK, size: 0, mtimeMs: 0, mode: 0, linkTarget: '..' },
  ], 'follow');
  assert.equal(plan.skipped, 1, 'a link to a folder holding it is a cycle: skipped');
});

void test('upload --links: skip counts every link; follow copies what is inside the tree, once, and counts the rest', async () => {
  const top = path.join(server.local, 'up');
  makeTree(top);
  const skipped = await server.client.uploadTree(top, '/up-skip');
  assert.equal(skipped.skippedLinks, 4);
  assert.equal(fs.existsSync(path.join(server.root, 'up-skip/file-link')), false);

  const followed = await server.client.uploadTree(top, '/up-follow', { links: 'follow' });
  // The link out of the tree, the cycle, and the cycle again inside the followed folder (links there are not followed).
  assert.equal(followed.skippedLinks, 3);
  assert.equal(read(path.join(server.root, 'up-follow/file-link')), 'aaa');
  assert.equal(read(path.join(server.root, 'up-follow/folder-link/deep/b.txt')), 'bb');
  assert.equal(fs.lstatSync(path.join(server.root, 'up-follow/folder-link')).isDirectory(), true);
  assert.equal(fs.existsSync(path.join(server.root, 'up-follow/out-link')), false, 'never read outside the tree');

  // copy: links whose target goes down from their folder are made on the server (LINK); the others are counted.
  const copied = await server.client.uploadTree(top, '/up-copy', { links: 'copy' });
  assert.equal(copied.copiedLinks, 2);
  assert.equal(copied.skippedLinks, 2, 'the link out of the tree and the one going up (..)');
  assert.equal(fs.readlinkSync(path.join(server.root, 'up-copy/file-link')), 'docs/a.txt');
  assert.equal(fs.readlinkSync(path.join(server.root, 'up-copy/folder-link')), 'docs');
  assert.equal(read(path.join(server.root, 'up-copy/docs/a.txt')), 'aaa');
  assert.equal(fs.existsSync(path.join(server.root, 'up-copy/out-link')), false);
  assert.equal(fs.existsSync(path.join(server.root, 'up-copy/docs/deep/cycle')), false);
  // Again without overwrite: the links exist (EXISTS), as files would; with overwrite they are made again.
  await assert.rejects(server.client.uploadTree(top, '/up-copy', { links: 'copy' }), { code: ErrorCode.EXISTS });
  assert.equal((await server.client.uploadTree(top, '/up-copy', { links: 'copy', overwrite: true })).copiedLinks, 2);

  // A server without the capability: refused before anything is sent.
  const capabilities = server.client.info.capabilities as string[];
  const saved = [...capabilities];
  capabilities.splice(capabilities.indexOf('symlink'), 1);
  try {
    await assert.rejects(server.client.uploadTree(top, '/up-copy-old', { links: 'copy' }), { code: ErrorCode.UNSUPPORTED });
    assert.equal(fs.existsSync(path.join(server.root, 'up-copy-old')), false);
  } finally {
    capabilities.splice(0, capabilities.length, ...saved);
  }
});

void test('download --links: skip counts, copy remakes links that stay inside, follow fetches through the server', async () => {
  makeTree(path.join(server.root, 'down'));
  const skipLocal = path.join(server.local, 'down-skip');
  const skipped = await server.client.downloadTree('/down', skipLocal, { links: 'skip', onProgress: () => undefined });
  assert.equal(skipped.skippedLinks, 4);
  assert.equal(fs.existsSync(path.join(skipLocal, 'file-link')), false);

  const copyLocal = path.join(server.local, 'down-copy');
  const copied = await server.client.downloadTree('/down', copyLocal, { links: 'copy' });
  assert.equal(copied.copiedLinks, 3);
  assert.equal(copied.skippedLinks, 1, 'only the link out of the tree');
  assert.equal(fs.readlinkSync(path.join(copyLocal, 'file-link')), 'docs/a.txt');
  assert.equal(fs.readlinkSync(path.join(copyLocal, 'folder-link')), 'docs');
  assert.equal(read(path.join(copyLocal, 'file-link')), 'aaa');
  assert.equal(fs.existsSync(path.join(copyLocal, 'out-link')), false);

  const followLocal = path.join(server.local, 'down-follow');
  const followed = await server.client.downloadTree('/down', followLocal, { links: 'follow' });
  assert.equal(followed.skippedLinks, 3);
  assert.equal(fs.lstatSync(path.join(followLocal, 'file-link')).isFile(), true);
  assert.equal(read(path.join(followLocal, 'file-link')), 'aaa');
  assert.equal(read(path.join(followLocal, 'folder-link/deep/b.txt')), 'bb');
  assert.equal(fs.existsSync(path.join(followLocal, 'out-link')), false);
});

void test('a selection (names) with --links: only the named entries, a named link followed to a target outside the selection', async () => {
  makeTree(path.join(server.root, 'pick'));
  const downLocal = path.join(server.local, 'pick-down');
  const down = await server.client.downloadTree('/pick', downLocal, { links: 'follow', names: ['file-link', 'out-link'] });
  assert.deepEqual(fs.readdirSync(downLocal).sort(), ['file-link']);
  assert.equal(read(path.join(downLocal, 'file-link')), 'aaa', 'its target (docs/a.txt) lies outside the selection');
  assert.equal(down.skippedLinks, 1, 'the named link out of the tree, not the links left out of the selection');

  const top = path.join(server.local, 'pick-up');
  makeTree(top);
  const up = await server.client.uploadTree(top, '/pick-up', { links: 'follow', names: ['folder-link', 'out-link'] });
  assert.deepEqual(fs.readdirSync(path.join(server.root, 'pick-up')).sort(), ['folder-link']);
  assert.equal(read(path.join(server.root, 'pick-up/folder-link/deep/b.txt')), 'bb');
  assert.equal(up.skippedLinks, 2, 'the link out of the tree and the cycle inside the followed folder');
});
