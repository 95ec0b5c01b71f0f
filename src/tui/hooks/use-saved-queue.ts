/**
 * The queue kept across restarts (transfers/saved-queue.ts) in the App: the
 * list follows the queue while it runs, is frozen before quitting cancels
 * everything (so quitting keeps it), and once a pane is connected again to
 * the server its list names, the user is asked whether to queue it again.
 * Either pane's session has its own list, asked about when that pane
 * connects.
 */
import { useEffect, useRef } from 'react';
import { formatAddress } from '../connect-params.js';
import { plural } from '../format.js';
import { paneName, type PaneSide } from '../fs/pane-fs.js';
import type { Dialog } from '../dialogs/all-dialogs.js';
import { resumeSavedDialog } from '../dialogs/resume-saved-dialog.js';
import type { TransferQueue } from '../transfers/transfer-queue.js';
import { QueueSaver } from '../transfers/saved-queue.js';
import type { Connection } from './use-connection.js';

export interface SavedQueueOptions {
  /** Where the list is kept; undefined: not kept. */
  file: string | undefined;
  queue: TransferQueue;
  /** The right pane's session and the left pane's, as rendered (their changes start the question). */
  connection: Connection;
  leftConnection: Connection;
  /** The latest session of a pane, including changes not rendered yet. */
  current: (side: PaneSide) => Connection;
  show: (dialog: Dialog | undefined) => void;
  info: (text: string) => void;
  fail: (text: string) => void;
}

export interface SavedQueueControl {
  /** Quitting: the list stays as it is while the queue is cancelled. */
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
    saver.current = new QueueSaver(queue, file, (side) => latest.current.current(side).params, (message) => latest.current.fail(message));
  }

  const offerTo = (side: PaneSide, connection: Connection): void => {
    const { status, params } = connection;
    const kept = saver.current;
    if (!kept || status !== 'connected' || !params) return;
    void kept.offer(side, params).then((saved) => {
      if (!saved) return;
      const { show, info } = latest.current;
      const whose = side === 'local' ? ` (${paneName(side)})` : '';
      show(
        resumeSavedDialog(saved.transfers.map((request) => request.name), `${formatAddress(params)}${whose}`, (resume) => {
          if (resume) {
            kept.take(side);
            queue.enqueue(saved.transfers);
            info(`${plural(saved.transfers.length, 'transfer')} from last time queued`);
          } else {
            kept.forget(side);
            info('the unfinished transfers of last time are forgotten');
          }
        }),
      );
    });
  };
  const { connection, leftConnection } = options;
  useEffect(() => offerTo('remote', connection), [connection.status, connection.params]);
  useEffect(() => offerTo('local', leftConnection), [leftConnection.status, leftConnection.params]);

  return {
    freeze: () => void saver.current?.freeze(),
    follow: () => saver.current?.follow(),
  };
}
