/**
 * No remove may name a server's root folder. Over SFTP a login sees the whole
 * file system, so `ferry rm -r sftp://root@host/` would delete the machine:
 * the command refuses before it connects (checked here against a port where
 * nothing listens, so a missing guard fails with a connection error rather
 * than by deleting anything), and over Ferry the shared folder stays whole.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isServerRoot } from '../../src/remote/server-root.js';
import { assertOneLineError, runFerryBinary } from '../helpers/ferry-command.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempFolder } from '../helpers/temp-folders.js';

void it('the root is /, however it is written, and nothing else', () => {
  for (const root of ['/', '//', '/./', '/a/..', '/a/../']) assert.equal(isServerRoot(root), true, root);
  for (const other of ['/a', '/a/', 'a', '', '.', '/..x']) assert.equal(isServerRoot(other), false, other);
});

void describe('ferry rm -r of a server root', () => {
  let server: TestServer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    server = await startTestServer();
    fs.mkdirSync(path.join(server.root, 'kept'));
    fs.writeFileSync(path.join(server.root, 'kept', 'file.txt'), 'kept');
    const home = await tempFolder('ferry-root-home-');
    env = { ...process.env, HOME: home, XDG_CONFIG_HOME: '' };
  });
  after(() => server.cleanup());

  for (const url of ['sftp://root@127.0.0.1:1/', 'ftp://127.0.0.1:1//', 'ferry://127.0.0.1:1/a/..']) {
    void it(`is refused before connecting: ${url}`, async () => {
      const run = await runFerryBinary(['rm', '-r', url], env);
      assertOneLineError(run, 'PERMISSION');
      assert.match(run.stderr, /root folder of a server is never removed/);
    });
  }

  void it('leaves a Ferry server\'s shared folder whole', async () => {
    const run = await runFerryBinary(['rm', '-r', `ferry://127.0.0.1:${server.port}/`], env);
    assertOneLineError(run, 'PERMISSION');
    assert.equal(fs.readFileSync(path.join(server.root, 'kept', 'file.txt'), 'utf8'), 'kept');
  });
});
