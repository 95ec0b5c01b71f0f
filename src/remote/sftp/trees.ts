/**
 * Trees over SFTP: the shared file-by-file tree code (file-by-file-tree.ts)
 * over this kind's listing and single-file transfers, many files at once on
 * the one SFTP channel. Each file of a tree pipelines fewer requests than a
 * lone transfer does, so the memory a tree holds stays bounded:
 * TREE_FILES_IN_FLIGHT × TREE_FILE_DEPTH requests at most.
 */
import { fileByFileTrees, type FileByFileTrees } from '../file-by-file-tree.js';
import type { SftpCalls } from './sftp-calls.js';
import { downloadFile, uploadFile, type PipelineShape } from './transfers.js';
import type { Remote } from '../remote.js';

/** Files (and folder listings) in flight at once: enough to hide the round trips of open, read and close. */
export const TREE_FILES_IN_FLIGHT = 16;
/** Requests in flight per file of a tree. */
const TREE_FILE_DEPTH = 4;

export function sftpTrees(remote: Pick<Remote, 'list' | 'mkdir'>, calls: SftpCalls, shapes: { read: PipelineShape; write: PipelineShape }): FileByFileTrees {
  const read = { chunk: shapes.read.chunk, depth: Math.min(shapes.read.depth, TREE_FILE_DEPTH) };
  const write = { chunk: shapes.write.chunk, depth: Math.min(shapes.write.depth, TREE_FILE_DEPTH) };
  return fileByFileTrees({
    list: (path, options) => remote.list(path, options),
    mkdir: (path, options) => remote.mkdir(path, options),
    upload: (localPath, remotePath, options) => uploadFile(calls, write, localPath, remotePath, options),
    download: (remotePath, localPath, options) => downloadFile(calls, read, remotePath, localPath, options),
  }, { concurrency: TREE_FILES_IN_FLIGHT });
}
