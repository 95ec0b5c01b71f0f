/**
 * retrieveBulk against a private vsftpd: a large file is read into one
 * reused buffer (each piece a view of it, at most 1 MiB), from an offset
 * with REST, held back while the receiver waits (a rate limit), stopped by
 * the receiver's error, and left to downloadTo where
 * it does not apply (EPSV refused), where the download still lands whole.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'basic-ftp';
import { openRemote } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { retrieveBulk } from '../../src/remote/ftp/ftp-retrieve.js';
import { writePattern } from '../client/files.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const skip = skipUnlessInstalled('vsftpd');
const makeTemp = tempFolderMaker();
const SIZE = 5 * 1024 * 1024 + 123;

async function loggedIn(server: PrivateVsftpd): Promise<Client> {
  const client = new Client(10_000);
  await client.access({ host: server.host, port: server.port, user: 'anonymous', password: 'test@ferry.invalid' });
  return client;
}

void describe('FTP bulk download (retrieveBulk)', { skip }, () => {
  let server: PrivateVsftpd;
  let content: Buffer;

  before(async () => {
    server = await startVsftpd();
    content = writePattern(path.join(server.pub, 'large.bin'), SIZE);
  });
  after(() => server?.stop());

  void it('reads the whole file into one reused buffer, a piece of at most 1 MiB at a time', async () => {
    const client = await loggedIn(server);
    try {
      const pieces: Buffer[] = [];
      const backing = new Set<ArrayBufferLike>();
      const reply = await retrieveBulk(client, '/pub/large.bin', 0, (chunk) => {
        backing.add(chunk.buffer);
        assert.ok(chunk.length <= 1024 * 1024);
        pieces.push(Buffer.from(chunk));
        return undefined;
      });
      assert.equal(reply?.code, 226);
      assert.equal(backing.size, 1, 'every piece is a view of the same buffer');
      assert.ok(Buffer.concat(pieces).equals(content));
    } finally {
      client.close();
    }
  });

  void it('starts at an offset with REST', async () => {
    const client = await loggedIn(server);
    try {
      const pieces: Buffer[] = [];
      const offset = 3 * 1024 * 1024 + 7;
      await retrieveBulk(client, '/pub/large.bin', offset, (chunk) => {
        pieces.push(Buffer.from(chunk));
        return undefined;
      });
      assert.ok(Buffer.concat(pieces).equals(content.subarray(offset)));
    } finally {
      client.close();
    }
  });

  void it('reads nothing more while the receiver\'s promise is pending (a rate limit), then goes on', async () => {
    const client = await loggedIn(server);
    try {
      const pieces: Buffer[] = [];
      let holding = false;
      let whileHeld = 0;
      await retrieveBulk(client, '/pub/large.bin', 0, (chunk) => {
        if (holding) whileHeld++;
        pieces.push(Buffer.from(chunk));
        if (pieces.length % 2 === 0) return undefined;
        holding = true;
        return new Promise<void>((resolve) => setTimeout(() => {
          holding = false;
          resolve();
        }, 20));
      });
      assert.equal(whileHeld, 0);
      assert.ok(pieces.length > 2);
      assert.ok(Buffer.concat(pieces).equals(content));
    } finally {
      client.close();
    }
  });

  void it('stops when the receiver\'s promise rejects', async () => {
    const client = await loggedIn(server);
    const cancelled = new Error('cancelled');
    await assert.rejects(retrieveBulk(client, '/pub/large.bin', 0, () => Promise.reject(cancelled)), (error) => error === cancelled);
    assert.equal(client.closed, true);
  });

  void it('stops with the receiver\'s error and closes the connection', async () => {
    const client = await loggedIn(server);
    const full = new Error('ENOSPC: no space left on device');
    let taken = 0;
    await assert.rejects(retrieveBulk(client, '/pub/large.bin', 0, (chunk) => {
      taken += chunk.length;
      return taken > 1024 * 1024 ? full : undefined;
    }), (error) => error === full);
    assert.equal(client.closed, true);
  });

  void it('rejects a missing file with the server\'s reply', async () => {
    const client = await loggedIn(server);
    try {
      await assert.rejects(retrieveBulk(client, '/pub/absent.bin', 0, () => undefined), /550/);
    } finally {
      client.close();
    }
  });
});

void describe('FTP download where the bulk read does not apply', { skip }, () => {
  let server: PrivateVsftpd;

  before(async () => {
    server = await startVsftpd({ deniedCommands: ['EPSV'], logCommands: true });
  });
  after(() => server?.stop());

  void it('answers undefined when EPSV is refused (once per connection), and the download goes through PASV whole', async () => {
    const content = writePattern(path.join(server.pub, 'pasv.bin'), 2 * 1024 * 1024 + 5);
    const client = await loggedIn(server);
    try {
      assert.equal(await retrieveBulk(client, '/pub/pasv.bin', 0, () => undefined), undefined);
      const asked = (await server.commandsReceived()).filter((command) => command === 'EPSV').length;
      assert.equal(await retrieveBulk(client, '/pub/pasv.bin', 0, () => undefined), undefined);
      assert.equal((await server.commandsReceived()).filter((command) => command === 'EPSV').length, asked, 'not asked again');
    } finally {
      client.close();
    }
    const local = await makeTemp('ferry-ftp-bulk-');
    const remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
    try {
      await remote.download('/pub/pasv.bin', path.join(local, 'pasv.bin'));
      assert.ok(fs.readFileSync(path.join(local, 'pasv.bin')).equals(content));
    } finally {
      await remote.quit();
    }
  });
});
