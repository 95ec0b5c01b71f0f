/**
 * The queue kept across restarts (transfers/saved-queue.ts) in the App: the
 * list follows the queue while it runs, is frozen before leaving cancels
 * everything (so quitting keeps it), and once the server it names is
 * connected again, the user is asked whether to queue it again.
 */
import { useEffect, useRef } from 'react';
import { formatAddress } from '../connect-params.js';
import { plural } from '../format.js';
import type { Dialog } from '../dialogs/all-dialogs.js';
import { resumeSavedDialog } from '../dialogs/resume-saved-dialog.js';
import type { TransferQueue } from '../transfers/transfer-queue.js';
import { forgetSavedQueue, QueueSaver, readSavedQueue, sameServer, savedServerOf } from '../transfers/saved-queue.js';
import type { Connection } from './use-connection.js';

export interface SavedQueueOptions {
  /** Where the list is kept; undefined: not kept. */
  file: string | undefined;
  queue: TransferQueue;
  connection: Connection;
  current: () => Connection;
  show: (dialog: Dialog | undefined) => void;
  info: (text: string) => void;
  fail: (text: string) => void;
}

export interface SavedQueueControl {
  /** Leaving (quit, disconnect): the list stays as it is while the queue is cancelled. */
  freeze: () => void;
  /** Connected: the list follows the queue again. */
  follow: () => void;
}

export function useSavedQueue(options: SavedQueueOptions): SavedQueueControl {
  const latest = useRef(options);
  latest.current = options;
  const saver = useRef<QueueSaver | undefined>(undefined);
  const { file, queue } = options;
  if (file && !saver.current) {
    saver.current = new QueueSaver(queue, file, () => latest.current.current().params, (message) => latest.current.fail(message));
  }
  const offered = useRef(false);

  const { status, params } = options.connection;
  useEffect(() => {
    if (!file || offered.current || status !== 'connected' || !params) return;
    offered.current = true;
    void readSavedQueue(file).then((saved) => {
      if (!saved || !sameServer(saved.server, savedServerOf(params))) return;
      const { show, info } = latest.current;
      show(
        resumeSavedDialog(saved.transfers.map((request) => request.name), formatAddress(params), (resume) => {
          if (resume) {
            queue.enqueue(saved.transfers);
            info(`${plural(saved.transfers.length, 'transfer')} from last time queued`);
          } else {
            void forgetSavedQueue(file);
            info('the unfinished transfers of last time are forgotten');
          }
        }),
      );
    });
  }, [file, queue, status, params]);

  return {
    freeze: () => void saver.current?.freeze(),
    follow: () => saver.current?.follow(),
  };
}
