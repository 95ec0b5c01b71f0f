/**
 * The UI over FTPS, against a private vsftpd (test/helpers/vsftpd.ts): the
 * password asked in the masked secret dialog, the self-signed certificate in
 * the trust dialog, the status line's `[ftps TLS]`, an upload whose row
 * says it was checked by size, and a copy from the FTPS pane to a Ferry pane.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { startVsftpd } from '../helpers/vsftpd.js';
import { startTestServer } from '../helpers/server.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { removeTempFolder, tempFolder } from '../helpers/temp-folders.js';
import { KEYS, renderApp, waitForFrame } from '../helpers/ink.js';

void test('an FTPS pane: the password in the secret dialog, the certificate in the trust dialog, an upload checked by size, a copy to a Ferry pane', { skip: skipUnlessInstalled('vsftpd'), timeout: 60_000 }, async () => {
  const server = await startVsftpd({ tls: true, passwordUser: true });
  const user = server.user;
  const local = await tempFolder('ferry-ftp-pane-local-');
  const ferryd = await startTestServer({ root: await tempFolder('ferry-ftp-pane-ferry-') });
  try {
    assert.ok(user, 'vsftpd has a password user');
    await fs.writeFile(path.join(user.home, 'on-ftp.txt'), 'x');
    await fs.writeFile(path.join(local, 'up.txt'), 'upload me');
    const app = renderApp(local, {
      initial: { scheme: 'ftps', host: '127.0.0.1', port: server.port, user: user.name, password: '', path: '/', tls: 'auto' },
    });
    try {
      let asked = { secret: false, trust: false };
      for (;;) {
        const frame = await waitForFrame(
          app.lastFrame,
          (f) => f.includes('asks for a secret') || (f.includes('Unknown server') && f.includes('Trust (y)')) || f.includes('on-ftp.txt'),
          15_000,
        );
        if (frame.includes('on-ftp.txt')) {
          assert.match(frame, /\[ftps TLS\]/);
          break;
        }
        if (frame.includes('asks for a secret')) {
          assert.ok(!asked.secret, 'the password is asked once');
          app.stdin.write(user.password);
          const typed = await waitForFrame(app.lastFrame, (f) => f.includes('*'.repeat(user.password.length)));
          assert.ok(!typed.includes(user.password), 'the password is never drawn');
          app.stdin.write(KEYS.enter);
          asked = { ...asked, secret: true };
          await waitForFrame(app.lastFrame, (f) => !f.includes('asks for a secret'));
        } else {
          assert.ok(frame.includes(server.fingerprint!.slice(0, 24)), frame);
          // A question that has just appeared lets keys pass for a moment; then y answers it.
          await waitForFrame(app.lastFrame, (f) => !f.includes('a moment'));
          app.stdin.write('y');
          asked = { ...asked, trust: true };
          await waitForFrame(app.lastFrame, (f) => !f.includes('Unknown server'));
        }
      }
      assert.deepEqual(asked, { secret: true, trust: true });
      app.stdin.write(KEYS.tab);
      app.stdin.write('u');
      await waitForFrame(app.lastFrame, (f) => /↑\s*up\.txt.*size ✓/.test(f), 15_000);
      assert.equal(await fs.readFile(path.join(user.home, 'up.txt'), 'utf8'), 'upload me');

      // The left pane on a ferryd: FTPS → Ferry through the queue, checked by size (the weaker of the two).
      app.stdin.write('O');
      await waitForFrame(app.lastFrame, (f) => f.includes('Connect the left pane'));
      app.stdin.write(KEYS.down);
      app.stdin.write(`\x15${ferryd.port}`);
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => f.includes(`ferry://127.0.0.1:${ferryd.port}/`), 15_000);
      app.stdin.write(KEYS.tab);
      app.stdin.write(KEYS.f5);
      await waitForFrame(app.lastFrame, (f) => f.includes('Copy on-ftp.txt'));
      app.stdin.write(KEYS.enter);
      await waitForFrame(app.lastFrame, (f) => /⇄\s*on-ftp\.txt.*size ✓/.test(f), 15_000);
      assert.equal(await fs.readFile(path.join(ferryd.root, 'on-ftp.txt'), 'utf8'), 'x');
    } finally {
      app.unmount();
    }
  } finally {
    await ferryd.cleanup();
    await server.stop();
    await removeTempFolder(local);
  }
});
