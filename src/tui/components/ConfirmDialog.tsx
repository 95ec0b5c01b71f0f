import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';

/** Props of a Yes/No question (the original's delete confirmation). */
export interface ConfirmDialogProps {
  title: string;
  /** What will happen, one item per line (names of what will be deleted). */
  lines: readonly string[];
  /** Which button is highlighted. */
  choice: 'yes' | 'no';
  yesLabel?: string;
  screen: { columns: number; rows: number };
}

export function ConfirmDialog({ title, lines, choice, yesLabel = 'Yes', screen }: ConfirmDialogProps): React.JSX.Element {
  const width = dialogWidth(64, screen);
  return (
    <DialogFrame title={title} width={width} screen={screen} tone="danger">
      {lines.map((line, index) => (
        <DialogLine key={index} width={width}>{line}</DialogLine>
      ))}
      <DialogLine width={width}>{''}</DialogLine>
      <Box>
        <Text> </Text>
        <Text inverse={choice === 'yes'} bold> {yesLabel} (y) </Text>
        <Text>   </Text>
        <Text inverse={choice === 'no'} bold> No (n/Esc) </Text>
        <Text>{' '.repeat(Math.max(0, width - 2 - yesLabel.length - 22))}</Text>
      </Box>
    </DialogFrame>
  );
}
