import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FerryClient } from '../../src/client/client.js';
import { parseModeSpec } from '../../src/client/mode-spec.js';
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

const modeOf = async (relative: string): Promise<number> => (await fs.lstat(path.join(server.root, relative))).mode & 0o7777;
const change = (spec: string) => parseModeSpec(spec)!;

void test('the server offers chmod and changes a file by octal and by symbolic mode', async () => {
  assert.ok(client.info.capabilities.includes('chmod'));
  await fs.writeFile(path.join(server.root, 'a.txt'), 'a');
  await fs.chmod(path.join(server.root, 'a.txt'), 0o600);
  await client.chmod('/a.txt', change('755'));
  assert.equal(await modeOf('a.txt'), 0o755);
  await client.chmod('/a.txt', change('go-rx'));
  assert.equal(await modeOf('a.txt'), 0o700);
  await client.chmod('/a.txt', change('u-w,g=r'));
  assert.equal(await modeOf('a.txt'), 0o540);
});

void test('a file of mode 000 gets its bits back (no read permission needed to change them)', async () => {
  await fs.writeFile(path.join(server.root, 'locked'), 'x');
  await fs.chmod(path.join(server.root, 'locked'), 0);
  await client.chmod('locked', change('u+rw'));
  assert.equal(await modeOf('locked'), 0o600);
});

void test('-R changes everything below a folder, never a symlink nor what it points to, inside or outside', async () => {
  const outside = await tempFolder('ferry-test-outside-');
  try {
    await fs.writeFile(path.join(outside, 'secret'), 's');
    await fs.chmod(path.join(outside, 'secret'), 0o600);
    await fs.mkdir(path.join(server.root, 'tree/sub'), { recursive: true });
    await fs.writeFile(path.join(server.root, 'tree/sub/f'), 'f');
    await fs.writeFile(path.join(server.root, 'inside-target'), 'i');
    await fs.chmod(path.join(server.root, 'inside-target'), 0o600);
    await fs.symlink(path.join(outside, 'secret'), path.join(server.root, 'tree/out'));
    await fs.symlink(path.join(outside), path.join(server.root, 'tree/outdir'));
    await fs.symlink('../inside-target', path.join(server.root, 'tree/in'));
    await client.chmod('tree', change('640'), { recursive: true });
    // A folder losing its search bit is changed after its content, so the content is reached.
    assert.equal(await modeOf('tree/sub/f'), 0o640);
    assert.equal(await modeOf('tree/sub'), 0o640);
    assert.equal(await modeOf('tree'), 0o640);
    await fs.chmod(path.join(server.root, 'tree'), 0o755);
    await fs.chmod(path.join(server.root, 'tree/sub'), 0o755);
    assert.equal((await fs.stat(path.join(outside, 'secret'))).mode & 0o7777, 0o600);
    assert.equal(await modeOf('inside-target'), 0o600);
    await client.chmod('tree', change('a+x'), { recursive: true });
    assert.equal(await modeOf('tree/sub/f'), 0o751);
    assert.equal((await fs.stat(path.join(outside, 'secret'))).mode & 0o7777, 0o600);
  } finally {
    await removeTempFolder(outside);
  }
});

void test('a named symlink is refused (UNSUPPORTED), one out of the root is never followed, the root is never changed', async () => {
  const outside = await tempFolder('ferry-test-outside-');
  try {
    await fs.writeFile(path.join(outside, 'secret'), 's');
    await fs.chmod(path.join(outside, 'secret'), 0o600);
    await fs.symlink(path.join(outside, 'secret'), path.join(server.root, 'link-out'));
    await fs.symlink(outside, path.join(server.root, 'dir-out'));
    await assert.rejects(client.chmod('link-out', change('777')), { code: ErrorCode.UNSUPPORTED });
    await assert.rejects(client.chmod('link-out', change('777'), { recursive: true }), { code: ErrorCode.UNSUPPORTED });
    // Through a folder link leading out: the jail refuses the path.
    await assert.rejects(client.chmod('dir-out/secret', change('777')), { code: ErrorCode.INVALID_PATH });
    await assert.rejects(client.chmod('../secret', change('777')), { code: ErrorCode.INVALID_PATH });
    assert.equal((await fs.stat(path.join(outside, 'secret'))).mode & 0o7777, 0o600);
    await assert.rejects(client.chmod('/', change('777')), { code: ErrorCode.PERMISSION });
    await assert.rejects(client.chmod('missing', change('777')), { code: ErrorCode.NOT_FOUND });
  } finally {
    await removeTempFolder(outside);
  }
});

void test('the client refuses chmod before sending when the server does not offer it', async () => {
  const capabilities = client.info.capabilities as string[];
  const saved = [...capabilities];
  capabilities.splice(capabilities.indexOf('chmod'), 1);
  try {
    await assert.rejects(client.chmod('a.txt', change('644')), { code: ErrorCode.UNSUPPORTED });
  } finally {
    capabilities.splice(0, capabilities.length, ...saved);
  }
});

void test('a read-only session gets PERMISSION for CHMD and nothing changes', () => withServer(async (srv, c) => {
  await fs.writeFile(path.join(srv.root, 'f'), 'x');
  await fs.chmod(path.join(srv.root, 'f'), 0o600);
  assert.equal(codeOf(await c.request({ op: 'CHMD', id: 2, path: 'f', clear: 0o7777, set: 0o777, flags: 0 })), ErrorCode.PERMISSION);
  assert.equal((await fs.stat(path.join(srv.root, 'f'))).mode & 0o7777, 0o600);
}, { readOnly: true }));
