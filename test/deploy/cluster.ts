/**
 * The deployment of docs/DEPLOY.md on one machine: `count` ferryd processes on
 * one shared root and config folder, behind HAProxy with the guide's
 * configuration, all on loopback ports in a temporary folder.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { startInstances, type FerrydInstance } from './ferryd-instances.js';
import { startDeployHaproxy, type HaproxyProcess } from '../helpers/haproxy.js';

export interface Cluster {
  /** The shared served folder. */
  root: string;
  /** The shared config folder (users file, TLS certificate). */
  configDir: string;
  instances: FerrydInstance[];
  haproxy: HaproxyProcess;
  /** Stops HAProxy and every instance still running. */
  stop(): Promise<void>;
}

export async function startCluster(dir: string, count: number, extra: readonly string[] = []): Promise<Cluster> {
  const root = path.join(dir, 'root');
  const configDir = path.join(dir, 'config');
  await fs.mkdir(root, { recursive: true });
  const instances = await startInstances(count, { root, configDir, extra });
  let haproxy: HaproxyProcess;
  try {
    haproxy = await startDeployHaproxy(dir, instances.map((instance) => instance.port));
  } catch (error) {
    await Promise.all(instances.map((instance) => instance.stop()));
    throw error;
  }
  return {
    root,
    configDir,
    instances,
    haproxy,
    async stop() {
      await haproxy.stop();
      await Promise.all(instances.map((instance) => instance.stop()));
    },
  };
}

/** Every file below `root`, dot files included, by relative path (with `/`). */
export async function filesBelow(root: string): Promise<string[]> {
  const entries = await fs.readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}
