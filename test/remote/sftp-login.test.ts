/**
 * Logging in to an SFTP server and trusting its host key, against a private
 * sshd (test/helpers/sshd.ts): key files (named, default, encrypted),
 * ssh-agent, password, keyboard-interactive, a refused login; unknown,
 * remembered, changed and hashed host keys; ~/.ssh/config aliases and
 * ProxyJump.
 *
 * Password and keyboard-interactive logins need a user with a password: the
 * helper makes a throwaway system user (useradd + chpasswd, root only, as the
 * tests run here and in CI) and removes it when the server stops.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ErrorCode, FerryError, isFerryError } from '../../src/protocol/errors.js';
import { openRemote, type OpenRemoteOptions, type PresentedKey } from '../../src/remote/open-remote.js';
import { parseRemoteUrl } from '../../src/remote/remote-url.js';
import { makeSshKey, startSshd, type PasswordUser, type Sshd } from '../helpers/sshd.js';
import { findSystemTool, skipUnlessInstalled } from '../helpers/system-tool.js';
import { tempFolderMaker } from '../helpers/temp-folders.js';

const makeTemp = tempFolderMaker();

function urlOf(server: Sshd, user = server.user): ReturnType<typeof parseRemoteUrl> {
  return parseRemoteUrl(`sftp://${user}@127.0.0.1:${server.port}/`);
}

function rejectsWith(code: number, message?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(isFerryError(error, code), `expected code ${code}, got ${String(error)}`);
    if (message) assert.match((error as Error).message, message);
    return true;
  };
}

async function connectAndQuit(url: ReturnType<typeof parseRemoteUrl>, options: OpenRemoteOptions): Promise<string> {
  const remote = await openRemote(url, options);
  const user = remote.description.user;
  await remote.list('.');
  await remote.quit();
  return user;
}

const sshdSkip = skipUnlessInstalled('sshd');

/** The throwaway user with a password; without root there is none: skipped locally, a failure under CI. */
function passwordUserOr(server: Sshd, t: { skip(message: string): void }): PasswordUser | undefined {
  if (server.passwordUser) return server.passwordUser;
  const reason = 'needs root to make a user with a password (useradd, chpasswd)';
  if (process.env.CI === 'true') throw new Error(`CI must run these tests: ${reason}`);
  t.skip(reason);
  return undefined;
}

