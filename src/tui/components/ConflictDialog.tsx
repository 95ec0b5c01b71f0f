import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';
import type { TransferItem } from '../state/transfers.js';
import type { ConflictChoice } from '../transfers/transfer-queue.js';
import { describeKey, keysFor, type Command } from '../keys/keymap.js';

/** The buttons, in order; each is answered by its keymap command, and shows that command's first key. */
export const conflictChoices: readonly { choice: ConflictChoice; label: string; command: Command }[] = [
  { choice: 'overwrite', label: 'Overwrite', command: 'conflict-overwrite' },
  { choice: 'resume', label: 'Resume', command: 'conflict-resume' },
  { choice: 'skip', label: 'Skip', command: 'conflict-skip' },
  { choice: 'rename', label: 'Rename', command: 'conflict-rename' },
];

function keyLabel(command: Command): string {
  const [first] = keysFor(command, 'conflict');
  return first ? describeKey(first) : '';
}

const buttons = conflictChoices.map((entry) => ` ${entry.label} (${keyLabel(entry.command)}) `);
const buttonsWidth = buttons.reduce((sum, text) => sum + text.length, 0);

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
            {buttons[index]}
          </Text>
        ))}
        <Text>{' '.repeat(Math.max(0, width - 2 - 1 - buttonsWidth))}</Text>
      </Box>
      <DialogLine width={width}>{`[${applyToAll ? 'x' : ' '}] apply to all (${keyLabel('apply-to-all')})     Esc: skip`}</DialogLine>
    </DialogFrame>
  );
}
