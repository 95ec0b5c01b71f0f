/**
 * The permissions dialog (P): a mode typed as `ferry chmod` takes it changes
 * the remote selection through CHMD; a bad mode or a refusal stays in the
 * dialog. Real ferryd, ink-testing-library.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer } from '../helpers/server.js';
import { loopback, renderApp, settle, waitForFrame, waitUntil } from '../helpers/ink.js';
import { parseChmodInput } from '../../src/tui/dialogs/chmod-dialog.js';

void test('parseChmodInput: -R first asks for folders\' contents', () => {
  assert.deepEqual(parseChmodInput('-R 755'), { recursive: true, change: { clear: 0o7777, set: 0o755 } });
  assert.deepEqual(parseChmodInput(' u+x '), { recursive: false, change: { clear: 0, set: 0o100 } });
  assert.equal(parseChmodInput('-R').change, undefined);
  assert.equal(parseChmodInput('rwx').change, undefined);
});

void test('P on the remote pane changes the permission bits of the entry under the cursor, -R of a folder\'s content', async () => {
  const local = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-chmod-local-'));
  const remoteRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-chmod-remote-'));
  await fs.writeFile(path.join(remoteRoot, 'a.sh'), 'echo');
  await fs.chmod(path.join(remoteRoot, 'a.sh'), 0o644);
  await fs.mkdir(path.join(remoteRoot, 'b-folder'));
  await fs.writeFile(path.join(remoteRoot, 'b-folder', 'inner'), 'x');
  await fs.chmod(path.join(remoteRoot, 'b-folder', 'inner'), 0o600);
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('a.sh'));
    // Connecting makes the remote pane the active one.
    // Folders sort first: b-folder is under the cursor.
    app.stdin.write('P');
    await waitForFrame(app.lastFrame, (f) => f.includes('Permissions of b-folder'));
    app.stdin.write('\x15');
    app.stdin.write('-R go+r');
    app.stdin.write('\r');
    await waitForFrame(app.lastFrame, (f) => f.includes('permissions changed on 1 item'));
    assert.equal((await fs.stat(path.join(remoteRoot, 'b-folder', 'inner'))).mode & 0o7777, 0o644);

    app.stdin.write('j');
    await settle();
    app.stdin.write('P');
    await waitForFrame(app.lastFrame, (f) => f.includes('Permissions of a.sh') && f.includes('644'));
    app.stdin.write('\x15');
    app.stdin.write('u+X');
    app.stdin.write('\r');
    await waitForFrame(app.lastFrame, (f) => f.includes('not a mode'));
    app.stdin.write('\x15');
    app.stdin.write('u+x');
    app.stdin.write('\r');
    const modeOfScript = async (): Promise<number> => (await fs.stat(path.join(remoteRoot, 'a.sh'))).mode & 0o7777;
    await waitUntil(async () => await modeOfScript() === 0o744, 'a.sh to become 744');
    await waitForFrame(app.lastFrame, (f) => !f.includes('Permissions of'));
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(local, { recursive: true, force: true });
    await fs.rm(remoteRoot, { recursive: true, force: true });
  }
});
