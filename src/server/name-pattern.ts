/**
 * FIND's name patterns (docs/PROTOCOL.md §6, Find): a glob matched against
 * one entry's name (its last component), as the protocol defines it so every
 * server answers alike. `*` is any run of characters, `?` one character,
 * `[abc]`, `[a-z]` and `[!abc]` one character of (not of) a set, `\` makes
 * the next character literal; everything else stands for itself. Characters
 * are Unicode code points. Matching runs on a regular expression built once
 * per request, without backtracking blow-ups (`*` becomes a lazy `.*`, and a
 * pattern is at most a path's length).
 */
import { ErrorCode, FerryError } from '../protocol/errors.js';

export type NameMatcher = (name: string) => boolean;

/** The matcher for `pattern`; the empty pattern matches every name. INVALID_PATH for an unclosed `[`. */
export function compileNamePattern(pattern: string, ignoreCase: boolean): NameMatcher {
  if (pattern === '') return () => true;
  const expression = new RegExp(`^${globToRegExpSource(pattern)}$`, ignoreCase ? 'iu' : 'u');
  return (name) => expression.test(name);
}

function globToRegExpSource(pattern: string): string {
  const chars = [...pattern];
  let source = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      // Runs of stars are one star: keeps the expression linear.
      while (chars[i + 1] === '*') i++;
      source += '.*';
    } else if (c === '?') {
      source += '.';
    } else if (c === '\\' && i + 1 < chars.length) {
      source += escapeLiteral(chars[++i]!);
    } else if (c === '[') {
      const closing = setEnd(chars, i);
      if (closing < 0) throw new FerryError(ErrorCode.INVALID_PATH, `pattern has an unclosed [: ${pattern}`);
      source += setSource(chars.slice(i + 1, closing));
      i = closing;
    } else {
      source += escapeLiteral(c);
    }
  }
  return source;
}

/** Index of the `]` closing the set opened at `open` (a `]` right after `[` or `[!` is a member), or -1. */
function setEnd(chars: readonly string[], open: number): number {
  let i = open + 1;
  if (chars[i] === '!') i++;
  if (chars[i] === ']') i++;
  for (; i < chars.length; i++) {
    if (chars[i] === '\\') i++;
    else if (chars[i] === ']') return i;
  }
  return -1;
}

function setSource(members: readonly string[]): string {
  let negated = false;
  let start = 0;
  if (members[0] === '!') {
    negated = true;
    start = 1;
  }
  let body = '';
  for (let i = start; i < members.length; i++) {
    const c = members[i]!;
    if (c === '\\' && i + 1 < members.length) {
      body += escapeInSet(members[++i]!);
    } else if (c === '-' && i > start && i + 1 < members.length) {
      body += '-';
    } else {
      body += escapeInSet(c);
    }
  }
  return `[${negated ? '^' : ''}${body}]`;
}

function escapeLiteral(c: string): string {
  return /[\\^$.*+?()[\]{}|/-]/u.test(c) ? `\\${c}` : c;
}

function escapeInSet(c: string): string {
  return /[\\\]^[-]/u.test(c) ? `\\${c}` : c;
}
