/**
 * Deletes a local folder and everything below it in small synchronous steps,
 * with a turn of the event loop between them and a count of what is gone.
 *
 * Why not fs.rm({ recursive }): on a folder of 100 000 files it keeps the
 * event loop so busy with its callbacks that a key pressed meanwhile took
 * seconds to show, and it says nothing until it is done. Here each step
 * removes a bounded number of entries (unlink/rmdir take microseconds), so
 * keys and frames get their turn, and the pane can say how far it got.
 */
import fs from 'node:fs';
import path from 'node:path';

/** Entries removed between two turns of the event loop. */
const REMOVALS_PER_TURN = 256;

/** `onProgress` hears the count every few hundred entries; a returned promise is waited for before going on. */
export async function removeLocalTree(top: string, onProgress?: (removed: number) => void | Promise<void>): Promise<void> {
  let removed = 0;
  let sinceTurn = 0;
  const turn = async (): Promise<void> => {
    if (++sinceTurn < REMOVALS_PER_TURN) return;
    sinceTurn = 0;
    await onProgress?.(removed);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  // Depth first: a folder is removed once what it held is gone.
  const stack: { folder: string; listed: boolean }[] = [{ folder: top, listed: false }];
  while (stack.length > 0) {
    const current = stack[stack.length - 1]!;
    if (current.listed) {
      stack.pop();
      fs.rmdirSync(current.folder);
      removed++;
      await turn();
      continue;
    }
    current.listed = true;
    for (const child of fs.readdirSync(current.folder, { withFileTypes: true })) {
      const full = path.join(current.folder, child.name);
      // A symlink is removed itself, never followed.
      if (child.isDirectory()) {
        stack.push({ folder: full, listed: false });
        continue;
      }
      fs.unlinkSync(full);
      removed++;
      await turn();
    }
  }
  await onProgress?.(removed);
}
