/**
 * `--exclude GLOB`, as rsync reads it: a pattern without `/` is matched
 * against the name of every entry at any depth (`*.tmp`, `node_modules`); a
 * pattern with `/` against the whole path below the top (`build/cache`, a
 * leading `/` allowed). An excluded folder excludes everything in it. `*`
 * and `?` stay within one name, `**` crosses folders, `[abc]` and `[!abc]`
 * are character classes. A trailing `/` (`logs/`) matches folders only.
 */
interface Rule {
  pattern: RegExp;
  /** Matched against the whole path rather than one name. */
  anchored: boolean;
  foldersOnly: boolean;
}

export class ExcludeRules {
  private readonly rules: Rule[];

  constructor(globs: readonly string[]) {
    this.rules = globs.filter((glob) => glob !== '').map((glob) => {
      const foldersOnly = glob.endsWith('/');
      const body = glob.replace(/\/+$/, '');
      const anchored = body.includes('/');
      return { pattern: globToRegExp(body.replace(/^\/+/, '')), anchored, foldersOnly };
    });
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Whether `path` (a folder when `isFolder`), or a folder above it, is excluded. */
  excludes(path: string, isFolder: boolean): boolean {
    if (this.rules.length === 0) return false;
    const parts = path.split('/');
    for (let depth = 1; depth <= parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('/');
      // Every component above the last is a folder.
      const folder = depth < parts.length || isFolder;
      for (const rule of this.rules) {
        if (rule.foldersOnly && !folder) continue;
        if (rule.pattern.test(rule.anchored ? prefix : parts[depth - 1]!)) return true;
      }
    }
    return false;
  }
}

export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        // `**/` also matches no folder at all (`**/x` matches `x`).
        if (glob[i + 1] === '/') {
          i++;
          out += '(?:.*/)?';
        } else {
          out += '.*';
        }
      } else {
        out += '[^/]*';
      }
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      let body = glob.slice(i + 1, end);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]]/g, '\\$&')}]`;
      i = end;
    } else {
      out += c.replace(/[.+^${}()|\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${out}$`, 's');
}
