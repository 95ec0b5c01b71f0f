/**
 * `ferry --demo` (what `npm start` runs): a throw-away folder pair under the
 * system temp folder, `local/` for the left pane and `remote/` served by an
 * in-process ferryd on an ephemeral loopback port, so a newcomer sees a
 * working dual pane with one command and nothing outside the demo folder is
 * touched.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
