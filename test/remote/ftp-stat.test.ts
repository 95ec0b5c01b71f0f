/**
 * Remote.stat on the FTP kind describes one path without listing the
 * folder it is in (src/remote/ftp/ftp-stat.ts): against a private vsftpd
 * whose log shows every command it received, and a private ProFTPD, whose
 * MLST describes a file in a folder the session may not list.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { openRemote } from '../../src/remote/open-remote.js';
import type { Remote } from '../../src/remote/remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { PROFTPD_BINARY, startProftpd, type PrivateProftpd } from '../helpers/proftpd.js';
import { skipUnlessInstalled, skipUnlessPresent } from '../helpers/system-tool.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const startOfSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;

void describe('FTP stat without the folder\'s listing (vsftpd)', { skip: skipUnlessInstalled('vsftpd') }, () => {
  let server: PrivateVsftpd;
  let remote: Remote;
  let many: string;

  before(async () => {
    server = await startVsftpd({ logCommands: true });
    many = path.join(server.pub, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 300; i++) fs.writeFileSync(path.join(many, `f-${String(i).padStart(4, '0')}.txt`), 'x'.repeat(i));
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
  });
  after(async () => {
    await remote?.quit();
    await server?.stop();
  });

  void it('describes a file from its own LIST line and MDTM', async () => {
    const entry = await remote.stat('/pub/many/f-0042.txt');
    const local = fs.statSync(path.join(many, 'f-0042.txt'));
    assert.equal(entry.kind, EntryKind.FILE);
    assert.equal(entry.size, 42);
    assert.equal(entry.mode, 0o644);
    assert.equal(entry.mtimeMs, startOfSecond(local.mtimeMs));
    assert.equal(entry.mtimeResolutionMs, 1000);
    const lists = (await server.commandsReceived()).filter((command) => /^(LIST|NLST|MLSD)\b/i.test(command));
    assert.deepEqual(lists.filter((command) => !command.endsWith(' /pub/many/f-0042.txt')), [], 'no listing of the folder');
  });

  void it('lets a download right after it start with RETR (no SIZE or MDTM again)', async () => {
    const entry = await remote.stat('/pub/many/f-0100.txt');
    const before = (await server.commandsReceived()).length;
    const local = fs.mkdtempSync(path.join(server.root, '..', 'download-'));
    await remote.download('/pub/many/f-0100.txt', path.join(local, 'f.txt'));
    assert.equal(fs.readFileSync(path.join(local, 'f.txt'), 'utf8'), 'x'.repeat(100));
    assert.equal(fs.statSync(path.join(local, 'f.txt')).mtimeMs, entry.mtimeMs);
    const after = (await server.commandsReceived()).slice(before);
    assert.deepEqual(after.filter((command) => /^(SIZE|MDTM|LIST)\b/.test(command)), [], after.join(' | '));
  });

  void it('finds a name with glob characters in its folder instead of letting the server expand it', async () => {
    // `a[1].txt` as a LIST pattern would match `a1.txt`.
    fs.writeFileSync(path.join(many, 'a1.txt'), 'one');
    fs.writeFileSync(path.join(many, 'a[1].txt'), 'bracketed');
    const entry = await remote.stat('/pub/many/a[1].txt');
    assert.equal(entry.name, 'a[1].txt');
    assert.equal(entry.size, 'bracketed'.length);
    assert.equal(entry.mode, 0o644);
  });

  void it('tells a folder and a missing path', async () => {
    assert.equal((await remote.stat('/pub/many')).kind, EntryKind.DIRECTORY);
    await assert.rejects(remote.stat('/pub/many/absent.txt'), (error) => error instanceof FerryError && error.code === ErrorCode.NOT_FOUND);
  });
});

void describe('FTP stat with MLST (ProFTPD)', { skip: skipUnlessPresent('ProFTPD', PROFTPD_BINARY) }, () => {
  let server: PrivateProftpd;
  let remote: Remote;

  before(async () => {
    server = await startProftpd();
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
  });
  after(async () => {
    await remote?.quit();
    await server?.stop();
  });

  void it('describes a file in a folder the session may enter but not list', async () => {
    const hidden = path.join(server.pub, 'hidden');
    fs.mkdirSync(hidden);
    fs.chmodSync(hidden, 0o711);
    fs.writeFileSync(path.join(hidden, 'known.txt'), 'only by name');
    fs.chmodSync(path.join(hidden, 'known.txt'), 0o640 | 0o004);
    const entry = await remote.stat('/pub/hidden/known.txt');
    assert.equal(entry.kind, EntryKind.FILE);
    assert.equal(entry.size, 'only by name'.length);
    assert.equal(entry.mode, 0o644);
    assert.equal(entry.mtimeMs, startOfSecond(fs.statSync(path.join(hidden, 'known.txt')).mtimeMs));
    assert.equal(entry.mtimeResolutionMs, 1000);
    // The folder's listing has nothing to say about it (ProFTPD lists an unreadable folder as empty).
    assert.deepEqual(await remote.list('/pub/hidden').catch(() => []), []);
  });
});
