/**
 * The UI's colours by role, in one place: components ask for `theme.danger`,
 * not `'red'`. With NO_COLOR set to anything but the empty string
 * (https://no-color.org) every role is undefined, so nothing is coloured;
 * bold, dim and inverse stay, since they are not colours and the cursor and
 * the selection are drawn with them. The config file (config/config-file.ts)
 * picks the monochrome theme or other colours for some roles: applyTheme
 * changes this module's `theme` in place before the first frame.
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

/** The roles a config file may colour (hintKey is the hint bar's key label). */
export const colourRoles = ['accent', 'danger', 'warning', 'success', 'muted', 'directory', 'symlink', 'hintKey'] as const;
export type ColourRole = (typeof colourRoles)[number];

export type ThemeName = 'colour' | 'monochrome';

/**
 * The theme for an environment and the user's choice: no colours when
 * NO_COLOR is set and not empty (it wins over the config, as no-color.org
 * asks) or the monochrome theme is chosen; otherwise the default colours
 * with `overrides` for some roles.
 */
export function themeFor(env: NodeJS.ProcessEnv, name: ThemeName = 'colour', overrides: Partial<Record<ColourRole, string>> = {}): Theme {
  if (env.NO_COLOR || name === 'monochrome') return { ...noColours, hintKey: { ...noColours.hintKey } };
  const { hintKey, ...roles } = overrides;
  return {
    ...colours,
    ...roles,
    hintKey: hintKey === undefined ? { ...colours.hintKey } : { color: 'black', backgroundColor: hintKey, inverse: false },
  };
}

/** The theme of this process: from the environment at start, then the config file's (applyTheme). */
export const theme: Theme = themeFor(process.env);

/** Makes `next` the theme every component reads (before the first frame: components read it while drawing). */
export function applyTheme(next: Theme): void {
  Object.assign(theme, next);
}
