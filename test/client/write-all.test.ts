/**
 * writeAll and writevAll land every byte at its position: the FTP kind's
 * file writer hands writevAll what arrived while the last write was on the
 * disk, in pieces of any size.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { openFd, writeAll, writevAll } from '../../src/client/local-files.js';

void describe('writeAll and writevAll', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferry-write-all-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  void it('writes the pieces one after the other at the position, after what is there', async () => {
    const file = path.join(dir, 'pieces');
    const fd = await openFd(file, 'w', 0o600);
    try {
      await writeAll(fd, Buffer.from('head:'), 0);
      const pieces = [Buffer.from('one,'), Buffer.alloc(0), Buffer.alloc(300_000, 0x61), Buffer.from(',three')];
      await writevAll(fd, pieces, 5);
    } finally {
      fs.closeSync(fd);
    }
    assert.deepEqual(fs.readFileSync(file), Buffer.concat([Buffer.from('head:one,'), Buffer.alloc(300_000, 0x61), Buffer.from(',three')]));
  });

  void it('rejects with the system\'s error when the descriptor cannot be written', async () => {
    const file = path.join(dir, 'read-only');
    fs.writeFileSync(file, '');
    const fd = fs.openSync(file, 'r');
    try {
      await assert.rejects(writevAll(fd, [Buffer.from('a'), Buffer.from('b')], 0), { code: 'EBADF' });
    } finally {
      fs.closeSync(fd);
    }
  });
});
