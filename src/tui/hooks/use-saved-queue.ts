/**
 * The queue kept across restarts (transfers/saved-queue.ts) in the App: the
 * list follows the queue while it runs, is frozen before quitting cancels
 * everything (so quitting keeps it), and once a pane is connected again to
 * the server its list names, the user is asked whether to queue it again.
 * Either pane's session has its own list, asked about when that pane
 * connects. A question waits while another dialog is open (the user's own,
 * or the other pane's question when both panes connect at once) and is shown
 * once it closes, if that pane is still on that server.
 */
import { useEffect, useRef, useState } from 'react';
import { formatAddress } from '../connect-params.js';
import { plural } from '../format.js';
import { paneName, type PaneSide } from '../fs/pane-fs.js';
import type { Dialog } from '../dialogs/all-dialogs.js';
import { resumeSavedDialog } from '../dialogs/resume-saved-dialog.js';
import type { TransferQueue } from '../transfers/transfer-queue.js';
import { QueueSaver, type SavedSession } from '../transfers/saved-queue.js';
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
  /** A dialog is open: a question waits until it closes (as the conflict dialog does). */
  dialogOpen: boolean;
  info: (text: string) => void;
  fail: (text: string) => void;
}

export interface SavedQueueControl {
  /** Quitting: the list stays as it is while the queue is cancelled. */
  freeze: () => void;
  /** Connected: the list follows the queue again. */
  follow: () => void;
}

/** A pane's list from last time, found when it connected, waiting to be asked about. */
interface Offer {
  side: PaneSide;
  /** The server it was found for (formatAddress). */
  address: string;
  transfers: SavedSession['transfers'];
}

export function useSavedQueue(options: SavedQueueOptions): SavedQueueControl {
  const [waiting, setWaiting] = useState<readonly Offer[]>([]);
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
    const address = formatAddress(params);
    void kept.offer(side, params).then((saved) => {
      if (!saved) return;
      // At most one per pane (the saver offers a list once until it is answered or withdrawn).
      setWaiting((offers) => [...offers.filter((each) => each.side !== side), { side, address, transfers: saved.transfers }]);
    });
  };
  const { connection, leftConnection, dialogOpen } = options;
  useEffect(() => offerTo('remote', connection), [connection.status, connection.params]);
  useEffect(() => offerTo('local', leftConnection), [leftConnection.status, leftConnection.params]);

  useEffect(() => {
    const kept = saver.current;
    if (dialogOpen || !kept) return;
    const [next, ...rest] = waiting;
    if (!next) return;
    setWaiting(rest);
    const { show, info, current } = latest.current;
    const { side, address, transfers } = next;
    const now = current(side);
    // The pane went elsewhere (or lost its session) meanwhile: the list waits for its server's next connect.
    if (now.status !== 'connected' || !now.params || formatAddress(now.params) !== address) {
      kept.withdraw(side);
      return;
    }
    const whose = side === 'local' ? ` (${paneName(side)})` : '';
    show(
      resumeSavedDialog(transfers.map((request) => request.name), `${address}${whose}`, (resume) => {
        if (resume) {
          kept.take(side);
          queue.enqueue(transfers);
          info(`${plural(transfers.length, 'transfer')} from last time queued`);
        } else {
          kept.forget(side);
          info('the unfinished transfers of last time are forgotten');
        }
      }),
    );
  }, [dialogOpen, waiting]);

  return {
    freeze: () => void saver.current?.freeze(),
    follow: () => saver.current?.follow(),
  };
}
