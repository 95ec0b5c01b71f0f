/** Trees over SFTP: many single-file transfers at once. */
import type { TreeSubset } from '../../client/tree.js';
import type { TreeTransferOptions, TreeTransferResult } from '../../client/types.js';
import { ErrorCode, FerryError } from '../../protocol/errors.js';
import type { Remote } from '../remote.js';

type Trees = Pick<Remote, 'uploadTree' | 'downloadTree' | 'uploadSubset' | 'downloadSubset'>;

export function sftpTrees(_remote: Remote): Trees {
  const missing = (): Promise<TreeTransferResult> => Promise.reject(new FerryError(ErrorCode.UNSUPPORTED, 'trees over SFTP are not there yet'));
  return {
    uploadTree: (_l: string, _r: string, _o?: TreeTransferOptions) => missing(),
    downloadTree: (_r: string, _l: string, _o?: TreeTransferOptions) => missing(),
    uploadSubset: (_l: string, _r: string, _s: TreeSubset, _o?: TreeTransferOptions) => missing(),
    downloadSubset: (_r: string, _l: string, _s: TreeSubset, _o?: TreeTransferOptions) => missing(),
  };
}
