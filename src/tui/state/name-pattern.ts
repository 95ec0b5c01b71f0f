/**
 * mc's shell patterns for selecting by name (`+`, `-`): `*` any run of
 * characters, `?` one character, `[abc]` one of them; everything else is
 * itself. Matched against the whole name, case-insensitively like the `/`
 * filter.
 */

/** The pattern as a RegExp over whole names. */
export function namePattern(pattern: string): RegExp {
  let source = '';
  const chars = [...pattern];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const close = chars.indexOf(']', index + 2);
      if (close < 0) source += '\\[';
      else {
        const body = chars.slice(index + 1, close).join('');
        const negated = body.startsWith('!') || body.startsWith('^');
        const set = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, (special) => `\\${special}`);
        source += `[${negated ? '^' : ''}${set}]`;
        index = close;
      }
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, (special) => `\\${special}`);
  }
  return new RegExp(`^${source}$`, 'isu');
}
