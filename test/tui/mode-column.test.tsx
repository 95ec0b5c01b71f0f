/** The permissions column: off by default, M shows it, left out only when the name would get too narrow. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatMode, formatRow, formatTitles } from '../../src/tui/format.js';
import { MODE_WIDTH, NAME_MIN, planColumns } from '../../src/tui/layout.js';
import { EntryKind } from '../../src/protocol/messages.js';
import { startTestServer } from '../helpers/server.js';
import { loopback, renderApp, waitForFrame } from '../helpers/ink.js';

void test('formatMode writes the bits as ls does', () => {
  assert.equal(formatMode(0o644), 'rw-r--r--');
  assert.equal(formatMode(0o755), 'rwxr-xr-x');
  assert.equal(formatMode(0o4755), 'rwsr-xr-x');
  assert.equal(formatMode(0o2640), 'rw-r-S---');
  assert.equal(formatMode(0o1777), 'rwxrwxrwt');
});

void test('the mode column is asked for, and left out only when the name would get too narrow', () => {
  assert.equal(planColumns(80).mode, undefined);
  assert.equal(planColumns(80, true).mode, MODE_WIDTH);
  assert.equal(planColumns(80, true).name, planColumns(80).name - MODE_WIDTH - 1);
  const narrow = planColumns(NAME_MIN + 2 + 5, true);
  assert.equal(narrow.mode, 0);
  const entry = { name: 'run.sh', kind: EntryKind.FILE, size: 10, mtimeMs: 0, mode: 0o750 };
  assert.match(formatRow(entry, 60, false, 0, true), / rwxr-x---$/);
  assert.match(formatTitles(60, '(name↑)', true), / Mode +$|Mode$/);
  assert.doesNotMatch(formatRow(entry, 60, false, 0), /rwx/);
});

void test('M shows the permission bits of the remote listing, and hides them again', async () => {
  const local = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-mode-local-'));
  const remoteRoot = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-mode-remote-'));
  await fs.writeFile(path.join(remoteRoot, 'tool.sh'), 'x');
  await fs.chmod(path.join(remoteRoot, 'tool.sh'), 0o754);
  const server = await startTestServer({ root: remoteRoot });
  const app = renderApp(local, { initial: loopback(server.port) });
  try {
    const before = await waitForFrame(app.lastFrame, (f) => f.includes('connected 127.0.0.1') && f.includes('tool.sh'));
    assert.doesNotMatch(before, /rwxr-xr--/);
    app.stdin.write('M');
    await waitForFrame(app.lastFrame, (f) => f.includes('rwxr-xr--') && f.includes('Mode'));
    app.stdin.write('M');
    await waitForFrame(app.lastFrame, (f) => !f.includes('rwxr-xr--'));
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(local, { recursive: true, force: true });
    await fs.rm(remoteRoot, { recursive: true, force: true });
  }
});
