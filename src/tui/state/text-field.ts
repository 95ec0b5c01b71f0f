/**
 * A one-line text field as data: its value and cursor, edited one key at a
 * time by the App's one key dispatcher. Keys that reach the terminal in one
 * read (fast typing, a paste, a script) are split into single keys before
 * they get here (hooks/use-keypress.ts), so a Backspace in a batch erases and
 * an Enter submits; control characters never become part of a value.
 */
import { matchCommand } from '../keys/keymap.js';
import { isTextInput } from '../keys/dispatcher.js';
import type { KeyPress } from '../keys/parse-key.js';

export interface TextFieldState {
  value: string;
  /** Position of the cursor, in code points from the start (0 … length). */
  cursor: number;
}

/** A field holding `value` with the cursor at its end. */
export function textField(value = ''): TextFieldState {
  return { value, cursor: [...value].length };
}

/** The field after `press`, or undefined when the key is not one a text field takes (Enter, Esc, Tab, …). */
export function editTextField(field: TextFieldState, press: KeyPress): TextFieldState | undefined {
  const chars = [...field.value];
  const cursor = Math.max(0, Math.min(field.cursor, chars.length));
  const at = (value: string[], position: number): TextFieldState => ({ value: value.join(''), cursor: position });
  if (isTextInput(press)) {
    const typed = [...(press.name === 'space' ? ' ' : press.sequence)];
    return at([...chars.slice(0, cursor), ...typed, ...chars.slice(cursor)], cursor + typed.length);
  }
  switch (matchCommand(press, 'text')) {
    case 'cursor-left':
      return at(chars, Math.max(0, cursor - 1));
    case 'cursor-right':
      return at(chars, Math.min(chars.length, cursor + 1));
    case 'cursor-start':
      return at(chars, 0);
    case 'cursor-end':
      return at(chars, chars.length);
    case 'erase-back':
      return cursor === 0 ? at(chars, 0) : at([...chars.slice(0, cursor - 1), ...chars.slice(cursor)], cursor - 1);
    case 'erase-forward':
      return at([...chars.slice(0, cursor), ...chars.slice(cursor + 1)], cursor);
    case 'erase-all':
      return at([], 0);
    default:
      return undefined;
  }
}
