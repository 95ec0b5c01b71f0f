/**
 * The config file's `keys`: new keys for commands of the keymap, written as
 * the help shows them (`F5`, `^R`, `S-Tab`, `Del`, `x`). An entry replaces
 * all keys of its command; a bad entry, or one that would take a key another
 * command of the same place already uses, is reported and leaves that
 * command's default keys alone.
 */
import { defaultBindings, describeKey, type Binding, type KeyContext, type KeyMatcher } from './keymap.js';

const namedKeys: Record<string, string> = {
  up: 'up', '↑': 'up', down: 'down', '↓': 'down', left: 'left', '←': 'left', right: 'right', '→': 'right',
  pgup: 'pageup', pageup: 'pageup', pgdn: 'pagedown', pagedown: 'pagedown', home: 'home', end: 'end',
  enter: 'return', return: 'return', esc: 'escape', escape: 'escape', tab: 'tab', bksp: 'backspace',
  backspace: 'backspace', del: 'delete', delete: 'delete', ins: 'insert', insert: 'insert', space: 'space',
};

/** A key as written in the help (`F5`, `^R`, `Ctrl-R`, `M-x`, `S-Tab`, `Del`, `x`), or undefined. */
export function parseKeyName(text: string): KeyMatcher | undefined {
  const modifier = /^(\^|ctrl-|c-)(.+)$/i.exec(text) ?? undefined;
  if (modifier) {
    const rest = modifier[2] ?? '';
    if (/^[a-z]$/i.test(rest)) return { name: rest.toLowerCase(), ctrl: true };
    const base = parseKeyName(rest);
    return base && base.name.length > 1 && !base.ctrl && !base.meta ? { ...base, ctrl: true } : undefined;
  }
  const meta = /^(m-|alt-|meta-)(.+)$/i.exec(text);
  if (meta) {
    const base = parseKeyName(meta[2] ?? '');
    return base && !base.ctrl && !base.meta ? { ...base, meta: true } : undefined;
  }
  const shift = /^(s-|shift-)(.+)$/i.exec(text);
  if (shift) {
    const base = parseKeyName(shift[2] ?? '');
    return base && base.name.length > 1 && !base.ctrl && !base.meta ? { ...base, shift: true } : undefined;
  }
  const fkey = /^f([1-9]|1[0-2])$/i.exec(text);
  if (fkey) return { name: `f${fkey[1]}` };
  const named = namedKeys[text.toLowerCase()];
  // Plain Tab is not Shift-Tab (parseKey names both `tab`).
  if (named) return named === 'tab' ? { name: 'tab', shift: false } : { name: named };
  // One printable character (letters keep their case: `G` is Shift-g).
  if ([...text].length === 1 && !/[\p{Cc}\s]/u.test(text)) return { name: text };
  return undefined;
}

export interface KeyOverrideResult {
  table: Binding[];
  /** `"name": what is wrong`, one per refused entry. */
  problems: { entry: string; problem: string }[];
}

/** Where a key is looked up before or after another: a key taken in a layer above hides the one below. */
const layersAbove: Partial<Record<KeyContext, KeyContext[]>> = {
  pane: ['anywhere'],
  queue: ['anywhere'],
  filter: ['anywhere'],
  global: ['anywhere', 'pane', 'queue'],
};

function sameKey(a: KeyMatcher, b: KeyMatcher): boolean {
  return (
    a.name === b.name &&
    Boolean(a.ctrl) === Boolean(b.ctrl) &&
    Boolean(a.meta) === Boolean(b.meta) &&
    (a.shift === undefined || b.shift === undefined || a.shift === b.shift)
  );
}

/**
 * Applies `overrides` (`"context.command"`, or `"command"` when only one
 * context has it → key names) to the default keymap.
 */
export function applyKeyOverrides(overrides: Record<string, unknown>, base: readonly Binding[] = defaultBindings): KeyOverrideResult {
  const problems: KeyOverrideResult['problems'] = [];
  const table = base.map((binding) => ({ ...binding }));
  const changed = new Map<Binding, string>();
  for (const [entry, value] of Object.entries(overrides)) {
    const dot = entry.indexOf('.');
    const context = dot >= 0 ? entry.slice(0, dot) : undefined;
    const command = dot >= 0 ? entry.slice(dot + 1) : entry;
    const matching = table.filter((binding) => binding.command === command && (context === undefined || binding.context === context));
    if (matching.length === 0) {
      problems.push({ entry, problem: 'no such command (the names are in docs/TUI.md, "Config file")' });
      continue;
    }
    if (matching.length > 1) {
      const contexts = matching.map((binding) => `${binding.context}.${command}`).join(', ');
      problems.push({ entry, problem: `the command is in several places; name one: ${contexts}` });
      continue;
    }
    const names = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(names) || names.length === 0 || !names.every((name) => typeof name === 'string')) {
      problems.push({ entry, problem: 'expected a key name or a non-empty list of them, like ["F5", "c"]' });
      continue;
    }
    const keys = names.map((name: string) => parseKeyName(name));
    const bad = names.filter((_, index) => keys[index] === undefined);
    if (bad.length > 0) {
      problems.push({ entry, problem: `not a key: ${bad.map((name) => JSON.stringify(name)).join(', ')} (write keys as F5, ^R, M-x, S-Tab, Del, x)` });
      continue;
    }
    const binding = matching[0] as Binding;
    binding.keys = keys as KeyMatcher[];
    changed.set(binding, entry);
  }
  // A changed command that takes a key used in its place (or hides one below) keeps its defaults.
  for (const [binding, entry] of changed) {
    const rivals = table.filter(
      (other) =>
        other !== binding &&
        (other.context === binding.context ||
          layersAbove[binding.context]?.includes(other.context) ||
          layersAbove[other.context]?.includes(binding.context)),
    );
    for (const key of binding.keys) {
      const rival = rivals.find((other) => other.keys.some((otherKey) => sameKey(otherKey, key)));
      if (!rival) continue;
      problems.push({ entry, problem: `key ${JSON.stringify(describeKey(key))} is already ${rival.context}.${rival.command}'s; default keys kept` });
      binding.keys = [...(base.find((original) => original.command === binding.command && original.context === binding.context)?.keys ?? [])];
      break;
    }
  }
  return { table, problems };
}
