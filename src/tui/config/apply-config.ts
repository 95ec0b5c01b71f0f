/**
 * Puts a read config into effect before the first frame: the theme every
 * component draws with and the keymap every key is matched against. Returns
 * the config's problems together with those of its keys.
 */
import { applyTheme, themeFor } from '../theme.js';
import { applyBindings } from '../keys/keymap.js';
import { applyKeyOverrides } from '../keys/key-overrides.js';
import { readTuiConfig, type ConfigReading } from './config-file.js';

export function applyTuiConfig(reading: ConfigReading, file: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const { config } = reading;
  applyTheme(themeFor(env, config.theme, config.colours));
  const keys = applyKeyOverrides(config.keys);
  applyBindings(keys.table);
  return [...reading.problems, ...keys.problems.map(({ entry, problem }) => `${file}: keys.${JSON.stringify(entry)}: ${problem}`)];
}

/** Reads `file` and applies it; what the UI starts with and the problems to show. */
export async function loadTuiConfig(file: string): Promise<ConfigReading> {
  const reading = await readTuiConfig(file);
  return { config: reading.config, problems: applyTuiConfig(reading, file) };
}
