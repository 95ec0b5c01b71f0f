import React from 'react';
import { Box, Text } from 'ink';

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

/**
 * A bordered box drawn over the panes (absolute position). Ink has no
 * z-order or background fill, so the content pads every line to the full
 * width and the dialog paints over what is under it.
 */
/** The width a dialog really gets on this screen. */
export function dialogWidth(preferred: number, screen: { columns: number }): number {
  return Math.max(20, Math.min(preferred, screen.columns - 2));
}

export function DialogFrame({ title, width, screen, tone = 'normal', children }: DialogFrameProps): React.JSX.Element {
  const boxWidth = dialogWidth(width, screen);
  return (
    <Box position="absolute" marginLeft={Math.max(0, Math.floor((screen.columns - boxWidth) / 2))} marginTop={2} width={boxWidth}>
      <Box flexDirection="column" width={boxWidth} borderStyle="double" borderColor={tone === 'danger' ? 'red' : 'cyan'} paddingX={1}>
        <Text bold>{title.padEnd(boxWidth - 4)}</Text>
        {children}
      </Box>
    </Box>
  );
}

/** A text line padded to the dialog's inner width so it covers the panes below. */
export function DialogLine({ width, children, color, bold }: { width: number; children: string; color?: string; bold?: boolean }): React.JSX.Element {
  const inner = Math.max(1, width - 4);
  const text = [...children].length > inner ? [...children].slice(0, inner - 1).join('') + '~' : children.padEnd(inner);
  return <Text color={color} bold={bold}>{text}</Text>;
}
