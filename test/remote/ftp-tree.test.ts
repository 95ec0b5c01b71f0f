/**
 * Trees over FTP (src/remote/file-by-file-tree.ts on the FTP kind's pooled
 * single-file transfers) against a private vsftpd: a nested tree up and back
 * down byte for byte, a recursive listing, the conflict rule, and subsets.
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
import { patternBytes } from '../client/files.js';
import { skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';
import { startVsftpd, type PrivateVsftpd } from '../helpers/vsftpd.js';

const skip = skipUnlessInstalled('vsftpd');
const makeTemp = tempFolderMaker();

/** Every file below `top` as relative path → content, and every folder. */
function snapshot(top: string): { files: Map<string, Buffer>; folders: string[] } {
  const files = new Map<string, Buffer>();
  const folders: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of fs.readdirSync(path.join(top, relative), { withFileTypes: true })) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        folders.push(child);
        walk(child);
      } else {
        files.set(child, fs.readFileSync(path.join(top, child)));
      }
    }
  };
  walk('');
  return { files, folders: folders.sort() };
}

void describe('FTP trees against vsftpd', { skip }, () => {
  let server: PrivateVsftpd;
  let remote: Remote;
  let source: string;

  before(async () => {
    server = await startVsftpd();
    remote = await openRemote(parseRemoteUrl(`${server.origin}/pub`));
    source = await makeTemp('ferry-ftp-tree-src-');
    for (let folder = 0; folder < 4; folder++) {
      fs.mkdirSync(path.join(source, `d${folder}`, 'inner'), { recursive: true });
      for (let file = 0; file < 10; file++) {
        fs.writeFileSync(path.join(source, `d${folder}`, `f${file}.bin`), patternBytes(1000 * file + folder, folder * 100 + file + 1));
      }
      fs.writeFileSync(path.join(source, `d${folder}`, 'inner', 'big.bin'), patternBytes(400_000 + folder, folder + 50));
    }
    fs.mkdirSync(path.join(source, 'empty'));
    fs.writeFileSync(path.join(source, 'top.txt'), 'top');
  });
  after(async () => {
    remote?.close();
    await server?.stop();
  });

  void it('a resumed tree, up or down, leaves alone what an earlier run landed: LIST dates it to the minute, MDTM to the second', async () => {
    const up = await remote.uploadTree(source, '/pub/resumed');
    assert.equal(up.files, 4 * 11 + 1);
    fs.writeFileSync(path.join(source, 'top.txt'), 'TOP'); // same size, a later time: sent again
    const future = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(source, 'top.txt'), future, future);
    const upAgain = await remote.uploadTree(source, '/pub/resumed', { resume: true, overwrite: true });
    assert.equal(upAgain.files, 1, 'only the changed file goes up again');
    assert.deepEqual(snapshot(path.join(server.pub, 'resumed')), snapshot(source));

    const target = path.join(await makeTemp('ferry-ftp-tree-resume-'), 'copy');
    await remote.downloadTree('/pub/resumed', target);
    fs.rmSync(path.join(target, 'd1', 'f3.bin'));
    const downAgain = await remote.downloadTree('/pub/resumed', target, { resume: true, overwrite: true });
    assert.equal(downAgain.files, 1, 'only the missing file comes down again');
    assert.deepEqual(snapshot(target), snapshot(source));
  });

  void it('uploads a tree and downloads it back byte for byte', async () => {
    const up = await remote.uploadTree(source, '/pub/tree');
    assert.equal(up.files, 4 * 11 + 1);
    assert.deepEqual(snapshot(path.join(server.pub, 'tree')), snapshot(source));

    const listed = await remote.list('/pub/tree', { recursive: true });
    assert.ok(listed.some((entry) => entry.name === 'd2/inner/big.bin' && entry.kind === EntryKind.FILE && entry.size === 400_002));
    assert.ok(listed.some((entry) => entry.name === 'empty' && entry.kind === EntryKind.DIRECTORY));

    const target = path.join(await makeTemp('ferry-ftp-tree-dst-'), 'copy');
    const down = await remote.downloadTree('/pub/tree', target);
    assert.equal(down.files, 4 * 11 + 1);
    assert.equal(down.bytes, up.bytes);
    assert.deepEqual(snapshot(target), snapshot(source));
  });

  void it('refuses to replace files of a tree without overwrite', async () => {
    await assert.rejects(remote.uploadTree(source, '/pub/tree'), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.EXISTS);
    await remote.uploadTree(source, '/pub/tree', { overwrite: true });
    assert.deepEqual(snapshot(path.join(server.pub, 'tree')), snapshot(source));
  });

  void it('moves subsets of a tree both ways', async () => {
    const subset = {
      folders: ['d1', 'd1/inner'],
      files: [
        { relative: 'd1/f3.bin', size: fs.statSync(path.join(source, 'd1/f3.bin')).size },
        { relative: 'd1/inner/big.bin', size: fs.statSync(path.join(source, 'd1/inner/big.bin')).size },
      ],
    };
    await remote.uploadSubset(source, '/pub/subset', subset);
    assert.deepEqual([...snapshot(path.join(server.pub, 'subset')).files.keys()].sort(), ['d1/f3.bin', 'd1/inner/big.bin']);
    const target = await makeTemp('ferry-ftp-subset-');
    await remote.downloadSubset('/pub/tree', target, subset);
    const got = snapshot(target);
    assert.deepEqual([...got.files.keys()].sort(), ['d1/f3.bin', 'd1/inner/big.bin']);
    assert.deepEqual(got.files.get('d1/inner/big.bin'), fs.readFileSync(path.join(source, 'd1/inner/big.bin')));
  });
});
