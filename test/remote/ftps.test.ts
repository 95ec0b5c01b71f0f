/**
 * FTPS (explicit AUTH TLS) against a private vsftpd with a self-signed
 * certificate that requires TLS for logins and data: the certificate goes
 * through trust on first use like ferrys:// (asked once, remembered in
 * Ferry's known_hosts, a changed one refused with TRUST without asking), and
 * transfers on several pooled connections run over TLS data connections.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultKnownHostsFile, openKnownHosts } from '../../src/client/known-hosts.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { openRemote, type PresentedKey } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { patternBytes } from '../client/files.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const skip = skipUnlessInstalled('vsftpd');
const makeTemp = tempFolderMaker();

function code(expected: number) {
  return (error: unknown): boolean => {
    if (error instanceof FerryError && error.code === expected) return true;
    throw error;
  };
}

void describe('FTPS against vsftpd with a self-signed certificate', { skip }, () => {
  let server: PrivateVsftpd;
  let local: string;

  before(async () => {
    server = await startVsftpd({ tls: true, passwordUser: true });
    local = await makeTemp('ferry-ftps-local-');
  });
  after(() => server?.stop());

  async function freshEnv(): Promise<NodeJS.ProcessEnv> {
    return { XDG_CONFIG_HOME: await makeTemp('ferry-ftps-config-') };
  }

  void it('asks about an unknown certificate once, remembers it, and moves files over TLS', async () => {
    const env = await freshEnv();
    const asked: PresentedKey[] = [];
    const verifyNewKey = (key: PresentedKey): Promise<boolean> => {
      asked.push(key);
      return Promise.resolve(true);
    };
    const remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`), { env, verifyNewKey });
    try {
      assert.deepEqual(asked, [{ kind: 'tls', host: '127.0.0.1', port: server.port, fingerprint: server.fingerprint }]);
      assert.equal(remote.description.encrypted, true);
      assert.equal(remote.description.fingerprint, server.fingerprint);
      assert.equal(await openKnownHosts(defaultKnownHostsFile(env)).lookup('127.0.0.1', server.port), server.fingerprint);

      // Several at once: new pooled connections are held to the same certificate without asking again.
      const names = ['a', 'b', 'c', 'd'];
      for (const [i, name] of names.entries()) fs.writeFileSync(path.join(server.pub, name), patternBytes(200_000, i + 1));
      await Promise.all(names.map((name) => remote.download(`/pub/${name}`, path.join(local, name))));
      for (const [i, name] of names.entries()) assert.deepEqual(fs.readFileSync(path.join(local, name)), patternBytes(200_000, i + 1));
      const source = path.join(local, 'a');
      await remote.upload(source, '/pub/uploaded');
      assert.deepEqual(fs.readFileSync(path.join(server.pub, 'uploaded')), patternBytes(200_000, 1));
      assert.ok((await remote.list('/pub')).some((entry) => entry.name === 'uploaded'));
      assert.equal(asked.length, 1);
    } finally {
      await remote.quit();
    }

    const again = await openRemote(parseRemoteUrl(`${server.origin}/pub`), { env, verifyNewKey });
    again.close();
    assert.equal(asked.length, 1, 'a remembered certificate is not asked about again');
  });

  void it('refuses an unknown certificate that is not trusted, remembering nothing', async () => {
    const env = await freshEnv();
    await assert.rejects(openRemote(parseRemoteUrl(server.origin), { env }), code(ErrorCode.TRUST));
    await assert.rejects(
      openRemote(parseRemoteUrl(server.origin), { env, verifyNewKey: () => Promise.resolve(false) }),
      code(ErrorCode.TRUST),
    );
    assert.equal(await openKnownHosts(defaultKnownHostsFile(env)).lookup('127.0.0.1', server.port), undefined);
  });

  void it('refuses a changed certificate with TRUST without asking', async () => {
    const env = await freshEnv();
    const other = 'AA:'.repeat(31) + 'AA';
    await openKnownHosts(defaultKnownHostsFile(env)).remember('127.0.0.1', server.port, other);
    let asked = false;
    await assert.rejects(
      openRemote(parseRemoteUrl(server.origin), {
        env,
        verifyNewKey: () => {
          asked = true;
          return Promise.resolve(true);
        },
      }),
      (error: unknown) => code(ErrorCode.TRUST)(error) && /CHANGED/.test((error as Error).message),
    );
    assert.equal(asked, false);
    assert.equal(await openKnownHosts(defaultKnownHostsFile(env)).lookup('127.0.0.1', server.port), other);
  });

  void it('logs in with a password over TLS, and refuses a wrong one with AUTH', async () => {
    const env = await freshEnv();
    const user = server.user!;
    const verifyNewKey = (): Promise<boolean> => Promise.resolve(true);
    const remote = await openRemote(parseRemoteUrl(`ftps://${user.name}@127.0.0.1:${server.port}/`), {
      env, verifyNewKey, password: user.password,
    });
    try {
      assert.equal(remote.description.user, user.name);
      assert.deepEqual(await remote.list('/'), []);
    } finally {
      await remote.quit();
    }
    await assert.rejects(
      openRemote(parseRemoteUrl(`ftps://${user.name}:nope@127.0.0.1:${server.port}/`), { env, verifyNewKey }),
      code(ErrorCode.AUTH),
    );
  });

  void it('plain ftp:// to a server that requires TLS is refused with AUTH', async () => {
    await assert.rejects(openRemote(parseRemoteUrl(`ftp://127.0.0.1:${server.port}/`)), code(ErrorCode.AUTH));
  });
});
