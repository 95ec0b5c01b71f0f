/**
 * The UI over SFTP, against a private sshd (test/helpers/sshd.ts) and a real
 * ferryd: the new host key in the trust dialog, a password asked in the masked
 * secret dialog, an upload that says `size ✓`, the status line's `[sftp SSH]`,
 * and copies both ways between an SFTP pane and a Ferry pane.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { openRemote } from '../../src/remote/open-remote.js';
import type { ConnectFunction } from '../../src/tui/connect-params.js';
import { startSshd } from '../helpers/sshd.js';
import { startTestServer } from '../helpers/server.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { removeTempFolder, tempFolder } from '../helpers/temp-folders.js';
import { KEYS, renderApp, waitForFrame } from '../helpers/ink.js';

const CTRL_U = '\x15';

void test('an SFTP pane: host key trusted in the dialog, upload checked by size, copies both ways with a Ferry pane', { skip: skipUnlessInstalled('sshd'), timeout: 60_000 }, async () => {
  const sshd = await startSshd({});
  const ferryd = await startTestServer({ root: await tempFolder('ferry-sftp-pane-ferry-') });
  const local = await tempFolder('ferry-sftp-pane-local-');
  await fs.writeFile(path.join(sshd.root, 'over-ssh.txt'), 'hello from sshd');
  await fs.writeFile(path.join(ferryd.root, 'on-ferry.txt'), 'hello from ferryd');
  await fs.writeFile(path.join(local, 'up.txt'), 'upload me');
  const connect: ConnectFunction = (url, options) => openRemote(url, { ...options, env: sshd.clientEnv() });
  const app = renderApp(local, {
    connect,
    initial: { scheme: 'sftp', host: '127.0.0.1', port: sshd.port, user: sshd.user, password: '', path: sshd.root, tls: 'auto', identityFile: sshd.clientKey },
  });
  try {
    const trust = await waitForFrame(app.lastFrame, (f) => f.includes('Unknown host key') && f.includes('Trust (y)'), 15_000);
    assert.match(trust, /ssh-ed25519 host key/);
    assert.match(trust, /SHA256:[A-Za-z0-9+/]{43}/);
    app.stdin.write('y');
    let frame = await waitForFrame(app.lastFrame, (f) => f.includes('over-ssh.txt'), 15_000);
    assert.match(frame, /\[sftp SSH\]/);
    app.stdin.write(KEYS.tab);
    app.stdin.write('u');
    await waitForFrame(app.lastFrame, (f) => /↑\s*up\.txt.*size ✓/.test(f), 15_000);
    assert.equal(await fs.readFile(path.join(sshd.root, 'up.txt'), 'utf8'), 'upload me');

    // The left pane on the ferryd.
    app.stdin.write('O');
    await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
    app.stdin.write(KEYS.down);
    app.stdin.write(`${CTRL_U}${ferryd.port}`);
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('on-ferry.txt'), 15_000);
    // SFTP (right) → Ferry (left): checked by size, the weaker of the two.
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Copy over-ssh.txt'));
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => /⇄\s*over-ssh\.txt.*size ✓/.test(f), 15_000);
    assert.equal(await fs.readFile(path.join(ferryd.root, 'over-ssh.txt'), 'utf8'), 'hello from sshd');
    // Ferry (left) → SFTP (right).
    app.stdin.write(KEYS.tab);
    app.stdin.write(KEYS.f5);
    await waitForFrame(app.lastFrame, (f) => f.includes('Copy on-ferry.txt'));
    app.stdin.write(KEYS.enter);
    frame = await waitForFrame(app.lastFrame, (f) => /⇄\s*on-ferry\.txt.*size ✓/.test(f), 15_000);
    assert.equal(await fs.readFile(path.join(sshd.root, 'on-ferry.txt'), 'utf8'), 'hello from ferryd');
  } finally {
    app.unmount();
    await sshd.stop();
    await ferryd.cleanup();
    await removeTempFolder(local);
  }
});

void test('an SFTP password login asks in the masked secret dialog', { skip: skipUnlessInstalled('sshd'), timeout: 60_000 }, async () => {
  const sshd = await startSshd({ withPasswordUser: true, password: true, keyboardInteractive: false });
  const user = sshd.passwordUser;
  if (!user) {
    await sshd.stop();
    return;
  }
  await fs.writeFile(path.join(user.home, 'behind-password.txt'), 'x');
  const local = await tempFolder('ferry-sftp-pane-local-');
  const connect: ConnectFunction = (url, options) => openRemote(url, { ...options, env: sshd.clientEnv() });
  const app = renderApp(local, {
    connect,
    initial: { scheme: 'sftp', host: '127.0.0.1', port: sshd.port, user: user.name, password: '', path: user.home, tls: 'auto' },
  });
  try {
    let frame = await waitForFrame(app.lastFrame, (f) => (f.includes('Unknown host key') && f.includes('Trust (y)')) || f.includes('asks for a secret'), 15_000);
    if (frame.includes('Unknown host key')) app.stdin.write('y');
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('asks for a secret'), 15_000);
    assert.match(frame, new RegExp(`${user.name}@127\\.0\\.0\\.1`));
    app.stdin.write(user.password);
    frame = await waitForFrame(app.lastFrame, (f) => f.includes('*'.repeat(user.password.length)));
    assert.ok(!frame.includes(user.password), 'the password is never drawn');
    app.stdin.write(KEYS.enter);
    await waitForFrame(app.lastFrame, (f) => f.includes('behind-password.txt'), 15_000);
  } finally {
    app.unmount();
    await sshd.stop();
    await removeTempFolder(local);
  }
});
