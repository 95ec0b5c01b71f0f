/**
 * A tree upload's checked files, committed in batches (TPUT): renamed over
 * their targets through their folders opened and checked again, their locks
 * released; or dropped when their batch's flush failed. Flushing itself is
 * flush.ts.
 */
import { unlinkSync } from 'node:fs';
import path from 'node:path';
import type { FerryError } from '../../protocol/errors.js';
import { toFerryError } from './errors.js';
import type { Jail, OpenFolder } from './jail.js';
import { displayPath } from './paths.js';
import { moveIntoPlace, type StagedFile } from './upload-file.js';
import { releaseLock } from './upload-lock.js';
import { inFolderAsWorkingDirectory } from './working-directory.js';

/**
 * Renames flushed tree-upload files over their targets. Each rename goes
 * through its folder opened and checked again, so a folder swapped for a
 * symlink since the file was written cannot redirect it. Returns the first
 * failure (EXISTS for a target that appeared without overwrite, say) after
 * renaming every other file, or undefined; a file that cannot be renamed
 * loses its temporary file. Returns the real paths of the folders renamed
 * into, for `flushRenames`.
 */
export function renameStaged(jail: Jail, files: readonly StagedFile[]): { failure: FerryError | undefined; folders: string[] } {
  let failure: FerryError | undefined;
  const byFolder = new Map<string, StagedFile[]>();
  for (const file of files) {
    const group = byFolder.get(file.folderReal);
    if (group) group.push(file);
    else byFolder.set(file.folderReal, [file]);
  }
  for (const [folderReal, group] of byFolder) {
    let folder: OpenFolder;
    try {
      folder = jail.openCheckedFolder(folderReal, group[0]!.components.slice(0, -1), true);
    } catch (error) {
      failure ??= toFerryError(error, displayPath(group[0]!.components));
      continue;
    }
    try {
      // The folder as working directory: one magic-link resolution for the group, not two per rename.
      inFolderAsWorkingDirectory(folder, (at) => {
        for (const file of group) {
          const temp = at(file.tempName);
          try {
            moveIntoPlace(temp, at(file.name), file.overwrite);
          } catch (error) {
            failure ??= toFerryError(error, displayPath(file.components));
            try {
              unlinkSync(temp);
            } catch {
              // Already gone: nothing to clean.
            }
          }
          releaseLock(at(file.lockName), file.lockHolder);
        }
      });
    } finally {
      void folder.close();
    }
  }
  return { failure, folders: [...byFolder.keys()] };
}

/**
 * Drops checked tree-upload files that will not be renamed (their flush
 * failed): temporary files removed, locks released.
 */
export function dropStaged(files: readonly StagedFile[]): void {
  for (const file of files) {
    try {
      unlinkSync(file.tempReal);
    } catch {
      // Already gone (or its folder): the sweep takes what is left.
    }
    releaseLock(path.join(file.folderReal, file.lockName), file.lockHolder);
  }
}
