/**
 * Every dialog is a closed frame over the panes: each of its lines as wide as
 * the frame, as many lines as it has rows, and the whole of it on the screen,
 * down to the smallest terminal the UI draws on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import React from 'react';
import { Box, Text } from 'ink';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { InputDialog } from '../../src/tui/components/InputDialog.js';
import { ConfirmDialog } from '../../src/tui/components/ConfirmDialog.js';
import { ConflictDialog } from '../../src/tui/components/ConflictDialog.js';
import { TrustDialog } from '../../src/tui/components/TrustDialog.js';
import { ConnectDialog } from '../../src/tui/components/ConnectDialog.js';
import { HelpOverlay, helpScrollLimit } from '../../src/tui/components/HelpOverlay.js';
import { MessageLog } from '../../src/tui/components/MessageLog.js';
import { patternDialog, patternDialogModule } from '../../src/tui/dialogs/pattern-dialog.js';
import { copyDialog, copyDialogModule } from '../../src/tui/dialogs/copy-dialog.js';
import type { DialogHost } from '../../src/tui/dialogs/dialog.js';
import { textField } from '../../src/tui/state/text-field.js';
import { transfersReducer, initialTransfersState, type TransferItem } from '../../src/tui/state/transfers.js';
import { MIN_COLUMNS, MIN_ROWS } from '../../src/tui/layout.js';

type Screen = { columns: number; rows: number };

const screens: Screen[] = [
  { columns: MIN_COLUMNS, rows: MIN_ROWS },
  { columns: 60, rows: 15 },
  { columns: 80, rows: 24 },
  { columns: 200, rows: 50 },
];

/** The frame of `element` drawn over a screen of `screen` full of `%`, as the panes are under a dialog. */
function frameOver(screen: Screen, element: React.JSX.Element): string[] {
  const view = render(
    <Box width={screen.columns} height={screen.rows - 1} flexDirection="column">
      {Array.from({ length: screen.rows - 1 }, (_, row) => (
        <Box key={row} width={screen.columns} height={1}>
          <Text>{'%'.repeat(screen.columns)}</Text>
        </Box>
      ))}
      {element}
    </Box>,
  );
  const lines = (view.lastFrame() ?? '').split('\n');
  view.unmount();
  return lines;
}

/** Checks the dialog in `lines` is one closed box inside the screen; returns its inner lines. */
function assertClosedBox(lines: string[], screen: Screen, what: string): string[] {
  const top = lines.findIndex((line) => line.includes('╔'));
  const bottom = lines.findIndex((line) => line.includes('╚'));
  assert.ok(top >= 0 && bottom > top, `${what}: no frame in\n${lines.join('\n')}`);
  assert.ok(bottom < screen.rows - 1, `${what}: the frame goes below the screen (row ${bottom} of ${screen.rows - 1})`);
  const left = lines[top]!.indexOf('╔');
  const width = stringWidth(lines[top]!.slice(left, lines[top]!.indexOf('╗') + 1));
  assert.ok(stringWidth(lines[top]!.slice(0, left)) + width <= screen.columns, `${what}: wider than the screen`);
  for (let row = top; row <= bottom; row++) {
    const line = lines[row]!;
    const [open, close] = row === top ? ['╔', '╗'] : row === bottom ? ['╚', '╝'] : ['║', '║'];
    const frameRow = line.slice(left, line.lastIndexOf(close) + 1);
    const shown = `${what}: row ${row - top} of\n${lines.join('\n')}`;
    assert.ok(frameRow.startsWith(open) && frameRow.length > 1, `does not start the frame: ${shown}`);
    assert.equal(stringWidth(frameRow), width, `not as wide as the frame: ${shown}`);
    assert.ok(!frameRow.includes('%'), `the screen behind shows through: ${shown}`);
  }
  return lines.slice(top + 1, bottom).map((line) => line.slice(left + 1, line.lastIndexOf('║')));
}

