/** The message log (^L): every message of the session, whole and with its time, scrollable; it opens at the newest. */
import { MessageLog, messageLogScrollLimit } from '../components/MessageLog.js';
import type { DialogModule } from './dialog.js';
import { scrollKey } from './scroll-keys.js';

export interface LogDialogState {
  kind: 'log';
  /** First line shown; past the end means "at the newest". */
  offset: number;
}

export function logDialog(): LogDialogState {
  return { kind: 'log', offset: Number.MAX_SAFE_INTEGER };
}

export const logDialogModule: DialogModule<LogDialogState> = {
  onKey(state, press, host) {
    const limit = messageLogScrollLimit(host.messageLog(), host.screen);
    const next = scrollKey(press, Math.min(state.offset, limit), limit);
    if (next === 'dismiss') host.show(undefined);
    else if (next !== undefined) host.show({ ...state, offset: next });
    return true;
  },
  render: (state, host) => <MessageLog entries={host.messageLog()} offset={state.offset} screen={host.screen} />,
};
