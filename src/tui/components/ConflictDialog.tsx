import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogWidth } from './DialogFrame.js';
import type { TransferItem } from '../state/transfers.js';
import type { ConflictChoice } from '../transfers/transfer-queue.js';
import { describeKey, keysFor, type Command } from '../keys/keymap.js';

interface ConflictButton {
  choice: ConflictChoice;
  label: string;
  command: Command;
}

/** The buttons, in order; each is answered by its keymap command, and shows that command's first key. */
const allChoices: readonly ConflictButton[] = [
  { choice: 'overwrite', label: 'Overwrite', command: 'conflict-overwrite' },
  { choice: 'update', label: 'If newer', command: 'conflict-update' },
  { choice: 'resume', label: 'Resume', command: 'conflict-resume' },
  { choice: 'skip', label: 'Skip', command: 'conflict-skip' },
  { choice: 'rename', label: 'Rename', command: 'conflict-rename' },
];

/**
 * The buttons for `item`. "If newer" compares one file with one file; a
 * folder merges as one tree transfer, which has no per-file answer.
 */
export function conflictChoicesFor(item: Pick<TransferItem, 'isFolder'>): readonly ConflictButton[] {
  return item.isFolder ? allChoices.filter((entry) => entry.choice !== 'update') : allChoices;
}

function keyLabel(command: Command): string {
  const [first] = keysFor(command, 'conflict');
  return first ? describeKey(first) : '';
}

const buttonText = (entry: ConflictButton): string => ` ${entry.label} (${keyLabel(entry.command)}) `;

/** Props of the "target exists" dialog. */
export interface ConflictDialogProps {
  item: TransferItem;
  /** Index into conflictChoicesFor(item) of the highlighted button. */
  choiceIndex: number;
  /** Apply the answer to every other conflict of the queue. */
  applyToAll: boolean;
  screen: { columns: number; rows: number };
}

export function ConflictDialog({ item, choiceIndex, applyToAll, screen }: ConflictDialogProps): React.JSX.Element {
  const width = dialogWidth(66, screen);
  const choices = conflictChoicesFor(item);
  const buttons = choices.map(buttonText);
  const buttonsWidth = buttons.reduce((sum, text) => sum + text.length, 0);
  return (
    <DialogFrame title="Target exists" width={width} screen={screen}>
      <DialogLine width={width}>{`${item.direction === 'upload' ? 'Uploading' : 'Downloading'} ${item.name}:`}</DialogLine>
      <DialogLine width={width}>{`${item.target} already exists${item.isFolder ? ' (folder: files inside are merged)' : ''}.`}</DialogLine>
      <DialogLine width={width}>{'Resume continues an interrupted copy (its .ferry-part file).'}</DialogLine>
      <Box>
        <Text> </Text>
        {choices.map((entry, index) => (
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
