/**
 * LINK against a real ferryd: downward targets are made, every other target
 * (absolute, `..` anywhere, `.`, empty components, reserved names, control
 * characters, too long) is refused with INVALID_PATH and nothing is made;
 * overwrite rules; a read-only session; the jail for the link's own path.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FerryClient } from '../../src/client/client.js';
import { startConnectedTestServer, type ConnectedTestServer } from '../helpers/server.js';
import { tempFolder, removeTempFolder } from '../helpers/temp-folders.js';
import { codeOf, withServer } from './raw-client.js';

let server: ConnectedTestServer;
let client: FerryClient;
before(async () => {
  server = await startConnectedTestServer();
  client = server.client;
});
after(() => server.cleanup());

const exists = (relative: string): Promise<boolean> => fs.lstat(path.join(server.root, relative)).then(() => true, () => false);

void test('the server offers symlink and makes links whose target goes down from their folder', async () => {
  assert.ok(client.info.capabilities.includes('symlink'));
  await fs.mkdir(path.join(server.root, 'site/releases/v2'), { recursive: true });
  await fs.writeFile(path.join(server.root, 'site/releases/v2/index.html'), 'v2');
  await client.makeLink('site/current', 'releases/v2');
  assert.equal(await fs.readlink(path.join(server.root, 'site/current')), 'releases/v2');
  // Read through the link like any path inside the root.
  const entries = await client.list('site/current');
  assert.deepEqual(entries.map((entry) => entry.name), ['index.html']);
  await client.makeLink('site/dangling', 'not/there/yet');
  assert.equal(await fs.readlink(path.join(server.root, 'site/dangling')), 'not/there/yet');
});

void test('hostile targets are refused with INVALID_PATH and nothing is made', async () => {
  await fs.mkdir(path.join(server.root, 'h'), { recursive: true });
  const hostile = [
    '/etc/passwd', '/', '..', '../x', '../../../../etc/passwd', 'a/../../x', 'a/..', 'a/../b', './x', '.', 'a/./b',
    'a//b', 'a/', '', 'a\\..\\b', 'a\u0000b', 'x\ny', '.x.ferry-part', 'sub/.y.ferry-part', `${'n'.repeat(256)}`,
    `${'a/'.repeat(2100)}a`,
  ];
  for (const [at, target] of hostile.entries()) {
    await assert.rejects(client.makeLink(`h/l${at}`, target), { code: ErrorCode.INVALID_PATH }, JSON.stringify(target));
    assert.equal(await exists(`h/l${at}`), false, JSON.stringify(target));
  }
  assert.deepEqual(await fs.readdir(path.join(server.root, 'h')), []);
});

void test('the link\'s own path is checked as every path: the root, escapes, reserved names, a folder out of the root', async () => {
  const outside = await tempFolder('ferry-test-outside-');
  try {
    await fs.symlink(outside, path.join(server.root, 'dir-out'));
    await assert.rejects(client.makeLink('/', 'x'), { code: ErrorCode.INVALID_PATH });
    await assert.rejects(client.makeLink('../escape', 'x'), { code: ErrorCode.INVALID_PATH });
    await assert.rejects(client.makeLink('.l.ferry-part', 'x'), { code: ErrorCode.INVALID_PATH });
    await assert.rejects(client.makeLink('dir-out/planted', 'x'), { code: ErrorCode.INVALID_PATH });
    await assert.rejects(client.makeLink('missing-folder/l', 'x'), { code: ErrorCode.NOT_FOUND });
    assert.deepEqual(await fs.readdir(outside), [], 'nothing made outside the root');
  } finally {
    await removeTempFolder(outside);
  }
});

void test('an existing entry: EXISTS, replaced with overwrite (a file or a link, never a folder); a loop is only a link', async () => {
  await fs.mkdir(path.join(server.root, 'o/folder'), { recursive: true });
  await fs.writeFile(path.join(server.root, 'o/file'), 'f');
  await assert.rejects(client.makeLink('o/file', 'target'), { code: ErrorCode.EXISTS });
  assert.equal(await fs.readFile(path.join(server.root, 'o/file'), 'utf8'), 'f');
  await client.makeLink('o/file', 'target', { overwrite: true });
  assert.equal(await fs.readlink(path.join(server.root, 'o/file')), 'target');
  await client.makeLink('o/file', 'other', { overwrite: true });
  assert.equal(await fs.readlink(path.join(server.root, 'o/file')), 'other');
  await assert.rejects(client.makeLink('o/folder', 'x', { overwrite: true }), { code: ErrorCode.IS_A_DIRECTORY });
  assert.ok((await fs.lstat(path.join(server.root, 'o/folder'))).isDirectory());
  // A loop is made (its target is a plain name); reading through it fails with a code, the session goes on.
  await client.makeLink('o/loop', 'loop');
  await assert.rejects(client.list('o/loop'));
  assert.ok((await client.stat('o/loop')).name === 'loop');
});

void test('the client refuses LINK before sending when the server does not offer it', async () => {
  const capabilities = client.info.capabilities as string[];
  const saved = [...capabilities];
  capabilities.splice(capabilities.indexOf('symlink'), 1);
  try {
    await assert.rejects(client.makeLink('x', 'y'), { code: ErrorCode.UNSUPPORTED });
  } finally {
    capabilities.splice(0, capabilities.length, ...saved);
  }
});

void test('a read-only session gets PERMISSION for LINK and nothing is made', () => withServer(async (srv, c) => {
  assert.equal(codeOf(await c.request({ op: 'LINK', id: 2, path: 'l', target: 'x', flags: 0 })), ErrorCode.PERMISSION);
  assert.equal(await fs.lstat(path.join(srv.root, 'l')).then(() => true, () => false), false);
}, { readOnly: true }));