function conflictItem(name: string, target: string, isFolder: boolean): TransferItem {
  const queued = transfersReducer(initialTransfersState, {
    type: 'enqueue', resume: false,
    requests: [{ direction: 'upload', name, source: `/home/u/${name}`, target, isFolder }],
  });
  // Both sides known, the widest way: sizes alike when rounded, so both shown in bytes, and both marks.
  const side = (size: number, mtimeMs: number) => ({ isFolder, size, mtimeMs });
  const state = transfersReducer(queued, { type: 'conflict', id: 1, sides: { source: side(1_073_741_825, Date.UTC(2026, 0, 2)), target: side(1_073_741_824, Date.UTC(2025, 0, 1)) } });
  return state.items[0]!;
}

for (const screen of screens) {
  const size = `${screen.columns}×${screen.rows}`;

  void test(`InputDialog at ${size}: the field line stays one line of the frame (no pane row shows through)`, () => {
    for (const value of ['', 'data', 'x'.repeat(200), 'cafe\u0301 combining.txt', `${'e\u0301'.repeat(100)}`]) {
      const inner = assertClosedBox(
        frameOver(screen, <InputDialog title="Make folder" prompt="New folder in /:" field={textField(value)} screen={screen} />),
        screen,
        `mkdir with ${JSON.stringify(value.slice(0, 20))}, ${value.length} code units`,
      );
      assert.equal(inner.length, 5, inner.join('\n'));
    }
  });

  void test(`the select-by-pattern dialog at ${size}: a closed frame`, () => {
    const shown: unknown[] = [];
    const host = { screen, show: (dialog: unknown) => shown.push(dialog) } as unknown as DialogHost;
    const element = patternDialogModule.render(patternDialog('local', true), host);
    assert.ok(element);
    const inner = assertClosedBox(frameOver(screen, element), screen, 'select pattern');
    assert.match(inner.join('\n'), /> \*/);
  });

  void test(`the copy "to:" dialog at ${size}: a closed frame with the target folder`, () => {
    const host = { screen, show: () => undefined } as unknown as DialogHost;
    const dialog = copyDialog('Upload 12 items', 'remote folder', '/srv/share/projects/2026/ferry/photos', () => Promise.resolve(undefined));
    const inner = assertClosedBox(frameOver(screen, copyDialogModule.render(dialog, host)!), screen, 'copy to');
    assert.match(inner.join('\n'), /To \(remote folder\):/);
  });

  void test(`ConfirmDialog at ${size}: a closed frame`, () => {
    const inner = assertClosedBox(
      frameOver(screen, <ConfirmDialog title="Delete 1 item?" lines={['From /:', '  big-file.bin']} choice="no" yesLabel="Delete" screen={screen} />),
      screen,
      'delete',
    );
    assert.match(inner.join('\n'), /Delete \(y\)/);
    assert.match(inner.join('\n'), /No \(n\/Esc\)/);
  });

  void test(`ConflictDialog at ${size}: every button whole, the folder message and the target uncut`, () => {
    const target = '/srv/share/projects/2026/ferry/photos';
    const inner = assertClosedBox(
      frameOver(screen, <ConflictDialog item={conflictItem('photos', target, true)} choiceIndex={0} applyToAll={false} screen={screen} />),
      screen,
      'conflict (folder)',
    );
    const text = inner.map((line) => line.trim()).join(' ');
    for (const button of ['Overwrite (o)', 'Resume (r)', 'Skip (s)', 'Rename (n)']) assert.ok(text.includes(button), `${button} missing:\n${inner.join('\n')}`);
    assert.match(text, /files inside are merged/);
    assert.match(text, /apply to all/);
    assert.match(text, /Source +folder .*newer/);
    assert.match(text, /Target +folder /);
    const fileInner = assertClosedBox(
      frameOver(screen, <ConflictDialog item={conflictItem('a.txt', '/srv/a.txt', false)} choiceIndex={1} applyToAll screen={screen} />),
      screen,
      'conflict (file)',
    );
    assert.ok(fileInner.join(' ').includes('If newer (u)'), fileInner.join('\n'));
    // "larger" may be cut at the narrowest width; the sizes, date and "newer" never are.
    assert.match(fileInner.join('\n'), /Source 1073741825 B .* newer/);
    assert.match(fileInner.join('\n'), /Target 1073741824 B /);
    assertClosedBox(
      frameOver(screen, <ConflictDialog item={conflictItem('a.txt', '/srv/a.txt', false)} choiceIndex={3} applyToAll={false} ready={false} screen={screen} />),
      screen,
      'conflict (just appeared)',
    );
  });

  void test(`TrustDialog for an SSH host key at ${size}: key type and the whole SHA256: fingerprint`, () => {
    const fingerprint = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';
    const inner = assertClosedBox(
      frameOver(screen, <TrustDialog host="files.example.org" port={22} fingerprint={fingerprint} keyKind="ssh" algorithm="ssh-ed25519" choice="no" screen={screen} />),
      screen,
      'ssh trust',
    );
    const text = inner.map((line) => line.trim()).join('\n');
    assert.match(text, /ssh-ed25519/);
    if (screen.columns >= 60) assert.ok(inner.some((line) => line.trim() === fingerprint), `not on one line:\n${text}`);
    else assert.ok(text.replace(/\n/g, '').includes(fingerprint), text);
    assert.match(text, /Trust \(y\)/);
  });

  void test(`TrustDialog at ${size}: the fingerprint is wrapped between bytes, never inside one`, () => {
    const fingerprint = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':');
    const inner = assertClosedBox(
      frameOver(screen, <TrustDialog host="files.example.org" port={7071} fingerprint={fingerprint} choice="no" screen={screen} />),
      screen,
      'trust',
    );
    const fingerprintLines = inner.map((line) => line.trim()).filter((line) => /^([0-9A-F]{2}:?)+$/.test(line));
    assert.equal(fingerprintLines.join(''), fingerprint, inner.join('\n'));
    for (const line of fingerprintLines.slice(0, -1)) assert.ok(line.endsWith(':'), `cut inside a byte: ${line}`);
    assert.match(inner.join('\n'), /Trust \(y\)/);
  });
}

