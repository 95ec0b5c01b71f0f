#!/usr/bin/env node
/**
 * `ferry` entry point. The interactive UI's own invocations (`ferry`,
 * `ferry URL`, `ferry --demo`) go straight to the TUI's bundle
 * (src/tui/load.ts), so its first frame does not wait for the command-line
 * parser and the client library; every other invocation goes to the
 * scriptable commands (their own bundle, src/cli/load-commands.ts), which
 * never load Ink or React. Anything unusual
 * (flags, more arguments) takes the full parser. `ferry --version` and
 * `ferry --help` alone are answered here, from two small modules, before
 * either bundle loads: they need neither the parser nor the client library
 * (docs/PERFORMANCE.md, start-up).
 */
const argv = process.argv.slice(2);
const [first] = argv;
// `ferry @NAME` goes through the commands, which read the bookmark first.
const opensUi =
  argv.length === 0 || (argv.length === 1 && (first === '--demo' || /^(ferrys?|sftp|ftps?):\/\//i.test(first ?? '')));

try {
  if (argv.length === 1 && first === '--version') {
    const { packageInfo } = await import('../cli/package-info.js');
    process.stdout.write(`${packageInfo(import.meta.url).version ?? 'unknown'}\n`);
  } else if (argv.length === 1 && (first === '--help' || first === '-h')) {
    const { helpText } = await import('../cli/ferry-help.js');
    process.stdout.write(helpText());
  } else if (opensUi) {
    const demo = first === '--demo';
    const { startTui } = await import('../tui/load.js');
    // The demo's server is the command line's to start: the UI never loads server code.
    const startDemo = demo ? (await import('../cli/demo.js')).startDemo : undefined;
    process.exitCode = await startTui({ url: demo ? undefined : first, demo: startDemo, password: process.env.FERRY_PASSWORD });
  } else {
    const { loadCommands } = await import('../cli/load-commands.js');
    const commands = await loadCommands();
    if (typeof commands === 'string') {
      process.stderr.write(`ferry: ${commands}\n`);
      process.exitCode = 1;
    } else {
      process.exitCode = await commands.runFerry(argv);
    }
  }
} catch (error) {
  // Both paths report the failures they expect; anything else is a bug: say so, with where, and exit 1.
  process.stderr.write(`ferry: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
}
