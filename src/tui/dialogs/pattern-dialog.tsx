/** Select (`+`) or unselect (`-`) the entries whose names match a pattern, as mc does; `*` is offered, so Enter means all. */
import { textField, type TextFieldState } from '../state/text-field.js';
import type { PaneSide } from '../fs/pane-fs.js';
import { namePattern } from '../state/name-pattern.js';
import { plural } from '../format.js';
import { InputDialog } from '../components/InputDialog.js';
import type { DialogModule } from './dialog.js';
import { inputDialogKey } from './input-keys.js';

export interface PatternDialogState {
  kind: 'pattern';
  side: PaneSide;
  select: boolean;
  field: TextFieldState;
  error?: string | undefined;
}

export function patternDialog(side: PaneSide, select: boolean): PatternDialogState {
  return { kind: 'pattern', side, select, field: textField('*') };
}

export const patternDialogModule: DialogModule<PatternDialogState> = {
  onKey(state, press, host) {
    const command = inputDialogKey(state, press, host);
    if (command === 'dismiss') host.show(undefined);
    else if (command === 'confirm') {
      const pattern = state.field.value;
      if (!pattern) {
        host.show({ ...state, error: 'type a pattern (* is every name)' });
        return true;
      }
      const pane = host.panes[state.side];
      const matcher = namePattern(pattern);
      const matching = pane.current().view.filter((entry) => matcher.test(entry.name)).map((entry) => entry.name);
      pane.dispatch({ type: state.select ? 'select-names' : 'unselect-names', names: matching });
      host.show(undefined);
      host.info(`${state.select ? 'selected' : 'unselected'} ${plural(matching.length, 'name')} matching ${pattern}`);
    }
    return true;
  },
  render: (state, host) => (
    <InputDialog
      title={state.select ? 'Select' : 'Unselect'}
      prompt="Names matching (* any, ? one character, [ab] a or b):"
      field={state.field}
      error={state.error}
      screen={host.screen}
    />
  ),
};