void describe('SFTP logins', { skip: sshdSkip }, () => {
  let server: Sshd;

  before(async () => {
    server = await startSshd({ withPasswordUser: true });
    await server.trustHostKey();
  });

  after(async () => {
    await server?.stop();
  });

  void test('a key named with identityFile', async () => {
    assert.equal(await connectAndQuit(urlOf(server), { identityFile: server.clientKey, env: server.clientEnv() }), server.user);
  });

  void test('~/.ssh/id_ed25519 without naming it; the user defaults to the local one', async () => {
    const own = path.join(server.home, '.ssh', 'id_ed25519');
    await fs.copyFile(server.clientKey, own);
    await fs.chmod(own, 0o600);
    try {
      const url = parseRemoteUrl(`sftp://127.0.0.1:${server.port}/`);
      assert.equal(await connectAndQuit(url, { env: server.clientEnv() }), server.user);
    } finally {
      await fs.rm(own);
    }
  });

  void test('an encrypted key asks for its passphrase through askSecret', async () => {
    const keyDir = await makeTemp('ferry-sftp-key-');
    const key = path.join(keyDir, 'locked_key');
    makeSshKey(key, 'ed25519', 'open sesame');
    await server.authorize(await fs.readFile(`${key}.pub`, 'utf8'));
    const prompts: string[] = [];
    const askSecret = (prompt: string): Promise<string> => {
      prompts.push(prompt);
      return Promise.resolve(prompts.length === 1 ? 'wrong' : 'open sesame');
    };
    assert.equal(await connectAndQuit(urlOf(server), { identityFile: key, askSecret, env: server.clientEnv() }), server.user);
    assert.equal(prompts.length, 2, 'asked again after a wrong passphrase');
    assert.match(prompts[0]!, /^Passphrase for key .*locked_key/);
  });

  void test('keys of a running ssh-agent', { skip: skipUnlessInstalled('ssh-agent') }, async () => {
    const agentDir = await makeTemp('ferry-sftp-agent-');
    const socket = path.join(agentDir, 'agent.sock');
    const agent: ChildProcess = spawn(findSystemTool('ssh-agent')!, ['-D', '-a', socket], { stdio: 'ignore' });
    try {
      for (let waited = 0; !existsSync(socket) && waited < 100; waited++) await new Promise((resolve) => setTimeout(resolve, 50));
      const added = spawnSync(findSystemTool('ssh-add')!, [server.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      assert.equal(added.status, 0, added.stderr.toString());
      // No key file anywhere the client looks: only the agent can log in.
      assert.equal(await connectAndQuit(urlOf(server), { env: server.clientEnv({ SSH_AUTH_SOCK: socket }) }), server.user);
      await assert.rejects(openRemote(urlOf(server), { env: server.clientEnv() }), rejectsWith(ErrorCode.AUTH));
    } finally {
      agent.kill('SIGTERM');
    }
  });

  void test('a password from the URL, from the options, or asked', async (t) => {
    const user = passwordUserOr(server, t);
    if (!user) return;
    const env = server.clientEnv();
    const withPassword = parseRemoteUrl(`sftp://${user.name}:${encodeURIComponent(user.password)}@127.0.0.1:${server.port}/`);
    assert.equal(await connectAndQuit(withPassword, { env }), user.name);
    assert.equal(await connectAndQuit(urlOf(server, user.name), { password: user.password, env }), user.name);
    const asked: string[] = [];
    const askSecret = (prompt: string): Promise<string> => {
      asked.push(prompt);
      return Promise.resolve(user.password);
    };
    assert.equal(await connectAndQuit(urlOf(server, user.name), { askSecret, env }), user.name);
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, new RegExp(`Password for ${user.name}@127\\.0\\.0\\.1`));
  });

  void test('a wrong password is AUTH naming what was tried', async (t) => {
    const user = passwordUserOr(server, t);
    if (!user) return;
    await assert.rejects(
      openRemote(urlOf(server, user.name), { password: 'not the password', env: server.clientEnv() }),
      rejectsWith(ErrorCode.AUTH, new RegExp(`${user.name}@127\\.0\\.0\\.1:${server.port} refused the login; tried .*password`)),
    );
    await assert.rejects(
      openRemote(urlOf(server, user.name), { env: server.clientEnv() }),
      rejectsWith(ErrorCode.AUTH, /refused the login; tried nothing.*accepts publickey/),
    );
  });

  void test('a folder the user may not write to gives PERMISSION and leaves nothing behind', async (t) => {
    const user = passwordUserOr(server, t);
    if (!user) return;
    const locked = path.join(server.root, 'read-only');
    await fs.mkdir(locked, { mode: 0o755 });
    await fs.writeFile(path.join(locked, 'secret'), 's');
    await fs.chmod(path.join(locked, 'secret'), 0o600);
    const local = await makeTemp('ferry-sftp-perm-');
    await fs.writeFile(path.join(local, 'file'), 'data');
    const remote = await openRemote(urlOf(server, user.name), { password: user.password, env: server.clientEnv() });
    try {
      await assert.rejects(remote.upload(path.join(local, 'file'), path.join(locked, 'file')), rejectsWith(ErrorCode.PERMISSION));
      await assert.rejects(remote.mkdir(path.join(locked, 'sub')), rejectsWith(ErrorCode.PERMISSION));
      await assert.rejects(remote.delete(path.join(locked, 'secret')), rejectsWith(ErrorCode.PERMISSION));
      await assert.rejects(remote.download(path.join(locked, 'secret'), path.join(local, 'secret')), rejectsWith(ErrorCode.PERMISSION));
      assert.deepEqual((await fs.readdir(locked)).sort(), ['secret']);
      assert.ok(!existsSync(path.join(local, 'secret')) && !existsSync(path.join(local, '.secret.ferry-part')));
    } finally {
      await remote.quit();
    }
  });
});

void describe('SFTP keyboard-interactive login', { skip: sshdSkip }, () => {
  let server: Sshd;

  before(async () => {
    server = await startSshd({ withPasswordUser: true, password: false, keyboardInteractive: true });
    await server.trustHostKey();
  });

  after(async () => {
    await server?.stop();
  });

  void test('answers the server\'s prompts through askSecret', async (t) => {
    const user = passwordUserOr(server, t);
    if (!user) return;
    const prompts: string[] = [];
    const askSecret = (prompt: string): Promise<string> => {
      prompts.push(prompt);
      return Promise.resolve(user.password);
    };
    assert.equal(await connectAndQuit(urlOf(server, user.name), { askSecret, env: server.clientEnv() }), user.name);
    assert.equal(prompts.length, 1);
    assert.match(prompts[0]!, /password/i);
    // A password given up front answers the password prompt without asking.
    assert.equal(await connectAndQuit(urlOf(server, user.name), { password: user.password, env: server.clientEnv() }), user.name);
  });
});

void describe('SFTP host keys', { skip: sshdSkip }, () => {
  let server: Sshd;
  let knownHosts: string;

  before(async () => {
    server = await startSshd();
    knownHosts = path.join(server.home, '.ssh', 'known_hosts');
  });

  after(async () => {
    await server?.stop();
  });

  const options = (verifyNewKey?: (key: PresentedKey) => Promise<boolean>): OpenRemoteOptions => ({
    identityFile: server.clientKey, env: server.clientEnv(), ...(verifyNewKey ? { verifyNewKey } : {}),
  });

  void test('an unknown key is asked about, remembered in a new ~/.ssh/known_hosts, and not asked again', async () => {
    await fs.rm(path.join(server.home, '.ssh'), { recursive: true, force: true });
    const asked: PresentedKey[] = [];
    const verify = (key: PresentedKey): Promise<boolean> => {
      asked.push(key);
      return Promise.resolve(true);
    };
    await connectAndQuit(urlOf(server), options(verify));
    assert.equal(asked.length, 1);
    const fingerprint = spawnSync(findSystemTool('ssh-keygen')!, ['-l', '-E', 'sha256', '-f', path.join(server.dir, 'host_key.pub')]).stdout.toString().split(' ')[1];
    assert.deepEqual(asked[0], { kind: 'ssh', host: '127.0.0.1', port: server.port, fingerprint, algorithm: 'ssh-ed25519' });
    assert.equal((await fs.stat(path.join(server.home, '.ssh'))).mode & 0o777, 0o700);
    assert.equal((await fs.stat(knownHosts)).mode & 0o777, 0o600);
    assert.equal(await fs.readFile(knownHosts, 'utf8'), `[127.0.0.1]:${server.port} ${server.hostKeyLine}\n`);
    // OpenSSH reads what was written.
    const found = spawnSync(findSystemTool('ssh-keygen')!, ['-F', `[127.0.0.1]:${server.port}`, '-f', knownHosts]);
    assert.equal(found.status, 0);
    await connectAndQuit(urlOf(server), options(verify));
    assert.equal(asked.length, 1, 'the second connection is not asked');
  });

  void test('an unknown key refused by the person, or with nobody to ask, is TRUST', async () => {
    await fs.rm(knownHosts, { force: true });
    await assert.rejects(openRemote(urlOf(server), options(() => Promise.resolve(false))), rejectsWith(ErrorCode.TRUST, /not trusted/));
    await assert.rejects(openRemote(urlOf(server), options()), rejectsWith(ErrorCode.TRUST, /SHA256:/));
    // The asker's own refusal reaches the caller as it was given.
    await assert.rejects(
      openRemote(urlOf(server), options(() => Promise.reject(new FerryError(ErrorCode.TRUST, 'use --trust-new')))),
      (error: unknown) => isFerryError(error, ErrorCode.TRUST) && (error as Error).message === 'use --trust-new',
    );
    assert.ok(!existsSync(knownHosts));
  });

  void test('a changed key is refused without asking, naming the file and line of the old one', async () => {
    const other = path.join(await makeTemp('ferry-sftp-other-'), 'other_key');
    makeSshKey(other);
    const otherLine = (await fs.readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    await fs.writeFile(knownHosts, `# a comment\nexample.org ${otherLine}\n[127.0.0.1]:${server.port} ${otherLine}\n`);
    let asked = false;
    await assert.rejects(openRemote(urlOf(server), options(() => {
      asked = true;
      return Promise.resolve(true);
    })), rejectsWith(ErrorCode.TRUST, new RegExp(`REMOTE HOST IDENTIFICATION HAS CHANGED[^]*Offending ED25519 key in ${knownHosts.replace(/[.]/g, '\\.')}:3`)));
    assert.equal(asked, false);
  });

  void test('hashed entries (ssh-keygen -H) are matched, for the known key and for a changed one', async () => {
    await fs.writeFile(knownHosts, `[127.0.0.1]:${server.port} ${server.hostKeyLine}\n`);
    const hashed = spawnSync(findSystemTool('ssh-keygen')!, ['-H', '-f', knownHosts]);
    assert.equal(hashed.status, 0, hashed.stderr.toString());
    assert.match(await fs.readFile(knownHosts, 'utf8'), /^\|1\|/);
    await connectAndQuit(urlOf(server), options(() => Promise.reject(new Error('must not ask'))));

    const other = path.join(await makeTemp('ferry-sftp-other-'), 'other_key');
    makeSshKey(other);
    const otherLine = (await fs.readFile(`${other}.pub`, 'utf8')).split(' ').slice(0, 2).join(' ');
    await fs.writeFile(knownHosts, `[127.0.0.1]:${server.port} ${otherLine}\n`);
    assert.equal(spawnSync(findSystemTool('ssh-keygen')!, ['-H', '-f', knownHosts]).status, 0);
    await assert.rejects(openRemote(urlOf(server), options()), rejectsWith(ErrorCode.TRUST, /HAS CHANGED/));
  });
});

void describe('SFTP through ~/.ssh/config', { skip: sshdSkip }, () => {
  let server: Sshd;

  before(async () => {
    server = await startSshd({ tcpForwarding: true });
    await server.trustHostKey();
  });

  after(async () => {
    await server?.stop();
  });

  void test('a Host alias gives HostName, Port, User and IdentityFile', async () => {
    await fs.writeFile(path.join(server.home, '.ssh', 'config'), [
      'Host work', '  HostName 127.0.0.1', `  Port ${server.port}`, `  User ${server.user}`, `  IdentityFile ${server.clientKey}`, '',
    ].join('\n'));
    const remote = await openRemote(parseRemoteUrl('sftp://work/'), { env: server.clientEnv() });
    try {
      assert.equal(remote.description.host, '127.0.0.1');
      assert.equal(remote.description.port, server.port);
      assert.equal(remote.description.user, server.user);
      assert.equal(remote.description.origin, 'sftp://' + server.user + '@work');
      await remote.list('.');
    } finally {
      await remote.quit();
    }
  });

  void test('ProxyJump goes through one jump host', async () => {
    // The jump host is the same sshd: it forwards the session to its own port.
    await fs.writeFile(path.join(server.home, '.ssh', 'config'), [
      'Host target', '  HostName 127.0.0.1', `  Port ${server.port}`, `  IdentityFile ${server.clientKey}`, '  ProxyJump hop',
      'Host hop', '  HostName 127.0.0.1', `  Port ${server.port}`, `  IdentityFile ${server.clientKey}`, '',
    ].join('\n'));
    const remote = await openRemote(parseRemoteUrl('sftp://target/'), { env: server.clientEnv() });
    try {
      await remote.list('.');
    } finally {
      await remote.quit();
    }
  });
});
