/**
 * The UI's colours by role, in one place: components ask for `theme.danger`,
 * not `'red'`. With NO_COLOR set to anything but the empty string
 * (https://no-color.org) every role is undefined, so nothing is coloured;
 * bold, dim and inverse stay, since they are not colours and the cursor and
 * the selection are drawn with them. Later this is where configured colours
 * come in.
 */

/** An Ink colour name, or undefined for the terminal's own colour. */
export type Colour = string | undefined;

export interface Theme {
  /** Active pane's border and location, dialog frames, the transfer panel's title when focused. */
  accent: Colour;
  /** Errors, failed transfers, frames of destructive questions. */
  danger: Colour;
  /** Work in progress, placeholders, selected entries. */
  warning: Colour;
  /** Connected, finished transfers. */
  success: Colour;
  /** Inactive pane border, disconnected, skipped transfers. */
  muted: Colour;
  /** Folder rows. */
  directory: Colour;
  /** Symbolic link rows. */
  symlink: Colour;
  /** The key of a hint in the hint bar (`F5`): coloured, or inverse when there are no colours. */
  hintKey: { color: Colour; backgroundColor: Colour; inverse: boolean };
}

const colours: Theme = {
  accent: 'cyan',
  danger: 'red',
  warning: 'yellow',
  success: 'green',
  muted: 'gray',
  directory: 'blue',
  symlink: 'cyan',
  hintKey: { color: 'black', backgroundColor: 'cyan', inverse: false },
};

const noColours: Theme = {
  accent: undefined,
  danger: undefined,
  warning: undefined,
  success: undefined,
  muted: undefined,
  directory: undefined,
  symlink: undefined,
  hintKey: { color: undefined, backgroundColor: undefined, inverse: true },
};

/** The theme for an environment: no colours when NO_COLOR is set and not empty. */
export function themeFor(env: NodeJS.ProcessEnv): Theme {
  return env.NO_COLOR ? noColours : colours;
}

/** The theme of this process, read once at start. */
export const theme: Theme = themeFor(process.env);
