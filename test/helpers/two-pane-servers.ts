/**
 * The set-up of the pseudo-terminal tests with both panes on servers: two
 * ferryd processes, the right one serving a sparse 1 GiB `big.bin` and the
 * left one `rel.bin`, and a home whose config.json holds transfers to 8 MiB/s,
 * so that keys reach them while they run (downloadRightAndCopyLeft in
 * terminal.ts starts one through each pane).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { spawnFerryd, type FerrydProcess } from './ferryd-process.js';

export interface TwoPaneServers {
  rightServer: FerrydProcess;
  leftServer: FerrydProcess;
  /** HOME, XDG_CONFIG_HOME and XDG_STATE_HOME for `ferry`, inside `home`. */
  env: Record<string, string>;
  home: string;
}

/** `makeTemp`: the test file's tempFolderMaker, which removes the folders after it. */
export async function startTwoPaneServers(makeTemp: (prefix: string) => Promise<string>, prefix: string): Promise<TwoPaneServers> {
  const home = await makeTemp(`${prefix}home-`);
  const right = { root: await makeTemp(`${prefix}right-`), configDir: await makeTemp(`${prefix}right-config-`) };
  const left = { root: await makeTemp(`${prefix}left-`), configDir: await makeTemp(`${prefix}left-config-`) };
  for (const file of [path.join(right.root, 'big.bin'), path.join(left.root, 'rel.bin')]) {
    await fs.writeFile(file, '');
    await fs.truncate(file, 1024 ** 3);
  }
  await fs.mkdir(path.join(home, 'config', 'ferry'), { recursive: true });
  await fs.writeFile(path.join(home, 'config', 'ferry', 'config.json'), JSON.stringify({ rateLimit: '8M' }));
  const rightServer = await spawnFerryd(right);
  const leftServer = await spawnFerryd(left);
  const env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), XDG_STATE_HOME: path.join(home, 'state') };
  return { rightServer, leftServer, env, home };
}
