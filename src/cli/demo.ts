/**
 * `ferry --demo` (what `npm start` runs): a throw-away folder pair under the
 * system temp folder, `local/` for the left pane and `remote/` served by an
 * in-process ferryd on an ephemeral loopback port, so a newcomer sees a
 * working dual pane with one command and nothing outside the demo folder is
 * touched. The UI gets `startDemo` and calls it once it has a terminal; it
 * never loads the server itself.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../server/server.js';
import { silentLogger } from '../server/log.js';
import type { StartedDemo } from '../tui/connect-params.js';

export interface DemoFolders {
  base: string;
  local: string;
  remote: string;
}

const readme = `Welcome to the Ferry demo.

The left pane is a local folder, the right pane is served by a ferryd
started just for this demo. Tab switches panes, F5 copies to the other
pane, F8 deletes, F7 makes a folder, F1 shows every key, F10 quits.
`;

/** Creates the demo folders with a few sample files and folders. */
export async function createDemoFolders(base?: string): Promise<DemoFolders> {
  const root = base ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-demo-')));
  const local = path.join(root, 'local');
  const remote = path.join(root, 'remote');
  const files: [string, string | Buffer][] = [
    [path.join(remote, 'README.txt'), readme],
    [path.join(remote, 'notes', 'todo.md'), '# To do\n\n- try F5 on a folder\n- resume a cancelled transfer (p, then r)\n'],
    [path.join(remote, 'notes', 'ideas.md'), '# Ideas\n\nSync two folders.\n'],
    [path.join(remote, 'photos', 'harbour.raw'), Buffer.alloc(3 * 1024 * 1024, 7)],
    [path.join(remote, 'photos', 'lighthouse.raw'), Buffer.alloc(1024 * 1024, 3)],
    [path.join(remote, 'data', 'measurements.csv'), Array.from({ length: 2000 }, (_, i) => `${i},${(i * 0.37).toFixed(2)}`).join('\n')],
    [path.join(remote, 'big-file.bin'), Buffer.alloc(48 * 1024 * 1024, 1)],
    [path.join(remote, '.hidden-config'), 'shown with the . key\n'],
    [path.join(local, 'hello.txt'), 'Hello from the local side. Upload me with F5 or u.\n'],
    [path.join(local, 'report.pdf'), Buffer.alloc(512 * 1024, 9)],
    [path.join(local, 'project', 'main.ts'), 'console.log("ferry");\n'],
    [path.join(local, 'project', 'package.json'), '{ "name": "demo" }\n'],
  ];
  for (const [file, content] of files) {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
  return { base: root, local, remote };
}

/** How long the demo server waits for open sessions when the UI ends. */
const SERVER_CLOSE_MS = 200;

/** Makes the demo folders and serves `remote/` on a loopback port; `close` removes it all. */
export async function startDemo(): Promise<StartedDemo> {
  const folders = await createDemoFolders();
  try {
    // The demo server must not write over the screen.
    const server = await startServer({ root: folders.remote, host: '127.0.0.1', port: 0, logger: silentLogger });
    return {
      initial: { host: '127.0.0.1', port: server.port, user: '', password: '', path: '/', tls: 'off' },
      localPath: folders.local,
      close: async () => {
        await server.close(SERVER_CLOSE_MS).catch(() => undefined);
        await fs.rm(folders.base, { recursive: true, force: true }).catch(() => undefined);
      },
    };
  } catch (error) {
    await fs.rm(folders.base, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}
