/**
 * Key bindings as data: every command of the TUI and the keys that trigger it.
 * Code asks "is this key Command X" (matchCommand) instead of comparing raw
 * characters, so a binding changes in one place and the help overlay and hint
 * bar are generated from the same table.
 */
import type { KeyPress } from './parse-key.js';

/**
 * Where a command applies. `anywhere` is asked before everything, whatever has
 * the focus; a dialog's own context (`question`, `conflict`, `help`, or
 * `text` then `dialog` for the forms) before the layers under it; `filter`
 * while `/` typing is on, before the pane.
 */
export type KeyContext =
  | 'anywhere' | 'global' | 'pane' | 'filter' | 'queue' | 'dialog' | 'text' | 'question' | 'conflict' | 'help'
  | 'viewer' | 'quick-search' | 'edit-conflict' | 'sync';

export type Command =
  // global
  | 'quit' | 'help' | 'disconnect' | 'reconnect' | 'connect-left' | 'focus-queue' | 'message-log'
  // pane navigation
  | 'up' | 'down' | 'page-up' | 'page-down' | 'home' | 'end' | 'enter' | 'parent' | 'switch-pane'
  | 'filter' | 'clear-filter' | 'toggle-hidden' | 'toggle-mode' | 'sort-name' | 'sort-size' | 'sort-time' | 'reverse-sort' | 'refresh'
  // `/` filter typing
  | 'filter-keep' | 'filter-clear' | 'filter-erase'
  // selection
  | 'select' | 'select-all' | 'unselect-all' | 'select-pattern' | 'unselect-pattern' | 'invert-selection' | 'compare'
  // operations
  | 'copy' | 'upload' | 'download' | 'rename' | 'mkdir' | 'delete' | 'chmod' | 'find'
  // transfer queue
  | 'cancel-transfer' | 'retry-transfer' | 'clear-finished'
  | 'pause-transfer' | 'more-at-once' | 'fewer-at-once' | 'bandwidth-limit'
  // form dialogs (connect, mkdir, rename)
  | 'confirm' | 'dismiss' | 'next-field' | 'previous-field' | 'find-select'
  // editing a text field
  | 'cursor-left' | 'cursor-right' | 'cursor-start' | 'cursor-end' | 'erase-back' | 'erase-forward' | 'erase-all'
  // yes/no questions
  | 'answer-yes' | 'answer-no' | 'toggle-answer'
  // the "target exists" dialog
  | 'conflict-overwrite' | 'conflict-update' | 'conflict-resume' | 'conflict-skip' | 'conflict-rename' | 'apply-to-all'
  | 'previous-choice' | 'next-choice'
  // the help overlay
  | 'scroll-up' | 'scroll-down' | 'scroll-page-up' | 'scroll-page-down'
  // viewing, editing, finding (docs/TUI.md, "View, edit, find")
  | 'view' | 'edit' | 'quick-search' | 'go-to'
  | 'scroll-left' | 'scroll-right' | 'scroll-home' | 'scroll-end' | 'search' | 'search-next' | 'toggle-hex' | 'close-viewer'
  | 'next-match' | 'end-quick-search' | 'edit-overwrite' | 'edit-keep-remote' | 'edit-save-copy'
  // comparing trees and the sync dialog (docs/SYNC.md)
  | 'compare-recursive' | 'sync' | 'sync-toggle-delete' | 'sync-toggle-checksum';

/** One key: a name from parseKey plus required modifiers. */
export interface KeyMatcher {
  name: string;
  ctrl?: boolean;
  meta?: boolean;
  /** Checked only when given (letters carry their case in the name already). */
  shift?: boolean;
}

export interface Binding {
  command: Command;
  context: KeyContext;
  keys: KeyMatcher[];
  /** Shown in the help overlay. */
  description: string;
  /** Short label for the hint bar; bindings without one stay out of it. */
  hint?: string;
}

const k = (name: string, modifiers: Omit<KeyMatcher, 'name'> = {}): KeyMatcher => ({ name, ...modifiers });
const ctrl = (name: string): KeyMatcher => ({ name, ctrl: true });

