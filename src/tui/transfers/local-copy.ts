/**
 * A copy between two local panes (no connection needed), with what the
 * queue expects of every transfer: progress, cancel through an AbortSignal,
 * EXISTS unless overwriting, and never a truncated file under its final name
 * (each file is written to `.name.ferry-part` beside the target and renamed
 * when complete). Folders are copied file by file; mtimes are kept, as Ferry
 * keeps them, so "If newer" works the same way.
 */
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import { ferryErrorFromFs } from '../../protocol/fs-errors.js';

export interface LocalCopyOptions {
  overwrite: boolean;
  signal: AbortSignal;
  onProgress: (progress: { bytesDone: number; bytesTotal: number; filesDone: number; filesTotal: number }) => void;
}

export interface LocalCopyResult {
  bytes: number;
  files: number;
  durationMs: number;
}

interface PlannedFile {
  source: string;
  target: string;
  size: number;
}

/** Walks `source` (a file or a folder) and lists the folders to create and the files to copy. */
async function plan(source: string, target: string, folders: string[], files: PlannedFile[]): Promise<void> {
  const stats = await fs.lstat(source);
  if (stats.isDirectory()) {
    folders.push(target);
    for (const name of (await fs.readdir(source)).sort()) await plan(path.join(source, name), path.join(target, name), folders, files);
  } else if (stats.isFile()) {
    files.push({ source, target, size: stats.size });
  }
  // Symbolic links and special files are left out, as the tree transfers leave them out.
}

export async function copyLocal(source: string, target: string, options: LocalCopyOptions): Promise<LocalCopyResult> {
  const started = Date.now();
  const { signal } = options;
  if (path.resolve(target) === path.resolve(source) || path.resolve(target).startsWith(path.resolve(source) + path.sep)) {
    throw new FerryError(ErrorCode.INVALID_PATH, `cannot copy a folder into itself: ${target}`);
  }
  const folders: string[] = [];
  const files: PlannedFile[] = [];
  try {
    await plan(source, target, folders, files);
  } catch (error) {
    throw ferryErrorFromFs(error, source);
  }
  const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
  let bytesDone = 0;
  let filesDone = 0;
  const report = (): void => options.onProgress({ bytesDone, bytesTotal, filesDone, filesTotal: files.length });
  report();
  for (const folder of folders) {
    try {
      await fs.mkdir(folder, { recursive: true });
    } catch (error) {
      throw ferryErrorFromFs(error, folder);
    }
  }
  for (const file of files) {
    if (signal.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
    if (!options.overwrite && (await fs.lstat(file.target).catch(() => undefined))) {
      throw new FerryError(ErrorCode.EXISTS, `already exists: ${file.target}`);
    }
    const part = path.join(path.dirname(file.target), `.${path.basename(file.target)}.ferry-part`);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytesDone += chunk.length;
        report();
        callback(null, chunk);
      },
    });
    try {
      await pipeline(createReadStream(file.source), counter, createWriteStream(part), { signal });
      const stats = await fs.stat(file.source);
      await fs.utimes(part, stats.atime, stats.mtime);
      await fs.rename(part, file.target);
    } catch (error) {
      await fs.rm(part, { force: true });
      if (signal.aborted) throw new FerryError(ErrorCode.CANCELLED, 'cancelled');
      throw error instanceof FerryError ? error : ferryErrorFromFs(error, file.target);
    }
    filesDone += 1;
    report();
  }
  return { bytes: bytesDone, files: files.length, durationMs: Date.now() - started };
}
