/**
 * Several real `ferryd` processes on one shared root and one shared config
 * folder (users file, TLS certificate), each on its own loopback port: the
 * multi-instance deployment of docs/DEPLOY.md, minus the machines.
 */
import { spawnFerryd, type FerrydProcess, type FerrydProcessOptions } from '../helpers/ferryd-process.js';

export type FerrydInstance = FerrydProcess;
export type InstanceOptions = FerrydProcessOptions;

/** One instance. */
export function startFerryd(options: InstanceOptions): Promise<FerrydInstance> {
  return spawnFerryd(options);
}

/** `count` instances started together (they race for the shared config folder, as a real cluster's first start does). */
export function startInstances(count: number, options: InstanceOptions): Promise<FerrydInstance[]> {
  return Promise.all(Array.from({ length: count }, () => startFerryd(options)));
}
