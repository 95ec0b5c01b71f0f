/**
 * Quick search on a pane (^S or M-s, as mc): typed characters jump to the
 * first name that starts with them (else contains them); ^S again goes to the
 * next one. Enter or Esc stop; any other key stops and does what it does in
 * the pane, so ↓ or F5 right after the jump act on the found entry.
 */
import { Box, Text } from 'ink';
import { matchCommand } from '../keys/keymap.js';
import { isTextInput } from '../keys/dispatcher.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { fitEnd } from '../cells.js';
import { theme } from '../theme.js';
import { quickSearchMatch } from '../state/quick-search.js';
import type { DialogHost, DialogModule } from './dialog.js';

export interface QuickSearchDialogState {
  kind: 'quick-search';
  side: PaneSide;
  text: string;
  /** The text matches no name. */
  missing: boolean;
}

export function quickSearchDialog(side: PaneSide): QuickSearchDialogState {
  return { kind: 'quick-search', side, text: '', missing: false };
}

/** Jumps to the match of `text` from row `from`; the state that says whether there was one. */
function jump(state: QuickSearchDialogState, text: string, from: number, host: DialogHost, prefixFirst = true): QuickSearchDialogState {
  const pane = host.panes[state.side];
  const view = pane.current().view;
  const index = quickSearchMatch(view, text, from, prefixFirst);
  const found = view[index];
  if (found) pane.dispatch({ type: 'focus-name', name: found.name });
  return { ...state, text, missing: !found && text.length > 0 };
}

export const quickSearchDialogModule: DialogModule<QuickSearchDialogState> = {
  onKey(state, press, host) {
    const cursor = host.panes[state.side].current().cursor;
    switch (matchCommand(press, 'quick-search')) {
      case 'next-match':
        host.show(jump(state, state.text, cursor + 1, host, false));
        return true;
      case 'erase-back': {
        // A shorter text still matches the entry found: the cursor stays on it.
        const shorter = [...state.text].slice(0, -1).join('');
        host.show(jump(state, shorter, cursor, host, false));
        return true;
      }
      case 'end-quick-search':
        host.show(undefined);
        return true;
      default:
        break;
    }
    if (isTextInput(press)) {
      host.show(jump(state, state.text + (press.name === 'space' ? ' ' : press.sequence), cursor, host));
      return true;
    }
    host.show(undefined);
    return false;
  },
  render: (state, host) => {
    const text = ` quick search (${state.side}): ${state.text}_${state.missing ? '  — no match' : ''}   ^S next · Enter/Esc stop`;
    return (
      <Box position="absolute" marginTop={Math.max(0, host.screen.rows - 3)} width={host.screen.columns}>
        <Text inverse color={state.missing ? theme.danger : undefined}>{fitEnd(text, host.screen.columns)}</Text>
      </Box>
    );
  },
};
