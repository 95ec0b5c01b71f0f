/**
 * What ~/.ssh/config says about a host: the `Host` aliases a user already
 * types after `ssh` (listed in the connect dialog, usable as the host of an
 * sftp:// URL) and the settings an alias stands for (HostName, User, Port,
 * IdentityFile, ProxyJump). Parsing and the first-match-wins rules are the
 * ssh-config package's, which follows ssh_config(5).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import SSHConfig from 'ssh-config';

export interface SshHostSettings {
  /** The host to connect to (HostName), or the alias itself when none is set. */
  hostName: string;
  user?: string;
  port?: number;
  /** IdentityFile entries with `~` expanded, in order. */
  identityFiles: string[];
  /** ProxyJump's first hop (`[user@]host[:port]`), when set and not `none`. */
  proxyJump?: string;
}

export function sshDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.HOME && env.HOME !== '' ? env.HOME : os.homedir(), '.ssh');
}

export function defaultSshConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(sshDir(env), 'config');
}

/** The parsed file, or an empty config when there is none. A file that cannot be read for another reason throws. */
export async function readSshConfig(file: string = defaultSshConfigFile()): Promise<SSHConfig> {
  try {
    return SSHConfig.parse(await fs.readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new SSHConfig();
    throw error;
  }
}

/** The `Host` names written out in full (patterns with `*`, `?` or `!` are rules, not places to go). */
export function sshHostAliases(config: SSHConfig): string[] {
  const aliases: string[] = [];
  for (const line of config) {
    if (!('param' in line) || line.param.toLowerCase() !== 'host') continue;
    const values = typeof line.value === 'string' ? line.value.split(/\s+/) : line.value.map((part) => part.val);
    for (const value of values) if (value !== '' && !/[*?!]/.test(value) && !aliases.includes(value)) aliases.push(value);
  }
  return aliases;
}

/** What connecting to `alias` means (the first value of each setting wins, as in ssh). */
export function resolveSshHost(config: SSHConfig, alias: string, env: NodeJS.ProcessEnv = process.env): SshHostSettings {
  const computed = config.compute(alias);
  const first = (key: string): string | undefined => {
    const value = computed[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const home = env.HOME && env.HOME !== '' ? env.HOME : os.homedir();
  const expand = (file: string): string => (file === '~' || file.startsWith('~/') ? path.join(home, file.slice(1)) : file);
  const identity = computed.IdentityFile;
  const settings: SshHostSettings = {
    hostName: first('HostName') ?? alias,
    identityFiles: (Array.isArray(identity) ? identity : identity !== undefined ? [identity] : []).map(expand),
  };
  const user = first('User');
  if (user !== undefined) settings.user = user;
  const port = Number(first('Port'));
  if (Number.isInteger(port) && port >= 1 && port <= 65535) settings.port = port;
  const jump = first('ProxyJump');
  if (jump !== undefined && jump.toLowerCase() !== 'none') settings.proxyJump = jump.split(',')[0]!.trim();
  return settings;
}
