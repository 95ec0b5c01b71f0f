import React from 'react';
import { theme } from '../theme.js';
import { Box, Text } from 'ink';
import { fitEnd } from '../cells.js';

/** Props of the frame every dialog is drawn in. */
export interface DialogFrameProps {
  title: string;
  /** Outer width. */
  width: number;
  /** Screen size, to centre the dialog over the panes. */
  screen: { columns: number; rows: number };
  /** Red border for errors and destructive questions. */
  tone?: 'normal' | 'danger';
  children: React.ReactNode;
}

/** The width a dialog really gets on this screen. */
export function dialogWidth(preferred: number, screen: { columns: number }): number {
  return Math.max(20, Math.min(preferred, screen.columns - 2));
}

/** Rows above a dialog: two on a tall screen, one on a short one so the dialog's lines fit above the spare line. */
function dialogTop(screen: { rows: number }): number {
  return screen.rows >= 20 ? 2 : 1;
}

/** Lines a dialog has for its content on this screen: below its top, borders, title and the spare bottom line. */
export function dialogBodyRows(screen: { rows: number }): number {
  return Math.max(1, screen.rows - 1 - dialogTop(screen) - 3);
}

/**
 * A bordered box drawn over the panes (absolute position). Ink has no
 * z-order or background fill, so the content pads every line to the full
 * width and the dialog paints over what is under it. Every child must be
 * exactly one line of the inner width: a wider one wraps onto a line that
 * paints nothing, and the panes show through it.
 */
export function DialogFrame({ title, width, screen, tone = 'normal', children }: DialogFrameProps): React.JSX.Element {
  const boxWidth = dialogWidth(width, screen);
  return (
    <Box position="absolute" marginLeft={Math.max(0, Math.floor((screen.columns - boxWidth) / 2))} marginTop={dialogTop(screen)} width={boxWidth}>
      <Box flexDirection="column" width={boxWidth} borderStyle="double" borderColor={tone === 'danger' ? theme.danger : theme.accent}>
        <DialogLine width={boxWidth} bold>{title}</DialogLine>
        {children}
      </Box>
    </Box>
  );
}

/** Columns for text inside a dialog of `width`: borders and a one-space margin each side. */
export function dialogTextWidth(width: number): number {
  return Math.max(1, width - 4);
}

/** `text` cut or padded to exactly `width` cells, control characters shown as `?`. */
export function padTo(text: string, width: number): string {
  return fitEnd(text, width);
}

/**
 * A text line covering the whole inside of the dialog, margins included, so
 * nothing of the panes below shows through (Ink does not paint padding).
 */
export function DialogLine({ width, children, color, bold }: { width: number; children: string; color?: string | undefined; bold?: boolean }): React.JSX.Element {
  return (
    <Text>
      {' '}
      <Text color={color} bold={bold}>{padTo(children, dialogTextWidth(width))}</Text>{' '}
    </Text>
  );
}
