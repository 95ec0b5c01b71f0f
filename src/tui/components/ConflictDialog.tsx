import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';
import type { TransferItem } from '../state/transfers.js';
import type { ConflictChoice } from '../transfers/transfer-queue.js';

export const conflictChoices: readonly { choice: ConflictChoice; label: string; key: string }[] = [
  { choice: 'overwrite', label: 'Overwrite', key: 'o' },
  { choice: 'resume', label: 'Resume', key: 'r' },
  { choice: 'skip', label: 'Skip', key: 's' },
  { choice: 'rename', label: 'Rename', key: 'n' },
];

/** Props of the "target exists" dialog. */
export interface ConflictDialogProps {
  item: TransferItem;
  /** Index into conflictChoices of the highlighted button. */
  choiceIndex: number;
  /** Apply the answer to every other conflict of the queue. */
  applyToAll: boolean;
  screen: { columns: number; rows: number };
}

export function ConflictDialog({ item, choiceIndex, applyToAll, screen }: ConflictDialogProps): React.JSX.Element {
  const width = dialogWidth(66, screen);
  return (
    <DialogFrame title="Target exists" width={width} screen={screen}>
      <DialogLine width={width}>{`${item.direction === 'upload' ? 'Uploading' : 'Downloading'} ${item.name}:`}</DialogLine>
      <DialogLine width={width}>{`${item.target} already exists${item.isFolder ? ' (folder: files inside are merged)' : ''}.`}</DialogLine>
      <DialogLine width={width}>{'Resume continues an interrupted copy (its .ferry-part file).'}</DialogLine>
      <Box>
        <Text> </Text>
        {conflictChoices.map((entry, index) => (
          <Text key={entry.choice} inverse={index === choiceIndex} bold>
            {` ${entry.label} (${entry.key}) `}
          </Text>
        ))}
        <Text>{' '.repeat(Math.max(0, width - 2 - 50))}</Text>
      </Box>
      <DialogLine width={width}>{`[${applyToAll ? 'x' : ' '}] apply to all (a)     Esc: skip`}</DialogLine>
    </DialogFrame>
  );
}
