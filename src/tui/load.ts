/**
 * Loads the terminal UI (and with it Ink) for an interactive terminal.
 *
 * Ink decides once, when it is first imported, whether it runs under CI (the
 * is-in-ci package reads CI and CONTINUOUS_INTEGRATION): if so it draws no
 * frames, only the last one at exit, which leaves a user at a real terminal
 * with a blank screen. `ferry` is interactive whenever its input and output
 * are a terminal, whatever the environment says — a developer in a CI shell,
 * a test in a pseudo-terminal on a build machine. So those two variables are
 * hidden while Ink loads and put back at once: anything the UI starts later
 * sees the environment it was given.
 */
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export async function loadTuiForTerminal(
  stdin: { isTTY?: boolean } = process.stdin,
  stdout: { isTTY?: boolean } = process.stdout,
): Promise<typeof import('./app.js')> {
  if (stdin.isTTY !== true || stdout.isTTY !== true) return import('./app.js');
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of CI_VARIABLES) delete process.env[name];
  try {
    return await import('./app.js');
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
