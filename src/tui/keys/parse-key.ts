/**
 * Turns one raw terminal input sequence into a named key. Ink's own input hook
 * drops the names of function keys (F1..F12), which a file manager needs, so
 * the dispatcher reads raw sequences and names them here.
 */

export interface KeyPress {
  /**
   * Key name: a printable character as itself (`a`, `A`, `/`, `?`), or one of
   * `up down left right pageup pagedown home end insert delete return escape
   * tab backspace space f1..f12`, or `ctrl+<letter>` names via the `ctrl` flag.
   */
  name: string;
  ctrl: boolean;
  meta: boolean;
  shift: boolean;
  /** The raw sequence. */
  sequence: string;
}

const escapeSequences: Record<string, string> = {
  '[A': 'up', '[B': 'down', '[C': 'right', '[D': 'left',
  'OA': 'up', 'OB': 'down', 'OC': 'right', 'OD': 'left',
  '[H': 'home', '[F': 'end', 'OH': 'home', 'OF': 'end',
  '[1~': 'home', '[4~': 'end', '[7~': 'home', '[8~': 'end',
  '[2~': 'insert', '[3~': 'delete', '[5~': 'pageup', '[6~': 'pagedown',
  'OP': 'f1', 'OQ': 'f2', 'OR': 'f3', 'OS': 'f4',
  '[11~': 'f1', '[12~': 'f2', '[13~': 'f3', '[14~': 'f4',
  '[[A': 'f1', '[[B': 'f2', '[[C': 'f3', '[[D': 'f4', '[[E': 'f5',
  '[15~': 'f5', '[17~': 'f6', '[18~': 'f7', '[19~': 'f8',
  '[20~': 'f9', '[21~': 'f10', '[23~': 'f11', '[24~': 'f12',
  '[Z': 'tab',
};

function key(name: string, sequence: string, flags: Partial<Omit<KeyPress, 'name' | 'sequence'>> = {}): KeyPress {
  return { name, sequence, ctrl: false, meta: false, shift: false, ...flags };
}

export function parseKey(sequence: string): KeyPress {
  if (sequence === '\r' || sequence === '\n') return key('return', sequence);
  if (sequence === '\t') return key('tab', sequence);
  if (sequence === '\x7f' || sequence === '\b') return key('backspace', sequence);
  if (sequence === '\x1b' || sequence === '\x1b\x1b') return key('escape', sequence);
  if (sequence === ' ') return key('space', sequence);
  if (sequence.startsWith('\x1b')) {
    const body = sequence.slice(1);
    const named = escapeSequences[body];
    if (named) return key(named, sequence, { shift: body === '[Z' });
    // xterm modifiers: ESC [ 1 ; <mod> <letter> and ESC [ <n> ; <mod> ~
    const modified = /^\[(\d+);(\d+)([A-Z~])$/.exec(body);
    if (modified) {
      const [, code = '', mod = '1', final = ''] = modified;
      const base = final === '~' ? escapeSequences[`[${code}~`] : escapeSequences[`[${final}`] ?? escapeSequences[`O${final}`];
      const bits = Number(mod) - 1;
      if (base) return key(base, sequence, { shift: (bits & 1) !== 0, meta: (bits & 2) !== 0, ctrl: (bits & 4) !== 0 });
    }
    if (body.length === 1) return { ...parseKey(body), meta: true, sequence };
    return key('unknown', sequence);
  }
  if (sequence.length === 1) {
    const code = sequence.charCodeAt(0);
    if (code >= 1 && code <= 26) return key(String.fromCharCode(code + 96), sequence, { ctrl: true });
    if (code === 0) return key('space', sequence, { ctrl: true });
    return key(sequence, sequence, { shift: sequence !== sequence.toLowerCase() });
  }
  // A paste or a multi-character input: the dispatcher treats it as text.
  return key(sequence, sequence);
}
