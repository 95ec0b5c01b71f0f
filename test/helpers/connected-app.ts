/**
 * The whole App connected to a real ferryd on loopback, on temporary folders
 * removed afterwards: what most behaviour tests of the UI start from.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, type TestServer } from './server.js';
import { loopback, renderApp } from './ink.js';

/** A temporary folder holding `files` (name → content) and the empty `folders`. */
export async function folderWith(files: Record<string, string>, folders: string[] = []): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-tui-behaviour-'));
  for (const folder of folders) await fs.mkdir(path.join(dir, folder), { recursive: true });
  for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
  return dir;
}

export interface ConnectedWorld {
  app: ReturnType<typeof renderApp>;
  server: TestServer;
  /** Stops the server, as a crash or a restart would. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and root. */
  restartServer(): Promise<void>;
}

/** The app in `local`, connected to a real ferryd serving `remoteRoot`; both folders are removed afterwards. */
export async function withConnectedApp(local: string, remoteRoot: string, run: (world: ConnectedWorld) => Promise<void>): Promise<void> {
  let server = await startTestServer({ root: remoteRoot });
  const port = server.port;
  const app = renderApp(local, { initial: loopback(port) });
  const world: ConnectedWorld = {
    app,
    get server() {
      return server;
    },
    stopServer: () => server.cleanup(),
    restartServer: async () => {
      server = await startTestServer({ root: remoteRoot, port });
    },
  };
  try {
    await run(world);
  } finally {
    app.unmount();
    await server.cleanup();
    await fs.rm(local, { recursive: true, force: true });
    await fs.rm(remoteRoot, { recursive: true, force: true });
  }
}
