/** The keys of a yes/no question (delete, trust, quit), shared by those dialogs. */
import { matchCommand } from '../keys/keymap.js';
import type { KeyPress } from '../keys/parse-key.js';

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
