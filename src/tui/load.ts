/**
 * Loads the terminal UI (and with it Ink) for `ferry`.
 *
 * What loads is the bundle `npm run build` makes (scripts/bundle-tui.ts):
 * src/tui/run-tui.tsx with Ink and React in a few files, which starts about three
 * times faster than the same modules one by one. There is no fallback to the
 * separate modules: without the bundle `ferry` says to build and stops, so
 * what runs at a terminal is always what the end-to-end tests and the bench
 * measured. (The component tests import src/tui directly.)
 *
 * Two things the bundle's dependencies read once, while their modules are
 * evaluated, are kept from them during the import and put back at once, so
 * anything the UI starts later sees the environment it was given:
 *
 * - CI and CONTINUOUS_INTEGRATION, at a terminal. Ink (through is-in-ci)
 *   decides then whether it runs under CI, and if so draws no frames, only
 *   the last one at exit, which leaves a user at a real terminal with a blank
 *   screen. `ferry` is interactive whenever its input and output are a
 *   terminal, whatever the environment says — a developer in a CI shell, a
 *   test in a pseudo-terminal on a build machine.
 * - DEV, always. DEV=true is Ink's switch for connecting to React DevTools;
 *   a user's DEV variable, set for something else, must not make `ferry`
 *   look for DevTools, and in the bundle Ink would then also fail to find
 *   its own package.json, which it reads on that path. (Developers debug the
 *   components through the sources.)
 * - The global `fetch`. Yoga (Ink's layout engine) is WebAssembly inlined as
 *   a data: URL, and its Emscripten loader reads it with `fetch` when there is
 *   one; in Node that first call loads Node's whole HTTP client (undici),
 *   about 40 ms of start-up. Without `fetch` the loader decodes the same
 *   base64 text itself.
 */
import type { TuiOptions } from './run-tui.js';

type TuiModule = typeof import('./run-tui.js');

/** The UI bundle: dist/tui-bundle/app.js, beside dist/src/ (this file is dist/src/tui/load.js). */
export const UI_BUNDLE = new URL('../../tui-bundle/app.js', import.meta.url);

const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;
const INK_DEVTOOLS_VARIABLE = 'DEV';

/** The UI bundle, or one of its chunks, is not there. */
export class MissingUiBundleError extends Error {
  constructor(bundle: URL, cause: unknown) {
    super(`the terminal UI is not built (${bundle.pathname} or a part of it is missing): run \`npm run build\``, { cause });
    this.name = 'MissingUiBundleError';
  }
}

/**
 * `ferry`'s way into the UI: loads it and runs it until the user quits;
 * resolves with the exit code. Without the bundle it says so in one line.
 */
export async function startTui(options: TuiOptions, stderr: { write(text: string): unknown } = process.stderr): Promise<number> {
  let tui: TuiModule;
  try {
    tui = await loadTuiForTerminal();
  } catch (error) {
    if (!(error instanceof MissingUiBundleError)) throw error;
    stderr.write(`ferry: ${error.message}\n`);
    return 1;
  }
  return tui.runTui(options);
}

export async function loadTuiForTerminal(
  stdin: { isTTY?: boolean } = process.stdin,
  stdout: { isTTY?: boolean } = process.stdout,
  bundle: URL = UI_BUNDLE,
): Promise<TuiModule> {
  const atTerminal = stdin.isTTY === true && stdout.isTTY === true;
  const restoreVariables = hideVariables(atTerminal ? [...CI_VARIABLES, INK_DEVTOOLS_VARIABLE] : [INK_DEVTOOLS_VARIABLE]);
  const restoreFetch = hideGlobalFetch();
  try {
    return await importBundle(bundle);
  } finally {
    restoreFetch();
    restoreVariables();
  }
}

/** Removes the variables from process.env; the function returned puts them back. */
function hideVariables(names: readonly string[]): () => void {
  const saved = names.map((name) => [name, process.env[name]] as const);
  for (const name of names) delete process.env[name];
  return () => {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  };
}

/** Removes `fetch` from the global object; the function returned puts the same property back. */
function hideGlobalFetch(): () => void {
  const property = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  if (property?.configurable !== true) return () => undefined;
  delete (globalThis as { fetch?: unknown }).fetch;
  return () => Object.defineProperty(globalThis, 'fetch', property);
}

async function importBundle(bundle: URL): Promise<TuiModule> {
  try {
    return (await import(bundle.href)) as TuiModule;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND') throw new MissingUiBundleError(bundle, error);
    throw error;
  }
}
