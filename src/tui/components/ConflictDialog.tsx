import React from 'react';
import { Box, Text } from 'ink';
import { DialogFrame, DialogLine, dialogBodyRows, dialogTextWidth, dialogWidth } from './DialogFrame.js';
import { cellWidth, packRows, wrapWords } from '../cells.js';
import type { ConflictSide, ConflictSides, TransferItem } from '../state/transfers.js';
import { compareFileTimes } from '../../protocol/file-times.js';
import { formatBytes, formatTime } from '../format.js';
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

/**
 * Both sides as mc shows them, one line each: size (exact bytes when the
 * rounded sizes look alike but differ) and date, with the newer and the
 * larger side marked. A side that could not be looked at says so.
 */
export function conflictSideLines(sides: ConflictSides | undefined, nowMs: number = Date.now()): string[] {
  const { source, target } = sides ?? { source: undefined, target: undefined };
  const roundedAlike = source && target && !source.isFolder && !target.isFolder && source.size !== target.size && formatBytes(source.size) === formatBytes(target.size);
  const describe = (label: string, side: ConflictSide | undefined, other: ConflictSide | undefined): string => {
    if (!side) return `${label} (size and date unknown)`;
    const size = side.isFolder ? 'folder' : roundedAlike ? `${side.size} B` : formatBytes(side.size);
    const marks = [
      other && compareFileTimes(side, other) > 0 ? 'newer' : '',
      other && !side.isFolder && !other.isFolder && side.size > other.size ? 'larger' : '',
    ].filter(Boolean);
    return `${label} ${size.padStart(8)} ${formatTime(side.mtimeMs, nowMs)}${marks.length ? ` ${marks.join(', ')}` : ''}`;
  };
  return [describe('Source', source, target), describe('Target', target, source)];
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
  /** False while the dialog ignores keys (it has just appeared): the buttons are dimmed and the last line says so. */
  ready?: boolean;
  screen: { columns: number; rows: number };
}

export function ConflictDialog({ item, choiceIndex, applyToAll, ready = true, screen }: ConflictDialogProps): React.JSX.Element {
  const choices = conflictChoicesFor(item);
  const messageText = `${item.target} already exists${item.isFolder ? ' (folder: files inside are merged)' : ''}.`;
  // Where the screen has room: every button on one line, and the message (up to a readable width) on one too.
  const buttonsWidth = choices.reduce((sum, entry) => sum + buttonText(entry).length, 0) + 4;
  const width = dialogWidth(Math.max(66, buttonsWidth, Math.min(110, cellWidth(messageText) + 4)), screen);
  const textWidth = dialogTextWidth(width);
  // Buttons wrap as wholes onto as many lines as the width needs; the highlighted one stays inverse.
  const buttonRows = packRows(choices.map((entry) => buttonText(entry).length), 0, textWidth);
  const message = wrapWords(messageText, textWidth);
  const explanation = wrapWords('Resume continues an interrupted copy (its .ferry-part file).', textWidth);
  const sides = conflictSideLines(item.conflictSides);
  // On a short screen the explanation goes first, then the message is cut: the sides, the buttons and the box always show.
  const room = dialogBodyRows(screen) - 1 /* heading */ - buttonRows.length - 1 /* apply to all */ - sides.length;
  const cut = message.slice(0, Math.max(1, room));
  if (cut.length < message.length) cut[cut.length - 1] = `${cut[cut.length - 1] ?? ''}…`;
  const shown = message.length + explanation.length <= room ? [...message, ...sides, ...explanation] : [...cut, ...sides];
  const doing = { upload: 'Uploading', download: 'Downloading', copy: 'Copying', relay: 'Copying between servers' } as const;
  const lines = [`${doing[item.direction]} ${item.name}:`, ...shown];
  return (
    <DialogFrame title="Target exists" width={width} screen={screen}>
      {lines.map((line, index) => (
        <DialogLine key={`line-${index}`} width={width}>{line}</DialogLine>
      ))}
      {buttonRows.map((indexes, row) => {
        const used = indexes.reduce((sum, index) => sum + buttonText(choices[index] as ConflictButton).length, 0);
        return (
          <Box key={`buttons-${row}`}>
            <Text> </Text>
            {indexes.map((index) => (
              <Text key={index} inverse={ready && index === choiceIndex} bold={ready} dimColor={!ready}>
                {buttonText(choices[index] as ConflictButton)}
              </Text>
            ))}
            <Text>{' '.repeat(Math.max(0, width - 2 - 1 - used))}</Text>
          </Box>
        );
      })}
      <DialogLine width={width}>{ready ? `[${applyToAll ? 'x' : ' '}] apply to all (${keyLabel('apply-to-all')})     Esc: skip` : 'just appeared: keys wait a moment…'}</DialogLine>
    </DialogFrame>
  );
}