for (const screen of screens) {
  const size = `${screen.columns}×${screen.rows}`;

  void test(`ConnectDialog and HelpOverlay at ${size}: closed frames on the screen`, () => {
    const fields = {
      host: textField('files.example.org'), port: textField('22'), user: textField('alice'), password: textField('secret'), key: textField('~/.ssh/id_work'),
    };
    const error = 'cannot connect to sftp://files.example.org:22: connection refused — is the server running there?';
    // Every row at once (the saved list, the kind, the SFTP key file) with an error under them.
    const rows = ['saved', 'kind', 'host', 'port', 'user', 'password', 'key'] as const;
    const inner = assertClosedBox(
      frameOver(screen, <ConnectDialog pane="left" scheme="sftp" fields={fields} rows={rows} saved="2/9 @work sftp://alice@files.example.org/srv/logs" focus="kind" error={error} connecting={false} screen={screen} />),
      screen,
      'connect',
    );
    assert.match(inner.join('\n'), / ferry {2}ferrys {2}sftp {2}ftp {2}ftps /);
    assert.match(inner.join('\n'), /Key file/);
    // The saved row with the cursor lists what is saved where the screen has room, the pick highlighted.
    const labels = Array.from({ length: 12 }, (_, index) => `@bookmark-${index} sftp://user${index}@host-${index}.example.org/a/rather/long/folder/name`);
    const listed = assertClosedBox(
      frameOver(screen, <ConnectDialog pane="right" scheme="sftp" fields={fields} rows={rows} saved={`6/12 ${labels[5]}`} savedList={{ labels, picked: 5 }} focus="saved" error={error} connecting={false} screen={screen} />),
      screen,
      'connect with the saved list',
    );
    if (screen.rows >= 24) assert.match(listed.join('\n'), /› @bookmark-5 /);
    const entries = Array.from({ length: 40 }, (_, index) => ({ at: index * 1000, text: `${index}: ${'a long message '.repeat(index % 7)}${'/very/long/path'.repeat(index % 3)}`, kind: index % 5 === 0 ? 'error' as const : 'info' as const }));
    for (const offset of [0, 5, Number.MAX_SAFE_INTEGER]) {
      assertClosedBox(frameOver(screen, <MessageLog entries={entries} offset={offset} screen={screen} />), screen, `message log at ${offset}`);
    }
    assertClosedBox(frameOver(screen, <MessageLog entries={[]} offset={0} screen={screen} />), screen, 'empty message log');
    for (const offset of [0, helpScrollLimit(screen)]) {
      assertClosedBox(frameOver(screen, <HelpOverlay screen={screen} offset={offset} />), screen, `help at ${offset}`);
    }
  });
}