/** The keymap as shipped (docs/TUI.md's table lists these). */
export const defaultBindings: readonly Binding[] = [
  { command: 'quit', context: 'anywhere', keys: [ctrl('c')], description: 'Quit Ferry from anywhere (asks first while transfers run; again: quit)' },

  { command: 'help', context: 'global', keys: [k('f1'), k('?')], description: 'Show this help', hint: 'Help' },
  { command: 'quit', context: 'global', keys: [k('f10'), k('q')], description: 'Quit Ferry (asks first while transfers run)', hint: 'Quit' },
  { command: 'disconnect', context: 'global', keys: [ctrl('d'), k('f9')], description: 'Disconnect the active pane\'s server (QUIT), cancelling its transfers', hint: 'Disc' },
  { command: 'reconnect', context: 'global', keys: [ctrl('o')], description: "Reconnect a dropped session (the active pane's, else the right pane's) / open the connect dialog" },
  { command: 'connect-left', context: 'global', keys: [k('o', { meta: true }), k('O')], description: 'Connect the left pane to a server too (either pane may be remote; ^D in it disconnects it)' },
  { command: 'focus-queue', context: 'global', keys: [k('p')], description: 'Focus the transfer queue (and back)', hint: 'Queue' },
  { command: 'bandwidth-limit', context: 'global', keys: [k('L')], description: 'Limit the bandwidth of all transfers together (500K, 10M; empty: none)' },
  { command: 'message-log', context: 'global', keys: [ctrl('l')], description: "Message log: every message of this session, whole, with its time" },

  { command: 'up', context: 'pane', keys: [k('up'), k('k')], description: 'Cursor up' },
  { command: 'down', context: 'pane', keys: [k('down'), k('j')], description: 'Cursor down' },
  { command: 'page-up', context: 'pane', keys: [k('pageup'), ctrl('b')], description: 'Page up' },
  { command: 'page-down', context: 'pane', keys: [k('pagedown'), ctrl('f')], description: 'Page down' },
  { command: 'home', context: 'pane', keys: [k('home'), k('g')], description: 'First entry' },
  { command: 'end', context: 'pane', keys: [k('end'), k('G')], description: 'Last entry' },
  { command: 'enter', context: 'pane', keys: [k('return'), k('right'), k('l')], description: 'Enter folder' },
  { command: 'parent', context: 'pane', keys: [k('backspace'), k('left'), k('h')], description: 'Parent folder' },
  { command: 'switch-pane', context: 'pane', keys: [k('tab', { shift: false }), k('tab', { shift: true })], description: 'Switch pane' },
  { command: 'filter', context: 'pane', keys: [k('/')], description: 'Filter as you type (Enter keeps, Esc clears)' },
  { command: 'clear-filter', context: 'pane', keys: [k('escape')], description: 'Clear a kept filter (after / … Enter)' },
  { command: 'toggle-hidden', context: 'pane', keys: [k('.')], description: 'Show/hide hidden files' },
  { command: 'toggle-mode', context: 'pane', keys: [k('M')], description: 'Show/hide the permissions (mode) column' },
  { command: 'sort-name', context: 'pane', keys: [k('n')], description: 'Sort by name (again: reverse)' },
  { command: 'sort-size', context: 'pane', keys: [k('s')], description: 'Sort by size (again: reverse)' },
  { command: 'sort-time', context: 'pane', keys: [k('t')], description: 'Sort by time (again: reverse)' },
  { command: 'reverse-sort', context: 'pane', keys: [k('S')], description: 'Reverse the sort order' },
  { command: 'refresh', context: 'pane', keys: [ctrl('r'), k('f2')], description: 'Refresh (LIST)', hint: 'Refresh' },
  { command: 'select', context: 'pane', keys: [k('space'), k('insert')], description: 'Select/unselect and move down', hint: 'Sel' },
  { command: 'select-all', context: 'pane', keys: [k('a'), ctrl('a')], description: 'Select all' },
  { command: 'unselect-all', context: 'pane', keys: [ctrl('u')], description: 'Unselect all' },
  { command: 'select-pattern', context: 'pane', keys: [k('+')], description: 'Select the names matching a pattern (*.jpg; * offered)' },
  { command: 'unselect-pattern', context: 'pane', keys: [k('-')], description: 'Unselect the names matching a pattern (* offered: Enter unselects all)' },
  { command: 'invert-selection', context: 'pane', keys: [k('i'), k('*')], description: 'Invert selection' },
  { command: 'compare', context: 'pane', keys: [k('=')], description: 'Compare panes: select files that are newer, differ, or exist on one side only' },
  { command: 'compare-recursive', context: 'pane', keys: [k('D')], description: 'Compare panes with everything below (mc\'s C-x d): select entries holding files newer, different or on one side only' },
  { command: 'sync', context: 'pane', keys: [k('Y')], description: 'Sync: make the other pane\'s folder like this one; shows the plan, runs it in the queue' },
  { command: 'copy', context: 'pane', keys: [k('f5'), k('c')], description: "Copy to the other pane (upload, download, or between two local panes): asks where to, the other pane's folder offered", hint: 'Copy' },
  { command: 'upload', context: 'pane', keys: [k('u')], description: "Upload (UPLD) the local pane's selection to the remote folder, without asking (in the remote pane: only says so)", hint: 'Upload' },
  { command: 'download', context: 'pane', keys: [k('d')], description: "Download (DWLD) the remote pane's selection to the local folder, without asking (in the local pane: only says so)", hint: 'Download' },
  { command: 'rename', context: 'pane', keys: [k('f6'), k('r')], description: 'Rename/move', hint: 'Move' },
  { command: 'mkdir', context: 'pane', keys: [k('f7'), k('m')], description: 'Make folder', hint: 'Mkdir' },
  { command: 'delete', context: 'pane', keys: [k('f8'), k('delete'), k('x')], description: 'Delete (DELF) after confirmation', hint: 'Del' },
  { command: 'chmod', context: 'pane', keys: [k('P')], description: 'Change permission bits (CHMD) of the remote selection' },
  { command: 'find', context: 'pane', keys: [k('F')], description: 'Find on the active pane\'s server (FIND) below its folder' },

  { command: 'view', context: 'pane', keys: [k('f3')], description: 'View the file: text, or hex for binary (remote: streamed)', hint: 'View' },

  { command: 'edit', context: 'pane', keys: [k('f4')], description: 'Edit the file in $VISUAL/$EDITOR (remote: uploaded back if changed)', hint: 'Edit' },

  { command: 'quick-search', context: 'pane', keys: [ctrl('s'), k('s', { meta: true })], description: 'Quick search: type to jump to a name (^S again: next)' },
  { command: 'go-to', context: 'pane', keys: [ctrl('g')], description: 'Go to a folder or file: type its path' },

  { command: 'filter-keep', context: 'filter', keys: [k('return')], description: 'Keep the filter and stop typing' },
  { command: 'filter-clear', context: 'filter', keys: [k('escape')], description: 'Clear the filter' },
  { command: 'filter-erase', context: 'filter', keys: [k('backspace')], description: 'Erase the last character' },

  { command: 'up', context: 'queue', keys: [k('up'), k('k')], description: 'Previous transfer' },
  { command: 'down', context: 'queue', keys: [k('down'), k('j')], description: 'Next transfer' },
  { command: 'page-up', context: 'queue', keys: [k('pageup'), ctrl('b')], description: 'A page of transfers up' },
  { command: 'page-down', context: 'queue', keys: [k('pagedown'), ctrl('f')], description: 'A page of transfers down' },
  { command: 'home', context: 'queue', keys: [k('home'), k('g')], description: 'First transfer' },
  { command: 'end', context: 'queue', keys: [k('end'), k('G')], description: 'Last transfer' },
  { command: 'cancel-transfer', context: 'queue', keys: [k('x'), k('delete'), k('f8')], description: 'Cancel the highlighted transfer' },
  { command: 'retry-transfer', context: 'queue', keys: [k('r')], description: 'Resume/retry a failed or cancelled transfer' },
  { command: 'clear-finished', context: 'queue', keys: [k('C')], description: 'Clear finished transfers' },
  { command: 'pause-transfer', context: 'queue', keys: [k('space')], description: 'Pause the highlighted transfer, or resume it' },
  { command: 'more-at-once', context: 'queue', keys: [k('+')], description: 'Run one more transfer at once (up to 8)' },
  { command: 'fewer-at-once', context: 'queue', keys: [k('-')], description: 'Run one fewer transfer at once (down to 1)' },
  { command: 'dismiss', context: 'queue', keys: [k('escape'), k('tab')], description: 'Back to the panes' },

  { command: 'confirm', context: 'dialog', keys: [k('return')], description: 'Confirm' },
  { command: 'dismiss', context: 'dialog', keys: [k('escape')], description: 'Cancel' },
  { command: 'next-field', context: 'dialog', keys: [k('tab', { shift: false }), k('down')], description: 'Next field' },
  { command: 'previous-field', context: 'dialog', keys: [k('tab', { shift: true }), k('up')], description: 'Previous field' },
  { command: 'quit', context: 'dialog', keys: [k('f10')], description: 'Quit Ferry (connect dialog)' },
  { command: 'find-select', context: 'dialog', keys: [k('insert')], description: 'Go to the match and select it (find)' },

  { command: 'cursor-left', context: 'text', keys: [k('left')], description: 'Cursor left' },
  { command: 'cursor-right', context: 'text', keys: [k('right')], description: 'Cursor right' },
  { command: 'cursor-start', context: 'text', keys: [k('home'), ctrl('a')], description: 'Start of the field' },
  { command: 'cursor-end', context: 'text', keys: [k('end'), ctrl('e')], description: 'End of the field' },
  { command: 'erase-back', context: 'text', keys: [k('backspace')], description: 'Erase the character before the cursor' },
  { command: 'erase-forward', context: 'text', keys: [k('delete')], description: 'Erase the character under the cursor' },
  { command: 'erase-all', context: 'text', keys: [ctrl('u')], description: 'Erase the whole field' },

  { command: 'sync-toggle-delete', context: 'sync', keys: [k('d')], description: 'Also delete what is only in the target (--delete) on/off' },
  { command: 'sync-toggle-checksum', context: 'sync', keys: [k('c')], description: 'Compare files of equal size by content (--checksum) on/off' },
  { command: 'answer-yes', context: 'question', keys: [k('y'), k('Y')], description: 'Yes (delete, trust, quit)' },
  { command: 'answer-no', context: 'question', keys: [k('n'), k('N'), k('escape')], description: 'No' },
  { command: 'toggle-answer', context: 'question', keys: [k('left'), k('right'), k('tab', { shift: false }), k('tab', { shift: true })], description: 'Move between the buttons' },
  { command: 'confirm', context: 'question', keys: [k('return')], description: 'The highlighted button' },

  { command: 'conflict-overwrite', context: 'conflict', keys: [k('o')], description: 'Overwrite the existing target' },
  { command: 'conflict-update', context: 'conflict', keys: [k('u')], description: 'Overwrite only if the source is newer (files)' },
  { command: 'conflict-resume', context: 'conflict', keys: [k('r')], description: 'Resume an interrupted copy over it' },
  { command: 'conflict-skip', context: 'conflict', keys: [k('s'), k('escape')], description: 'Skip this transfer' },
  { command: 'conflict-rename', context: 'conflict', keys: [k('n')], description: 'Copy under a free name: name (1).ext' },
  { command: 'apply-to-all', context: 'conflict', keys: [k('a'), k('space')], description: 'Apply the answer to every conflict of the queue' },
  { command: 'previous-choice', context: 'conflict', keys: [k('left'), k('h')], description: 'Previous button' },
  { command: 'next-choice', context: 'conflict', keys: [k('right'), k('l'), k('tab', { shift: false })], description: 'Next button' },
  { command: 'confirm', context: 'conflict', keys: [k('return')], description: 'The highlighted button' },

  { command: 'scroll-up', context: 'help', keys: [k('up'), k('k')], description: 'Scroll up' },
  { command: 'scroll-down', context: 'help', keys: [k('down'), k('j')], description: 'Scroll down' },
  { command: 'scroll-page-up', context: 'help', keys: [k('pageup')], description: 'Scroll a page up' },
  { command: 'scroll-page-down', context: 'help', keys: [k('pagedown'), k('space')], description: 'Scroll a page down' },
  { command: 'scroll-home', context: 'help', keys: [k('home'), k('g')], description: 'Scroll to the top' },
  { command: 'scroll-end', context: 'help', keys: [k('end'), k('G')], description: 'Scroll to the end' },

  { command: 'next-match', context: 'quick-search', keys: [ctrl('s'), k('s', { meta: true })], description: 'Next name that matches' },
  { command: 'erase-back', context: 'quick-search', keys: [k('backspace')], description: 'Erase the last character' },
  { command: 'end-quick-search', context: 'quick-search', keys: [k('return'), k('escape')], description: 'Stop searching (any other key stops it and acts)' },

  { command: 'edit-overwrite', context: 'edit-conflict', keys: [k('o')], description: 'Overwrite the server\'s file with the edit' },
  { command: 'edit-keep-remote', context: 'edit-conflict', keys: [k('k')], description: 'Keep the server\'s file, drop the edit' },
  { command: 'edit-save-copy', context: 'edit-conflict', keys: [k('s'), k('escape')], description: 'Save the edit as a local copy' },

  { command: 'scroll-up', context: 'viewer', keys: [k('up'), k('k')], description: 'Line up' },
  { command: 'scroll-down', context: 'viewer', keys: [k('down'), k('j')], description: 'Line down' },
  { command: 'scroll-page-up', context: 'viewer', keys: [k('pageup'), ctrl('b')], description: 'Page up' },
  { command: 'scroll-page-down', context: 'viewer', keys: [k('pagedown'), ctrl('f'), k('space')], description: 'Page down' },
  { command: 'scroll-home', context: 'viewer', keys: [k('home'), k('g')], description: 'Start of the file' },
  { command: 'scroll-end', context: 'viewer', keys: [k('end'), k('G')], description: 'End of the file (remote text: reads up to it)' },
  { command: 'scroll-left', context: 'viewer', keys: [k('left')], description: 'Scroll left (text)' },
  { command: 'scroll-right', context: 'viewer', keys: [k('right')], description: 'Scroll right (text)' },
  { command: 'search', context: 'viewer', keys: [k('/')], description: 'Search forward (ASCII letters in either case)' },
  { command: 'search-next', context: 'viewer', keys: [k('n')], description: 'Next match' },
  { command: 'toggle-hex', context: 'viewer', keys: [k('h')], description: 'Text/hex' },
  { command: 'close-viewer', context: 'viewer', keys: [k('escape'), k('q'), k('f3'), k('f10')], description: 'Close the viewer (while searching: stop the search)' },

  { command: 'dismiss', context: 'help', keys: [k('escape'), k('q'), k('f10'), k('f1'), k('?'), k('return')], description: 'Close the help (and the message log)' },
];

