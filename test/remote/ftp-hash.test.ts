/**
 * The FTP kind with a server that hashes files itself: a private ProFTPD
 * with mod_digest (XSHA256, HASH). Sessions say `size+sha256`; uploads and
 * downloads are checked against the server's SHA-256 before they are renamed
 * into place, and bytes that differ from the server's file fail with
 * HASH_MISMATCH and leave nothing under the final name.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'basic-ftp';
import { RateLimit } from '../../src/client/rate-limit.js';
import { ErrorCode, isFerryError } from '../../src/protocol/errors.js';
import { openRemote } from '../../src/remote/open-remote.js';
import type { Remote } from '../../src/remote/remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { checkSha256, sha256CommandOf, sha256InReply } from '../../src/remote/ftp/ftp-hash.js';
import { runFerryBinary } from '../helpers/ferry-command.js';
import { PROFTPD_BINARY, startProftpd, type PrivateProftpd } from '../helpers/proftpd.js';
import { skipUnlessPresent } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const makeTemp = tempFolderMaker();
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

void describe('FTP server hash commands', () => {
  void it('finds the SHA-256 command in FEAT and the hash in either reply', () => {
    assert.equal(sha256CommandOf(new Map([['XSHA256', ''], ['HASH', 'SHA-1*;SHA-256']])), 'XSHA256');
    assert.equal(sha256CommandOf(new Map([['HASH', 'CRC32;MD5;SHA-1*;SHA-256;SHA-512;']])), 'HASH');
    assert.equal(sha256CommandOf(new Map([['HASH', 'SHA-1*;MD5']])), undefined);
    assert.equal(sha256CommandOf(new Map([['MDTM', '']])), undefined);
    const hex = '5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03';
    assert.equal(sha256InReply(`Computing SHA256 digest\n${hex.toUpperCase()}`)?.toString('hex'), hex);
    assert.equal(sha256InReply(`SHA-256 0-6 ${hex} /pub/a.txt`)?.toString('hex'), hex);
    assert.equal(sha256InReply('Computing SHA256 digest'), undefined);
  });
});

void describe('FTP against a server that hashes (ProFTPD with mod_digest)', { skip: skipUnlessPresent('ProFTPD', PROFTPD_BINARY) }, () => {
  let server: PrivateProftpd;
  let remote: Remote;
  let local: string;

  before(async () => {
    server = await startProftpd();
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
    local = await makeTemp('ferry-ftp-hash-');
  });
  after(async () => {
    await remote?.quit();
    await server?.stop();
  });

  void it('says size+sha256, and a file goes up and comes down checked', async () => {
    assert.equal(remote.description.verification, 'size+sha256');
    const content = Buffer.alloc(300_000, 7);
    content.write('first line\n');
    fs.writeFileSync(path.join(local, 'up.bin'), content);
    await remote.upload(path.join(local, 'up.bin'), '/pub/up.bin');
    assert.equal(sha256(fs.readFileSync(path.join(server.pub, 'up.bin'))), sha256(content));
    await remote.download('/pub/up.bin', path.join(local, 'down.bin'));
    assert.equal(sha256(fs.readFileSync(path.join(local, 'down.bin'))), sha256(content));
  });

  void it('HASH (the draft standard\'s command) answers too, again on the same connection, and a difference is HASH_MISMATCH', async () => {
    // The kind prefers XSHA256 where both are offered, as here: HASH is asked directly.
    const content = Buffer.from('hashed by HASH\n');
    fs.writeFileSync(path.join(server.pub, 'by-hash.txt'), content);
    const client = new Client(10_000);
    try {
      await client.access({ host: '127.0.0.1', port: server.port, user: 'anonymous', password: 'test@ferry.invalid' });
      const own = createHash('sha256').update(content).digest();
      await checkSha256(client, 'HASH', '/pub/by-hash.txt', Promise.resolve(own));
      await checkSha256(client, 'HASH', '/pub/by-hash.txt', Promise.resolve(own));
      await assert.rejects(checkSha256(client, 'HASH', '/pub/by-hash.txt', Promise.resolve(Buffer.alloc(32))),
        (error) => isFerryError(error, ErrorCode.HASH_MISMATCH));
    } finally {
      client.close();
    }
  });

  void it('ferry get and put print checked: size+sha256', async () => {
    fs.writeFileSync(path.join(local, 'cli.txt'), 'from the command line\n');
    const home = await makeTemp('ferry-ftp-hash-home-');
    const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config') };
    const put = await runFerryBinary(['put', path.join(local, 'cli.txt'), `${server.origin}/pub/cli.txt`], env);
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /checked: size\+sha256$/m);
    const get = await runFerryBinary(['get', `${server.origin}/pub/cli.txt`, path.join(local, 'cli-back.txt')], env);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /checked: size\+sha256$/m);
  });

  void it('bytes that are not the server\'s file fail with HASH_MISMATCH and land nowhere', async () => {
    // The server's file is replaced (same size, other bytes) while a slow download reads the old one: the
    // bytes that arrive are complete but not what the server now holds.
    const size = 3 * 1024 * 1024;
    fs.writeFileSync(path.join(server.pub, 'moving.bin'), Buffer.alloc(size, 1));
    const target = path.join(local, 'moving.bin');
    let replaced = false;
    const downloading = remote.download('/pub/moving.bin', target, {
      rateLimit: new RateLimit(1024 * 1024),
      onProgress: ({ bytes }) => {
        if (replaced || bytes === 0) return;
        replaced = true;
        const next = path.join(server.pub, 'moving.next');
        fs.writeFileSync(next, Buffer.alloc(size, 2));
        fs.renameSync(next, path.join(server.pub, 'moving.bin'));
      },
    });
    await assert.rejects(downloading, (error: unknown) => isFerryError(error, ErrorCode.HASH_MISMATCH));
    assert.ok(replaced, 'the file was replaced during the download');
    assert.equal(fs.existsSync(target), false, 'nothing under the final name');
    assert.deepEqual(fs.readdirSync(local).filter((name) => name.startsWith('.moving')), [], 'no partial file to resume from');
  });
});
