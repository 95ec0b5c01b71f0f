/**
 * Quitting or disconnecting while transfers are unfinished: both cancel them, so both ask first. A
 * disconnect names its pane (either may be on a server) and counts only that session's transfers.
 */
import { plural } from '../format.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { answerQuestion, type Answer } from './question.js';
import type { DialogModule } from './dialog.js';
import { paneName, type PaneSide } from '../fs/pane-fs.js';

export type Leaving = 'quit' | 'disconnect';

export interface LeaveDialogState {
  kind: 'quit';
  unfinished: number;
  choice: Answer;
  leaving: Leaving;
  /** Whose session a disconnect ends (`local`: the left pane's); its transfers are the ones counted. */
  side: PaneSide;
}

export function leaveDialog(leaving: Leaving, unfinished: number, side: PaneSide = 'remote'): LeaveDialogState {
  return { kind: 'quit', unfinished, choice: 'no', leaving, side };
}

export const leaveDialogModule: DialogModule<LeaveDialogState> = {
  onKey(state, press, host) {
    const step = answerQuestion(press, state.choice);
    if (step && 'highlight' in step) host.show({ ...state, choice: step.highlight });
    else if (step?.answer === 'yes' && state.leaving === 'quit') host.quit();
    else if (step?.answer === 'yes') {
      host.show(undefined);
      host.disconnect(state.side);
    } else if (step?.answer === 'no') {
      host.show(undefined);
      host.info('still running — p shows the transfers');
    }
    return true;
  },
  render: (state, host) => (
    <ConfirmDialog
      title={state.leaving === 'quit' ? 'Quit Ferry?' : `Disconnect the ${paneName(state.side)}?`}
      lines={[
        `${plural(state.unfinished, 'transfer')} still running or waiting;`,
        `${state.leaving === 'quit' ? 'quitting' : 'disconnecting'} cancels them. Copying them again`,
        'later resumes where they stopped.',
      ]}
      choice={state.choice}
      yesLabel={state.leaving === 'quit' ? 'Quit' : 'Disconnect'}
      screen={host.screen}
    />
  ),
};
