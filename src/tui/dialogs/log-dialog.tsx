/** The message log (^L): every message of the session, whole and with its time, scrollable; it opens at the newest. */
import { matchCommand } from '../keys/keymap.js';
import { MessageLog, messageLogScrollLimit } from '../components/MessageLog.js';
import type { DialogModule } from './dialog.js';

export interface LogDialogState {
  kind: 'log';
  /** First line shown; past the end means "at the newest". */
  offset: number;
}

export function logDialog(): LogDialogState {
  return { kind: 'log', offset: Number.MAX_SAFE_INTEGER };
}

const PAGE_LINES = 10;

export const logDialogModule: DialogModule<LogDialogState> = {
  onKey(state, press, host) {
    const limit = messageLogScrollLimit(host.messageLog(), host.screen);
    const from = Math.min(state.offset, limit);
    const scrollTo = (offset: number): void => host.show({ ...state, offset: Math.max(0, Math.min(limit, offset)) });
    // The same keys as the help.
    switch (matchCommand(press, 'help')) {
      case 'scroll-up':
        scrollTo(from - 1);
        break;
      case 'scroll-down':
        scrollTo(from + 1);
        break;
      case 'scroll-page-up':
        scrollTo(from - PAGE_LINES);
        break;
      case 'scroll-page-down':
        scrollTo(from + PAGE_LINES);
        break;
      case 'scroll-home':
        scrollTo(0);
        break;
      case 'scroll-end':
        scrollTo(limit);
        break;
      case 'dismiss':
        host.show(undefined);
        break;
      default:
        break;
    }
    return true;
  },
  render: (state, host) => <MessageLog entries={host.messageLog()} offset={state.offset} screen={host.screen} />,
};
