/**
 * Sync places over the Remote interface against real ferryds: server to
 * server through `ferry sync`, `--checksum` on a kind without server-side
 * hashes (the content is read), and a big file whose upload was cut off
 * half-way continuing from the server's temporary file on the next run.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { FerryClient } from '../../src/client/client.js';
import { SYNC_CHANGED_EXIT } from '../../src/cli/sync-command.js';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import type { Remote, RemoteFeatures } from '../../src/remote/remote.js';
import { LocalPlace } from '../../src/sync/local-place.js';
import { RemotePlace } from '../../src/sync/remote-place.js';
import { runSync } from '../../src/sync/run-sync.js';
import { runFerryBinary, type FerryRun } from '../helpers/ferry-command.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { removeTempFolder, tempFolderSync } from '../helpers/temp-folders.js';
import {
  contentTransfers, ferry, mtimeOf, readTree, startLoggedServer, T0, writeTree, type LoggedRequest,
} from './sync-helpers.js';

/** The session as a kind that cannot hash on the server (as SFTP and FTP): `checksums` refuses. */
function withoutServerHashes(client: FerryClient): Remote {
  const features: RemoteFeatures = { ...client.features, checksums: false };
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'features') return features;
      if (property === 'checksums') return () => Promise.reject(new FerryError(ErrorCode.UNSUPPORTED, 'no server hashes'));
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

void describe('sync over Remote', () => {
  let server: TestServer & { requests: LoggedRequest[] };
  let other: TestServer;
  let local: string;
  let n = 0;
  let name: string;

  before(async () => {
    server = await startLoggedServer();
    other = await startTestServer();
    local = tempFolderSync('ferry-sync-remotes-');
  });
  after(async () => {
    await server.cleanup();
    await other.cleanup();
    await removeTempFolder(local);
  });
  beforeEach(() => {
    name = `t${++n}`;
    server.requests.length = 0;
  });

  void it('syncs one server to another, keeping mtimes, deleting with --delete, then finds them in sync', async () => {
    const from = path.join(server.root, name);
    const to = path.join(other.root, name);
    writeTree(from, { 'a.txt': 'alpha', 'sub/deep/b.txt': 'beta', 'big.bin': Buffer.alloc(2 << 20, 3) });
    fs.mkdirSync(path.join(from, 'empty'));
    writeTree(to, { 'a.txt': 'stale!', 'extra.txt': 'only there' });
    const run = await ferry('sync', '--delete', `${server.url}/${name}`, `${other.url}/${name}`);
    assert.equal(run.code, SYNC_CHANGED_EXIT, run.stderr);
    assert.match(run.stdout, /^synced: 2 created, 1 updated, 1 deleted, 3 folders made/m);
    assert.deepEqual(readTree(to), readTree(from));
    assert.ok(fs.statSync(path.join(to, 'empty')).isDirectory());
    assert.equal(mtimeOf(path.join(to, 'sub/deep/b.txt')), T0.getTime(), 'the source mtime, not the relay copy\'s');
    const again = await ferry('sync', '--delete', `${server.url}/${name}`, `${other.url}/${name}`);
    assert.deepEqual([again.code, again.stdout], [0, 'in sync\n']);
  });

  void it('takes a saved connection (@NAME/path) for either side, as every command does', async () => {
    const home = tempFolderSync('ferry-sync-home-');
    try {
      const user = (args: string[]): Promise<FerryRun> => runFerryBinary(args, { HOME: home, XDG_CONFIG_HOME: '', FERRY_PASSWORD: '' });
      assert.equal((await user(['bookmark', 'add', 'backup', `${other.url}/saved`])).code, 0);
      const localDir = path.join(local, name);
      writeTree(localDir, { 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
      const run = await user(['sync', localDir, `@backup/${name}`]);
      assert.equal(run.code, SYNC_CHANGED_EXIT, run.stderr);
      assert.deepEqual(readTree(path.join(other.root, 'saved', name)), readTree(localDir));
      const back = await user(['sync', '--dry-run', `@backup/${name}`, localDir]);
      assert.deepEqual([back.code, back.stdout], [0, 'in sync\n']);
    } finally {
      await removeTempFolder(home);
    }
  });

  void it('--checksum on a kind without server hashes reads each file to hash it, and finds a same-size change', async () => {
    const remoteDir = path.join(server.root, name);
    const localDir = path.join(local, name);
    writeTree(remoteDir, { 'a.txt': 'same size A', 'b.txt': 'unchanged' });
    writeTree(localDir, { 'a.txt': 'same size B', 'b.txt': 'unchanged' });
    const client = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const remote = new RemotePlace(withoutServerHashes(client), `/${name}`, 'no-hash remote');
      const quick = await runSync(new LocalPlace(localDir), remote, { dryRun: true });
      assert.equal(quick.changed, false, 'the quick check sees nothing');
      server.requests.length = 0;
      const checked = await runSync(new LocalPlace(localDir), remote, { checksum: true });
      assert.deepEqual(checked.plan.update.map((entry) => entry.path), ['a.txt']);
      assert.equal(server.requests.some((r) => r.request.startsWith('SUMS')), false, 'no SUMS asked');
      // Both same-size files were read through the session to be hashed, then a.txt was sent.
      assert.deepEqual(
        contentTransfers(server.requests).requests.filter((r) => r.startsWith('DWLD')).sort(),
        [`DWLD /${name}/a.txt offset=0`, `DWLD /${name}/b.txt offset=0`],
      );
      assert.equal(readTree(remoteDir)['a.txt'], 'same size B');
    } finally {
      await client.quit();
    }
  });

  void it('an upload cut off half-way through a big file continues from the server\'s temporary file', async () => {
    const localDir = path.join(local, name);
    const size = 24 << 20;
    const big = Buffer.alloc(size);
    for (let at = 0; at < size; at += 4) big.writeUInt32LE((at * 2654435761) >>> 0, at);
    writeTree(localDir, { 'big.bin': big, 'small.txt': 'small' });
    const first = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    await assert.rejects(runSync(new LocalPlace(localDir), new RemotePlace(first, `/${name}`, 'cut'), {
      progressIntervalMs: 0,
      // The connection drops (as when the network goes) once a third of the big file is on its way.
      onProgress: (p) => {
        if (p.bytesDone > size / 3) first.close('cut for the test');
      },
    }), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.CONNECTION_LOST);
    // The server notices the drop and ends the session, letting the upload go (its temporary file stays).
    while (server.server.sessionCount > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(fs.existsSync(path.join(server.root, name, 'big.bin')), false, 'no partial file under the final name');

    server.requests.length = 0;
    const second = await FerryClient.connect({ host: '127.0.0.1', port: server.port });
    try {
      const rest = await runSync(new LocalPlace(localDir), new RemotePlace(second, `/${name}`, 'rerun'), {});
      assert.ok(rest.bytes > 0 && rest.bytes < size, `the rerun sent ${rest.bytes} B of the ${size} B file`);
      const upload = server.requests.find((r) => r.request.startsWith(`UPLD /${name}/big.bin`));
      assert.ok(upload, 'the big file went by UPLD');
      assert.match(upload.request, /flags=3$/, 'overwrite and resume');
      assert.ok((upload.bytes ?? size) < size, `the server received ${upload.bytes} B`);
    } finally {
      await second.quit();
    }
    assert.equal(sha256(fs.readFileSync(path.join(server.root, name, 'big.bin'))), sha256(big), 'the content is whole');
    assert.equal(mtimeOf(path.join(server.root, name, 'big.bin')), T0.getTime());
  });
});
