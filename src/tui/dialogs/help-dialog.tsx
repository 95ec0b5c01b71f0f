/** The help overlay (F1, ?): every key of the keymap, scrollable. */
import { HelpOverlay, helpScrollLimit } from '../components/HelpOverlay.js';
import type { DialogModule } from './dialog.js';
import { scrollKey } from './scroll-keys.js';

export interface HelpDialogState {
  kind: 'help';
  /** First help line shown. */
  offset: number;
}

export function helpDialog(): HelpDialogState {
  return { kind: 'help', offset: 0 };
}

export const helpDialogModule: DialogModule<HelpDialogState> = {
  onKey(state, press, host) {
    const limit = helpScrollLimit(host.screen);
    const next = scrollKey(press, state.offset, limit);
    if (next === 'dismiss') host.show(undefined);
    else if (next !== undefined) host.show({ ...state, offset: next });
    return true;
  },
  render: (state, host) => <HelpOverlay screen={host.screen} offset={state.offset} />,
};
