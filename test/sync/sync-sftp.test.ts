/**
 * `ferry sync` up to a private OpenSSH sshd (skipped without sshd, failing
 * under CI=true). SFTP states times in whole seconds, while local files
 * mostly have a fraction of one: a second run must find the copy in sync
 * rather than send every file again, and a change of the second is still
 * seen.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYNC_CHANGED_EXIT } from '../../src/cli/sync-command.js';
import { runFerryBinary } from '../helpers/ferry-command.js';
import { startSshd, type Sshd } from '../helpers/sshd.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { removeTempFolder, tempFolderSync } from '../helpers/temp-folders.js';
import { writeTree } from './sync-helpers.js';

const skip = skipUnlessInstalled('sshd');

void describe('ferry sync with an SFTP side', { skip }, () => {
  let server: Sshd;
  let local: string;

  before(async () => {
    server = await startSshd();
    await server.trustHostKey();
    local = tempFolderSync('ferry-sync-sftp-');
  });
  after(async () => {
    await server?.stop();
    if (local) await removeTempFolder(local);
  });

  const sync = (...args: string[]): ReturnType<typeof runFerryBinary> =>
    runFerryBinary(['sync', '-i', server.clientKey, ...args], server.clientEnv());

  void it('finds a copy of files with sub-second times in sync on the second run, and sees a later second', async () => {
    // A time with a fraction of a second, as files written now have; the server keeps only the second.
    const written = new Date('2024-03-01T12:00:00.537Z');
    writeTree(local, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' }, written);
    const url = `sftp://${server.user}@127.0.0.1:${server.port}${server.root}/site`;
    const first = await sync(local, url);
    assert.equal(first.code, SYNC_CHANGED_EXIT, first.stderr);
    assert.equal(fs.statSync(path.join(server.root, 'site', 'a.txt')).mtimeMs, Math.floor(written.getTime() / 1000) * 1000);

    const again = await sync(local, url);
    assert.deepEqual([again.code, again.stdout], [0, 'in sync\n'], again.stderr);

    // Same size, one second later: sent.
    writeTree(local, { 'a.txt': 'ALPHA' }, new Date(written.getTime() + 1000));
    const changed = await sync(local, url);
    assert.equal(changed.code, SYNC_CHANGED_EXIT, changed.stderr);
    assert.match(changed.stdout, /1 updated/);
    assert.equal(fs.readFileSync(path.join(server.root, 'site', 'a.txt'), 'utf8'), 'ALPHA');
  });
});
