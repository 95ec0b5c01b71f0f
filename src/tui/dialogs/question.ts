/** The keys of a yes/no question (delete, trust, quit), shared by those dialogs. */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';
import type { Dialog } from './all-dialogs.js';
import type { DialogHost } from './dialog.js';

export type Answer = 'yes' | 'no';

/** The answer when the key gives one, the newly highlighted button, or undefined for other keys. */
export function answerQuestion(press: KeyPress, choice: Answer): { answer: Answer } | { highlight: Answer } | undefined {
  switch (matchCommand(press, 'question')) {
    case 'answer-yes':
      return { answer: 'yes' };
    case 'answer-no':
      return { answer: 'no' };
    case 'confirm':
      return { answer: choice };
    case 'toggle-answer':
      return { highlight: choice === 'yes' ? 'no' : 'yes' };
    default:
      return undefined;
  }
}

/**
 * The keys of a question whose only job is to hand its answer on (trust a
 * certificate, resume saved transfers): a toggle moves the highlight, an
 * answer closes the question and calls `state.answer`. Takes every key.
 */
export function passAnswerOn<State extends Dialog & { choice: Answer; answer: (yes: boolean) => void }>(
  state: State, press: KeyPress, host: DialogHost,
): true {
  const step = answerQuestion(press, state.choice);
  // The same question with another button highlighted: still a State, which TypeScript cannot see through the spread.
  if (step && 'highlight' in step) host.show({ ...state, choice: step.highlight } as State);
  else if (step) {
    host.show(undefined);
    state.answer(step.answer === 'yes');
  }
  return true;
}
