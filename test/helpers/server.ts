/**
 * A real ferryd for tests: started in-process on 127.0.0.1, port 0, serving a
 * fresh temporary folder, logging nothing. `cleanup()` stops it and removes the folder.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../src/server/log.js';
import { startServer, type FerryServer, type ServerOptions } from '../../src/server/server.js';

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
  const root = opts.root ?? await fs.mkdtemp(path.join(os.tmpdir(), 'ferry-test-root-'));
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
      if (ownRoot) await fs.rm(root, { recursive: true, force: true });
    },
  };
}
