/**
 * A one-line text field as data: its value and cursor, edited one key at a
 * time by the App's one key dispatcher. Keys that reach the terminal in one
 * read (fast typing, a paste, a script) are split into single keys before
 * they get here (hooks/use-keypress.ts), so a Backspace in a batch erases and
 * an Enter submits; control characters never become part of a value.
 *
 * The cursor counts grapheme clusters, not code points: a decomposed `é`
 * (`e` + U+0301) is one step of the arrows and one Backspace, and text typed
 * next to it never lands between the letter and its accent.
 */
import { matchCommand } from '../keys/keymap.js';
import { isTextInput } from '../keys/dispatcher.js';
import type { KeyPress } from '../keys/parse-key.js';
import { clusters } from '../cells.js';

export interface TextFieldState {
  value: string;
  /** Position of the cursor, in grapheme clusters from the start (0 … number of clusters). */
  cursor: number;
}

/** A field holding `value` with the cursor at its end. */
export function textField(value = ''): TextFieldState {
  return { value, cursor: clusters(value).length };
}

/** The field after `press`, or undefined when the key is not one a text field takes (Enter, Esc, Tab, …). */
export function editTextField(field: TextFieldState, press: KeyPress): TextFieldState | undefined {
  const chars = clusters(field.value);
  const cursor = Math.max(0, Math.min(field.cursor, chars.length));
  const at = (value: string[], position: number): TextFieldState => ({ value: value.join(''), cursor: position });
  if (isTextInput(press)) {
    // A typed combining mark joins the cluster before it, so the cursor is counted again rather than added to.
    const before = chars.slice(0, cursor).join('') + (press.name === 'space' ? ' ' : press.sequence);
    return { value: before + chars.slice(cursor).join(''), cursor: clusters(before).length };
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
