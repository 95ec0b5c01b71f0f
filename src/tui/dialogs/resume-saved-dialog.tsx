/** "Resume the transfers left unfinished last time?": offered once the same server is connected again. */
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { plural } from '../format.js';
import { passAnswerOn, type Answer } from './question.js';
import type { DialogModule } from './dialog.js';

export interface ResumeSavedDialogState {
  kind: 'resume-saved';
  /** The first names, for the question. */
  names: string[];
  count: number;
  server: string;
  choice: Answer;
  answer: (resume: boolean) => void;
}

export function resumeSavedDialog(names: readonly string[], server: string, answer: (resume: boolean) => void): ResumeSavedDialogState {
  return { kind: 'resume-saved', names: names.slice(0, 3), count: names.length, server, choice: 'yes', answer };
}

export const resumeSavedDialogModule: DialogModule<ResumeSavedDialogState> = {
  onKey: (state, press, host) => passAnswerOn(state, press, host),
  render: (state, host) => (
    <ConfirmDialog
      title="Unfinished transfers"
      lines={[
        `${plural(state.count, 'transfer')} with ${state.server} did not finish last time:`,
        `${state.names.join(', ')}${state.count > state.names.length ? ', …' : ''}`,
        'Queue them again? They resume where they stopped.',
      ]}
      choice={state.choice}
      yesLabel="Resume"
      screen={host.screen}
    />
  ),
};
