/**
 * A real ferryd for tests: started in-process on 127.0.0.1, port 0, serving a
 * fresh temporary folder, logging nothing. `cleanup()` stops it and removes the folder.
 * `startConnectedTestServer` adds what most client tests start with: a
 * FerryClient connected to it and a temporary local folder.
 */
import { FerryClient } from '../../src/client/client.js';
import { silentLogger } from '../../src/server/log.js';
import { startServer, type FerryServer, type ServerOptions } from '../../src/server/server.js';
import { removeTempFolder, tempFolder } from './temp-folders.js';

export interface TestServer {
  server: FerryServer;
  /** The served folder (a temporary folder unless `opts.root` was given). */
  root: string;
  port: number;
  /** `ferry://127.0.0.1:PORT` */
  url: string;
  /** Stops the server (grace 0) and removes the temporary root. */
  cleanup(): Promise<void>;
}

export async function startTestServer(opts: Partial<ServerOptions> = {}): Promise<TestServer> {
  const ownRoot = opts.root === undefined;
  const root = opts.root ?? await tempFolder('ferry-test-root-');
  const server = await startServer({ logger: silentLogger, ...opts, root, host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  let cleaned = false;
  return {
    server,
    root,
    port: server.port,
    url: `ferry://127.0.0.1:${server.port}`,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await server.close(0);
      if (ownRoot) await removeTempFolder(root);
    },
  };
}

export interface ConnectedTestServer extends TestServer {
  /** Connected anonymously over plain TCP. */
  client: FerryClient;
  /** A temporary folder for the client's side of transfers. */
  local: string;
  /** Quits the client if still connected, stops the server, removes both folders. */
  cleanup(): Promise<void>;
}

/**
 * startTestServer, a FerryClient connected to it and a temporary local folder
 * named `localPrefix…`. In a suite: `before(async () => { ({ client, local } =
 * server = await startConnectedTestServer()); })` and `after(() => server.cleanup())`.
 */
export async function startConnectedTestServer(opts: Partial<ServerOptions> = {}, localPrefix = 'ferry-test-local-'): Promise<ConnectedTestServer> {
  const served = await startTestServer(opts);
  let local: string | undefined;
  try {
    local = await tempFolder(localPrefix);
    const client = await FerryClient.connect({ host: '127.0.0.1', port: served.port });
    const localFolder = local;
    return {
      ...served,
      client,
      local: localFolder,
      async cleanup() {
        try {
          if (client.connected) await client.quit();
        } finally {
          await served.cleanup();
          await removeTempFolder(localFolder);
        }
      },
    };
  } catch (error) {
    await served.cleanup();
    if (local !== undefined) await removeTempFolder(local);
    throw error;
  }
}
