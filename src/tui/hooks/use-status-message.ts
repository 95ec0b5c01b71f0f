/**
 * The status line's message: the latest result or error, and the "N uploads
 * queued" message, which gives way to a summary once every transfer of its
 * batch has ended (unless another message replaced it already). Every
 * message also goes to the session's message log (state/message-log.ts).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { isFinished, type TransferItem } from '../state/transfers.js';
import { plural } from '../format.js';
import { appendLogEntry, type LogEntry } from '../state/message-log.js';

export interface StatusMessage {
  text: string;
  kind: 'info' | 'error';
}

export interface StatusMessages {
  message: StatusMessage;
  info: (text: string) => void;
  fail: (text: string) => void;
  /** Shows `text` until the transfers from `firstId` on have all ended, then what became of them. */
  announceBatch: (text: string, firstId: number) => void;
  /** Every message shown so far (bounded), oldest first. */
  messageLog: () => readonly LogEntry[];
}

const FIRST_MESSAGE: StatusMessage = { text: 'F1 or ? for help', kind: 'info' };

export function useStatusMessage(transfers: readonly TransferItem[]): StatusMessages {
  const [message, setShownMessage] = useState<StatusMessage>(FIRST_MESSAGE);
  const log = useRef<readonly LogEntry[]>([]);
  const setMessage = useCallback((shown: StatusMessage) => {
    log.current = appendLogEntry(log.current, { at: Date.now(), text: shown.text, kind: shown.kind });
    setShownMessage(shown);
  }, []);
  const info = useCallback((text: string) => setMessage({ text, kind: 'info' }), [setMessage]);
  const fail = useCallback((text: string) => setMessage({ text, kind: 'error' }), [setMessage]);
  const messageLog = useCallback(() => log.current, []);
  /** The batch's message (compared by identity: a new message, even with the same words, replaces it) and its first id. */
  const queuedBatch = useRef<{ message: StatusMessage; firstId: number } | undefined>(undefined);

  const announceBatch = useCallback((text: string, firstId: number) => {
    const queued: StatusMessage = { text, kind: 'info' };
    queuedBatch.current = { message: queued, firstId };
    setMessage(queued);
  }, [setMessage]);

  useEffect(() => {
    const batch = queuedBatch.current;
    if (!batch || message !== batch.message) return;
    const items = transfers.filter((item) => item.id >= batch.firstId);
    if (items.length === 0 || !items.every(isFinished)) return;
    queuedBatch.current = undefined;
    const count = (status: string): number => items.filter((item) => item.status === status).length;
    const parts = [`${count('done')} done`, ...(['failed', 'cancelled', 'skipped'] as const).filter((status) => count(status) > 0).map((status) => `${count(status)} ${status}`)];
    const text = `${plural(items.length, 'transfer')} finished: ${parts.join(', ')}`;
    if (count('failed') > 0) fail(`${text} (p: see why)`);
    else info(text);
  }, [transfers, message, info, fail]);

  return { message, info, fail, announceBatch, messageLog };
}
