import React from 'react';
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

export function InputDialog({ title, prompt, field, error, screen }: InputDialogProps): React.JSX.Element {
  const width = dialogWidth(64, screen);
  return (
    <DialogFrame title={title} width={width} screen={screen}>
      <DialogLine width={width}>{prompt}</DialogLine>
      {/* One Text: Ink drops the trailing space of a Text that sits beside another in a row. */}
      <Text>
        <Text color="cyan">{' > '}</Text>
        <TextField field={field} width={dialogTextWidth(width) - 1} focused />{' '}
      </Text>
      <DialogLine width={width} color="red">{error ?? ''}</DialogLine>
      <DialogLine width={width}>{'Enter: OK   Esc: cancel'}</DialogLine>
    </DialogFrame>
  );
}
