import React from 'react';
import { theme } from '../theme.js';
import { Text } from 'ink';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { TextField } from './TextField.js';
import type { TextFieldState } from '../state/text-field.js';

/** Props of a one-field dialog (mkdir, rename/move). */
export interface InputDialogProps {
  title: string;
  /** Explanation above the field. */
  prompt: string;
  /** The field; the App edits it key by key. */
  field: TextFieldState;
  /** Error from the last attempt, shown under the field. */
  error?: string | undefined;
  screen: { columns: number; rows: number };
}

/**
 * The mark before the field, inside the text column. The field gets what is left of that column: one cell
 * more and the line is wider than the frame, so Ink wraps it onto a second line that paints nothing and the
 * panes behind show through.
 */
const FIELD_MARK = '> ';

export function InputDialog({ title, prompt, field, error, screen }: InputDialogProps): React.JSX.Element {
  const width = dialogWidth(64, screen);
  return (
    <DialogFrame title={title} width={width} screen={screen}>
      <DialogLine width={width}>{prompt}</DialogLine>
      {/* One Text: Ink drops the trailing space of a Text that sits beside another in a row. */}
      <Text>
        <Text color={theme.accent}>{' > '}</Text>
        <TextField field={field} width={dialogTextWidth(width) - FIELD_MARK.length} focused />{' '}
      </Text>
      <DialogLine width={width} color={theme.danger}>{error ?? ''}</DialogLine>
      <DialogLine width={width}>{'Enter: OK   Esc: cancel'}</DialogLine>
    </DialogFrame>
  );
}
