/**
 * The UI's config file, `config.json` in Ferry's config folder
 * ($XDG_CONFIG_HOME/ferry, else ~/.config/ferry; security/config-dir.ts):
 * transfers at once, reconnecting, colours and keys. It is read once at
 * start. Each bad entry is reported as "file: key: what is wrong" and
 * replaced by its default; the rest still applies, and the UI starts anyway.
 */
import path from 'node:path';
import { defaultConfigDir, readFileIfExists } from '../../security/config-dir.js';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY, MIN_CONCURRENCY } from '../state/transfers.js';
import { MIN_RATE, parseRate } from '../../client/rate-limit.js';
import { colourRoles, type ColourRole, type ThemeName } from '../theme.js';

export interface TuiConfig {
  /** Transfers that run at once (+/- in the queue change it while running). */
  concurrency: number;
  /** The queue's bandwidth limit in bytes per second (0: none; `L` changes it while running). */
  rateLimit: number;
  /** Tries of the automatic reconnect after a dropped connection; 0 leaves it to ^O. */
  reconnectTries: number;
  theme: ThemeName;
  colours: Partial<Record<ColourRole, string>>;
  /** `"context.command"` → key names, checked by keys/key-overrides.ts. */
  keys: Record<string, unknown>;
}

export const MAX_RECONNECT_TRIES = 20;

export const defaultTuiConfig: TuiConfig = {
  concurrency: DEFAULT_CONCURRENCY,
  rateLimit: 0,
  reconnectTries: 5,
  theme: 'colour',
  colours: {},
  keys: {},
};

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultConfigDir(env), 'config.json');
}

/** Ink's (chalk's) colour names; `#rrggbb` is accepted too. */
const colourNames = new Set([
  'black', 'red', 'green', 'yellow', 'blue', 'magenta', 'cyan', 'white', 'gray', 'grey',
  'blackBright', 'redBright', 'greenBright', 'yellowBright', 'blueBright', 'magentaBright', 'cyanBright', 'whiteBright',
]);

export interface ConfigReading {
  config: TuiConfig;
  /** One line per bad entry: `file: key: what is wrong`. */
  problems: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the config from its text; `file` only names it in the problems. */
export function parseTuiConfig(text: string, file: string): ConfigReading {
  const config: TuiConfig = { ...defaultTuiConfig, colours: {}, keys: {} };
  const problems: string[] = [];
  const problem = (key: string, what: string): void => void problems.push(`${file}: ${key}: ${what}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.push(`${file}: not valid JSON (${(error as Error).message}); using the defaults`);
    return { config, problems };
  }
  if (!isRecord(parsed)) {
    problems.push(`${file}: expected a JSON object ({ … }); using the defaults`);
    return { config, problems };
  }
  for (const [key, value] of Object.entries(parsed)) {
    switch (key) {
      case 'concurrency':
        if (Number.isInteger(value) && (value as number) >= MIN_CONCURRENCY && (value as number) <= MAX_CONCURRENCY) config.concurrency = value as number;
        else problem(key, `expected a whole number from ${MIN_CONCURRENCY} to ${MAX_CONCURRENCY}, got ${JSON.stringify(value)}`);
        break;
      case 'rateLimit': {
        const rate = typeof value === 'string' ? parseRate(value)
          : Number.isSafeInteger(value) && ((value as number) === 0 || (value as number) >= MIN_RATE) ? value as number : undefined;
        if (rate !== undefined) config.rateLimit = rate;
        else problem(key, `expected bytes per second: a rate like "500K" or "10M", a number from ${MIN_RATE}, or 0 for none; got ${JSON.stringify(value)}`);
        break;
      }
      case 'reconnectTries':
        if (Number.isInteger(value) && (value as number) >= 0 && (value as number) <= MAX_RECONNECT_TRIES) config.reconnectTries = value as number;
        else problem(key, `expected a whole number from 0 (off) to ${MAX_RECONNECT_TRIES}, got ${JSON.stringify(value)}`);
        break;
      case 'theme':
        if (value === 'colour' || value === 'monochrome') config.theme = value;
        else problem(key, `expected "colour" or "monochrome", got ${JSON.stringify(value)}`);
        break;
      case 'colours':
        if (!isRecord(value)) {
          problem(key, 'expected an object of role → colour, like { "accent": "magenta" }');
          break;
        }
        for (const [role, colour] of Object.entries(value)) {
          if (!(colourRoles as readonly string[]).includes(role)) problem(`${key}.${role}`, `no such role (roles: ${colourRoles.join(', ')})`);
          else if (typeof colour !== 'string' || !(colourNames.has(colour) || /^#[0-9a-f]{6}$/i.test(colour))) {
            problem(`${key}.${role}`, `expected a colour name (${[...colourNames].slice(0, 8).join(', ')}, …Bright) or #rrggbb, got ${JSON.stringify(colour)}`);
          } else config.colours[role as ColourRole] = colour;
        }
        break;
      case 'keys':
        if (isRecord(value)) config.keys = value;
        else problem(key, 'expected an object of command → keys, like { "pane.copy": ["F5", "c"] }');
        break;
      default:
        problem(key, 'unknown setting (settings: concurrency, rateLimit, reconnectTries, theme, colours, keys)');
    }
  }
  return { config, problems };
}

/** Reads the config file; a missing file is the defaults, an unreadable one a problem and the defaults. */
export async function readTuiConfig(file: string = defaultConfigFile()): Promise<ConfigReading> {
  let text: string | undefined;
  try {
    text = await readFileIfExists(file);
  } catch (error) {
    return { config: { ...defaultTuiConfig }, problems: [`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); using the defaults`] };
  }
  return text === undefined ? { config: { ...defaultTuiConfig }, problems: [] } : parseTuiConfig(text, file);
}
