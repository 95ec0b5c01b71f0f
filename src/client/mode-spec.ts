/**
 * `ferry chmod`'s MODE argument as the change CHMD carries (bits cleared,
 * then bits set): octal (`644`, `0755`) replaces all twelve bits; symbolic
 * clauses as chmod(1) writes them (`u+x`, `go-w`, `a=r,u+w`, `+x`) change
 * only the bits they name. A clause without `ugo`/`a` means `a` (there is no
 * umask on the other side to honour). `X` is not supported: whether it
 * applies depends on each file, which one change for a whole tree cannot say.
 */
import type { ModeChange } from './types.js';

const WHO_BITS: Record<string, number> = { u: 0o4700, g: 0o2070, o: 0o1007 };
const PERMISSION_BITS: Record<string, number> = { r: 0o444, w: 0o222, x: 0o111, s: 0o6000, t: 0o1000 };

/** The change `spec` asks for, or undefined when it is not a mode. */
export function parseModeSpec(spec: string): ModeChange | undefined {
  if (/^[0-7]{1,4}$/.test(spec)) return { clear: 0o7777, set: Number.parseInt(spec, 8) };
  let change: ModeChange = { clear: 0, set: 0 };
  for (const clause of spec.split(',')) {
    const match = /^([ugoa]*)([-+=])([rwxst]*)$/.exec(clause);
    if (!match) return undefined;
    const [, whoLetters, operator, permissionLetters] = match as unknown as [string, string, string, string];
    const who = [...(whoLetters === '' || whoLetters.includes('a') ? 'ugo' : whoLetters)]
      .reduce((bits, letter) => bits | WHO_BITS[letter]!, 0);
    const permissions = [...permissionLetters].reduce((bits, letter) => bits | PERMISSION_BITS[letter]!, 0) & who;
    const step: ModeChange = operator === '+' ? { clear: 0, set: permissions }
      : operator === '-' ? { clear: permissions, set: 0 }
        : { clear: who, set: permissions };
    change = compose(change, step);
  }
  return change;
}

/** One change doing `first` then `second`: ((m & ~c1 | s1) & ~c2) | s2. */
function compose(first: ModeChange, second: ModeChange): ModeChange {
  return { clear: first.clear | second.clear, set: (first.set & ~second.clear) | second.set };
}
