import React from 'react';
import { Box, Text } from 'ink';
import TextInput from 'ink-text-input';
import { DialogFrame, DialogLine, dialogTextWidth, dialogWidth } from './DialogFrame.js';

/** Props of a one-field dialog (mkdir, rename/move). */
export interface InputDialogProps {
  title: string;
  /** Explanation above the field. */
  prompt: string;
  value: string;
  onChange: (value: string) => void;
  /** Error from the last attempt, shown under the field. */
  error?: string | undefined;
  screen: { columns: number; rows: number };
}

export function InputDialog({ title, prompt, value, onChange, error, screen }: InputDialogProps): React.JSX.Element {
  const width = dialogWidth(64, screen);
  return (
    <DialogFrame title={title} width={width} screen={screen}>
      <DialogLine width={width}>{prompt}</DialogLine>
      <Box width={width - 2}>
        <Text color="cyan">{' > '}</Text>
        <TextInput value={value} onChange={onChange} />
        <Text>{' '.repeat(Math.max(0, dialogTextWidth(width) - 2 - [...value].length))}</Text>
      </Box>
      <DialogLine width={width} color="red">{error ?? ''}</DialogLine>
      <DialogLine width={width}>{'Enter: OK   Esc: cancel'}</DialogLine>
    </DialogFrame>
  );
}
