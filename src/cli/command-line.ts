/**
 * The command line of `ferry`, parsed with Node's own util.parseArgs from
 * meow-shaped flag definitions (`{ type, shortFlag, default }`, camelCase
 * names written kebab-case on the command line).
 *
 * Why not meow: importing it runs its bundled dependencies' set-up
 * (normalize-package-data, spdx-correct, semver), about 70 ms of CPU profile
 * in every `ferry` command, which took `ferry --version` to twice the time of
 * `node -e 0` (docs/PERFORMANCE.md, start-up).
 */
import { parseArgs } from 'node:util';

export interface FlagDefinition {
  type: 'boolean' | 'string';
  shortFlag?: string;
  /** More one-letter flags for the same option (`-R` beside `-r`). */
  aliases?: readonly string[];
  /** May be given more than once; the value is then every one given, in order. */
  isMultiple?: boolean;
  default?: boolean | string | string[];
}

export interface CommandLine<Names extends string> {
  /** The arguments that are not options, in order. */
  input: string[];
  flags: Record<Names, boolean | string | string[] | undefined>;
  /** Options not defined, as written (`-x`, `--such`). */
  unknown: string[];
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

export function parseCommandLine<Names extends string>(
  argv: readonly string[], definitions: Readonly<Record<Names, FlagDefinition>>,
): CommandLine<Names> {
  const byOption = new Map<string, Names>();
  const options: Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }> = {};
  for (const name of Object.keys(definitions) as Names[]) {
    const definition = definitions[name];
    byOption.set(kebab(name), name);
    options[kebab(name)] = {
      type: definition.type,
      ...(definition.shortFlag ? { short: definition.shortFlag } : {}),
      ...(definition.isMultiple ? { multiple: true } : {}),
    };
    // util.parseArgs gives an option one short form; each alias is an option of its own, mapped back.
    for (const alias of definition.aliases ?? []) {
      byOption.set(`alias-${alias}`, name);
      options[`alias-${alias}`] = { type: definition.type, short: alias };
    }
  }
  const { values, positionals } = parseArgs({ args: [...argv], options, strict: false, allowPositionals: true });
  const flags = {} as Record<Names, boolean | string | string[] | undefined>;
  for (const name of Object.keys(definitions) as Names[]) flags[name] = definitions[name].default;
  const unknown: string[] = [];
  for (const [option, value] of Object.entries(values)) {
    const name = byOption.get(option);
    // `--no-recursive` turns a boolean off, as it did with meow.
    const negated = option.startsWith('no-') ? byOption.get(option.slice(3)) : undefined;
    if (name !== undefined) flags[name] = value;
    else if (negated !== undefined && definitions[negated].type === 'boolean' && value === true) flags[negated] = false;
    else unknown.push(option.length === 1 ? `-${option}` : `--${option}`);
  }
  return { input: positionals, flags, unknown };
}

// Kept here too for the callers that import it with the parser.
export { packageInfo } from './package-info.js';
