/**
 * Comparing two files' times when a kind knows them only coarsely (SFTP and
 * MDTM to the second, an FTP LIST line to the minute or the day).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareFileTimes, sameFileTime } from '../../src/protocol/file-times.js';

const at = Date.UTC(2024, 2, 1, 12, 34, 56, 537);
const MINUTE = 60_000;

void test('compareFileTimes compares to the coarser resolution of the two', () => {
  assert.equal(compareFileTimes({ mtimeMs: at }, { mtimeMs: at - 537, mtimeResolutionMs: 1000 }), 0, 'the same second');
  assert.equal(compareFileTimes({ mtimeMs: at }, { mtimeMs: at + 1 }), -1, 'to the millisecond on both sides');
  assert.equal(compareFileTimes({ mtimeMs: at + 1000 }, { mtimeMs: at - 537, mtimeResolutionMs: 1000 }), 1, 'a later second is newer');
  assert.equal(compareFileTimes({ mtimeMs: at - 56_537, mtimeResolutionMs: MINUTE }, { mtimeMs: at }), 0, 'within the listed minute');
  assert.equal(compareFileTimes({ mtimeMs: at - 56_537, mtimeResolutionMs: MINUTE }, { mtimeMs: at + MINUTE }), -1);
});

void test('sameFileTime holds only where both are known to the second at least', () => {
  assert.equal(sameFileTime({ mtimeMs: at }, { mtimeMs: at - 537, mtimeResolutionMs: 1000 }), true);
  assert.equal(sameFileTime({ mtimeMs: at }, { mtimeMs: at }), true);
  assert.equal(sameFileTime({ mtimeMs: at }, { mtimeMs: at + 1 }), false);
  assert.equal(sameFileTime({ mtimeMs: at - 56_537, mtimeResolutionMs: MINUTE }, { mtimeMs: at }), false, 'the minute agrees, the second is unknown');
});