/**
 * The keymap in use: the defaults, or with the config file's keys applied
 * (keys/key-overrides.ts) once at start, before the first key is read.
 */
export let bindings: readonly Binding[] = defaultBindings;

export function applyBindings(table: readonly Binding[]): void {
  bindings = table;
}

/** The keys bound to `command` in `context` (the first one is what buttons and hints show). */
export function keysFor(command: Command, context: KeyContext, table: readonly Binding[] = bindings): readonly KeyMatcher[] {
  return table.find((binding) => binding.command === command && binding.context === context)?.keys ?? [];
}

export function keyMatches(matcher: KeyMatcher, press: KeyPress): boolean {
  return (
    matcher.name === press.name &&
    Boolean(matcher.ctrl) === press.ctrl &&
    Boolean(matcher.meta) === press.meta &&
    (matcher.shift === undefined || matcher.shift === press.shift)
  );
}

/** The command a key means in a context, if any. */
export function matchCommand(press: KeyPress, context: KeyContext, table: readonly Binding[] = bindings): Command | undefined {
  for (const binding of table) {
    if (binding.context !== context) continue;
    if (binding.keys.some((matcher) => keyMatches(matcher, press))) return binding.command;
  }
  return undefined;
}

/** How a key is written in the hint bar and the help overlay: `F5`, `^R`, `Del`. */
export function describeKey(matcher: KeyMatcher): string {
  const names: Record<string, string> = {
    up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End',
    return: 'Enter', escape: 'Esc', tab: 'Tab', backspace: 'Bksp', delete: 'Del', insert: 'Ins', space: 'Space',
  };
  const base = /^f\d+$/.test(matcher.name) ? matcher.name.toUpperCase() : (names[matcher.name] ?? matcher.name);
  if (matcher.ctrl) return `^${base.toUpperCase()}`;
  if (matcher.meta) return `M-${base}`;
  if (matcher.shift === true) return `S-${base}`;
  return base;
}

/** Hint bar order: mc's function keys first, then the letters, quit last. */
const hintOrder: readonly Command[] = [
  'help', 'refresh', 'view', 'edit', 'copy', 'rename', 'mkdir', 'delete', 'upload', 'download', 'select', 'focus-queue', 'disconnect', 'quit',
];

/** The hint bar entries: first key of each hinted binding plus its label. */
export function hintEntries(table: readonly Binding[] = bindings): { key: string; label: string }[] {
  const hinted = table.filter((binding) => binding.hint !== undefined);
  const rank = (binding: Binding): number => {
    const index = hintOrder.indexOf(binding.command);
    return index < 0 ? hintOrder.length : index;
  };
  return [...hinted]
    .sort((a, b) => rank(a) - rank(b))
    .map((binding) => ({ key: describeKey(binding.keys[0] ?? { name: '?' }), label: binding.hint ?? '' }));
}
