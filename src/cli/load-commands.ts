/**
 * Loads the scriptable commands for `ferry` from their bundle
 * (dist/cli-bundle/ferry-commands.js, made by `npm run build`,
 * scripts/bundle-tui.ts): src/cli/ferry-commands.ts in one file, with a chunk
 * per remote kind that loads only for its URLs. Loading the same ~50 modules one by one spent most of
 * a short command's time resolving, reading and compiling them
 * (docs/PERFORMANCE.md, start-up). As for the UI there is no fallback to the
 * separate modules: what runs is what the tests and the bench measured.
 */
type CommandsModule = typeof import('./ferry-commands.js');

/** The commands' bundle, beside dist/src/ (this file is dist/src/cli/load-commands.js). */
export const COMMANDS_BUNDLE = new URL('../../cli-bundle/ferry-commands.js', import.meta.url);

export async function loadCommands(bundle: URL = COMMANDS_BUNDLE): Promise<CommandsModule | string> {
  try {
    return (await import(bundle.href)) as CommandsModule;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    return `the commands are not built (${bundle.pathname} is missing): run \`npm run build\``;
  }
}
