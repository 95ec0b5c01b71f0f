/**
 * A secret the login asks for while a session opens (askSecret of
 * src/remote/open-remote.ts): a password, a keyboard-interactive prompt, a
 * key's passphrase. Typed masked; Enter hands it on, Esc cancels the login.
 * The prompt is the server's or the kind's own text, shown whole and wrapped.
 */
import { Text } from 'ink';
import { theme } from '../theme.js';
import { wrapWords } from '../cells.js';
import { textField, type TextFieldState } from '../state/text-field.js';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from '../components/DialogFrame.js';
import { TextField } from '../components/TextField.js';
import type { DialogModule } from './dialog.js';
import { inputDialogKey } from './input-keys.js';

export interface SecretDialogState {
  kind: 'secret';
  prompt: string;
  field: TextFieldState;
  /** Resolves the login's question: the secret, or undefined when cancelled. */
  answer: (secret: string | undefined) => void;
}

export function secretDialog(prompt: string, answer: (secret: string | undefined) => void): SecretDialogState {
  return { kind: 'secret', prompt, field: textField(''), answer };
}

const MARK = ' > ';

export const secretDialogModule: DialogModule<SecretDialogState> = {
  onKey(state, press, host) {
    const command = inputDialogKey(state, press, host);
    if (command === 'dismiss') {
      host.show(undefined);
      state.answer(undefined);
    } else if (command === 'confirm') {
      host.show(undefined);
      state.answer(state.field.value);
    }
    return true;
  },
  render: (state, host) => {
    const width = dialogWidth(64, host.screen);
    const inner = dialogTextWidth(width);
    return (
      <DialogFrame title="The server asks for a secret" width={width} screen={host.screen}>
        {wrapWords(state.prompt.trim() || 'Password:', inner).slice(0, 4).map((line, index) => (
          <DialogLine key={`prompt-${index}`} width={width}>{line}</DialogLine>
        ))}
        <Text>
          <Text color={theme.accent}>{MARK}</Text>
          <TextField field={state.field} width={inner - (MARK.length - 1)} focused mask="*" />{' '}
        </Text>
        <DialogLine width={width}>{'Enter: send   Esc: cancel the login'}</DialogLine>
      </DialogFrame>
    );
  },
};
