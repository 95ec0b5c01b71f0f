/**
 * F4: the file under the cursor in the user's editor ($VISUAL, $EDITOR, vi).
 * A local file is edited in place. A remote one is downloaded into a private
 * folder (0700, the file 0600), edited there, and uploaded back only when its
 * content changed and the server's file is still the one downloaded (same
 * size and modification time); otherwise the user chooses: overwrite, keep
 * the server's, or save the edit as a local copy. An edit is never lost: when
 * the upload fails, the file stays where it was edited and the status line
 * says where.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EntryKind, type Entry } from '../../protocol/messages.js';
import { currentEntry } from '../state/pane.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { describeError } from '../describe-error.js';
import { editorCommand } from '../hooks/use-terminal-handoff.js';
import { editConflictDialog, type EditConflictAnswer } from '../dialogs/edit-conflict-dialog.js';
import { formatSize } from '../format.js';
import type { ActionContext } from './action-context.js';
import { requireRemote } from './pane-commands.js';

async function contentHash(file: string): Promise<string> {
  return createHash('sha256').update(await fs.readFile(file)).digest('hex');
}

/** Runs the editor on `file`; false (after saying why) when it could not run or failed. */
function runEditor(file: string, context: ActionContext): boolean {
  const editor = editorCommand();
  const result = context.runInTerminal(editor, [file]);
  if ('error' in result) {
    context.fail(`could not run the editor ${editor}: ${result.error.message}`);
    return false;
  }
  if (result.status !== 0) {
    context.fail(`the editor ${editor} ended with status ${result.status ?? 'killed'}; nothing uploaded`);
    return false;
  }
  return true;
}

export function editFile(side: PaneSide, context: ActionContext): void {
  const fsOfSide = context.fsOf(side) ?? requireRemote(context, side);
  const pane = context.panes[side].current();
  const entry = currentEntry(pane);
  if (!fsOfSide || !entry) return;
  if (entry.kind !== EntryKind.FILE && entry.kind !== EntryKind.SYMLINK) {
    context.fail(`${entry.name} is not a file`);
    return;
  }
  let target: string;
  try {
    target = fsOfSide.child(pane.path, entry.name);
  } catch (error) {
    context.fail(describeError(error));
    return;
  }
  if (fsOfSide.side === 'local') {
    if (runEditor(target, context)) {
      context.info(`edited ${entry.name}`);
      void context.panes[side].load(fsOfSide, context.panes[side].current().path, entry.name);
    }
    return;
  }
  void editRemote(target, entry.name, side, context).catch((error: unknown) => context.fail(describeError(error)));
}

const changeOf = (before: Entry, now: Entry): string =>
  `size ${formatSize(before.size)} → ${formatSize(now.size)}, modified ${new Date(before.mtimeMs).toISOString()} → ${new Date(now.mtimeMs).toISOString()}`;

async function editRemote(remotePath: string, name: string, side: PaneSide, context: ActionContext): Promise<void> {
  const client = context.sessionOf(side);
  const remote = context.fsOf(side);
  if (!client || !remote) return;
  const label = remote.label(remotePath);
  const before = await remote.stat(remotePath);
  if (!before) throw new Error(`${label} is gone`);

  // mkdtemp makes the folder 0700: no other user can read the copy, or swap it for a link.
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-edit-'));
  const local = path.join(folder, name);
  let keep = false;
  try {
    context.info(`downloading ${name} to edit it…`);
    await client.download(remotePath, local, { overwrite: true });
    await fs.chmod(local, 0o600);
    const original = await contentHash(local);
    if (!runEditor(local, context)) {
      keep = (await contentHash(local).catch(() => original)) !== original;
      if (keep) context.fail(`the editor failed; your edit is kept in ${local}`);
      return;
    }
    if ((await contentHash(local)) === original) {
      context.info(`${name} not changed: nothing uploaded`);
      return;
    }
    const now = await remote.stat(remotePath);
    let answer: EditConflictAnswer = 'overwrite';
    if (!now || now.size !== before.size || now.mtimeMs !== before.mtimeMs) {
      answer = now
        ? await new Promise<EditConflictAnswer>((resolve) => context.show(editConflictDialog(label, changeOf(before, now), resolve)))
        : 'overwrite';
    }
    if (answer === 'keep-remote') {
      context.info(`kept the server's ${name}; your edit is dropped`);
      return;
    }
    if (answer === 'save-copy') {
      const copy = await saveLocalCopy(local, name, context);
      context.info(`your edit is saved as ${copy}`);
      return;
    }
    context.info(`uploading ${name}…`);
    try {
      // The upload carries the local file's mode: the server's file keeps its own, not the private copy's 0600.
      if (before.mode) await fs.chmod(local, before.mode & 0o777);
      await client.upload(local, remotePath, { overwrite: true });
    } catch (error) {
      keep = true;
      context.fail(`upload of ${name} failed: ${describeError(error)} — your edit is kept in ${local}`);
      return;
    }
    context.info(`uploaded your edit of ${name}`);
    const pane = context.panes[side];
    void pane.load(remote, pane.current().path, name);
  } finally {
    if (!keep) await fs.rm(folder, { recursive: true, force: true });
  }
}

/**
 * Copies the edit into the left pane's folder (the home folder when that pane is on a server too) under a free
 * name: `name`, else `name (edited)`, `name (edited 2)`…
 */
async function saveLocalCopy(edited: string, name: string, context: ActionContext): Promise<string> {
  const folder = context.fsOf('local')?.side === 'local' ? context.panes.local.current().path : os.homedir();
  const extension = path.extname(name);
  const stem = name.slice(0, name.length - extension.length) || name;
  for (let attempt = 0; ; attempt++) {
    const candidate = path.join(folder, attempt === 0 ? name : `${stem} (edited${attempt > 1 ? ` ${attempt}` : ''})${extension}`);
    try {
      await fs.copyFile(edited, candidate, fs.constants.COPYFILE_EXCL);
      const local = context.fsOf('local');
      if (local?.side === 'local') void context.panes.local.load(local, folder, path.basename(candidate));
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
