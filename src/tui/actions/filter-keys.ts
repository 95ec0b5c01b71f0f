/** Typing into a pane's `/` filter (keymap context `filter`): asked before the pane's own keys. */
import { matchCommand } from '../keys/keymap.js';
import { isTextInput } from '../keys/dispatcher.js';
import type { KeyPress } from '../keys/parse-key.js';
import type { ActionContext } from './action-context.js';

/** True when the filter took the key. */
export function filterKey(press: KeyPress, context: ActionContext): boolean {
  const side = context.filtering();
  if (!side) return false;
  const pane = context.panes[side];
  switch (matchCommand(press, 'filter')) {
    case 'filter-clear':
      pane.dispatch({ type: 'set-filter', filter: '' });
      context.setFiltering(undefined);
      return true;
    case 'filter-keep':
      context.setFiltering(undefined);
      return true;
    case 'filter-erase':
      pane.dispatch({ type: 'erase-filter' });
      return true;
    default:
      break;
  }
  if (isTextInput(press)) {
    pane.dispatch({ type: 'append-filter', text: press.name === 'space' ? ' ' : press.sequence });
    return true;
  }
  return false;
}
