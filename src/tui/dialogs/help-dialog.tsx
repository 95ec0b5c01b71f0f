/** The help overlay (F1, ?): every key of the keymap, scrollable. */
import { matchCommand } from '../keys/keymap.js';
import { HelpOverlay, helpScrollLimit } from '../components/HelpOverlay.js';
import type { DialogModule } from './dialog.js';

export interface HelpDialogState {
  kind: 'help';
  /** First help line shown. */
  offset: number;
}

export function helpDialog(): HelpDialogState {
  return { kind: 'help', offset: 0 };
}

const PAGE_LINES = 10;

export const helpDialogModule: DialogModule<HelpDialogState> = {
  onKey(state, press, host) {
    const limit = helpScrollLimit(host.screen);
    const scrollTo = (offset: number): void => host.show({ ...state, offset: Math.max(0, Math.min(limit, offset)) });
    switch (matchCommand(press, 'help')) {
      case 'scroll-up':
        scrollTo(state.offset - 1);
        break;
      case 'scroll-down':
        scrollTo(state.offset + 1);
        break;
      case 'scroll-page-up':
        scrollTo(state.offset - PAGE_LINES);
        break;
      case 'scroll-page-down':
        scrollTo(state.offset + PAGE_LINES);
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
  render: (state, host) => <HelpOverlay screen={host.screen} offset={state.offset} />,
};
