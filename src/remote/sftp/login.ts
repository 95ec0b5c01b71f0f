/**
 * How an SFTP session logs in, in ssh's order: the key files named for this
 * host (`-i`, a bookmark's key, IdentityFile), the keys of a running
 * ssh-agent (SSH_AUTH_SOCK), ~/.ssh/id_ed25519, id_ecdsa and id_rsa, then a
 * password and keyboard-interactive prompts. A first `none` attempt learns
 * which methods the server accepts, so nobody is asked for a password or a
 * passphrase the server would not take. Every secret comes from the URL, the
 * options or `askSecret`, one question at a time, when it is needed.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';
import type {
  AnyAuthMethod, AuthenticationType, AuthHandlerMiddleware, KeyboardInteractiveCallback, ParsedKey, Prompt,
} from 'ssh2';

export interface LoginSecrets {
  user: string;
  /** `user@host`, for the questions. */
  label: string;
  password?: string;
  askSecret?: (prompt: string) => Promise<string | undefined>;
  /** Key files named for this session, tried first, in order. */
  identityFiles: string[];
  /** The agent's socket (SSH_AUTH_SOCK), if any. */
  agentSocket?: string;
  /** ~/.ssh, where the default key files live. */
  sshDir: string;
  signal?: AbortSignal;
}

/** What was tried, for the message of a refused login. */
export interface LoginRecord {
  tried: string[];
  /** The methods the server said it accepts (after the first refusal). */
  accepted: string[] | undefined;
}

interface LoginStep {
  /** The SSH method the server must accept for the step to be worth trying. */
  method: AuthenticationType;
  label: string;
  make(): Promise<AnyAuthMethod | undefined>;
}

const DEFAULT_KEY_FILES = ['id_ed25519', 'id_ecdsa', 'id_rsa'];
const PASSPHRASE_ATTEMPTS = 3;

/** `~/.ssh/id_rsa` rather than the whole path, where it is under the home folder. */
function shortPath(file: string, sshDir: string): string {
  const home = path.dirname(sshDir);
  return file.startsWith(`${home}/`) ? `~/${file.slice(home.length + 1)}` : file;
}

async function readKeyFile(file: string): Promise<Buffer | undefined> {
  try {
    return await readFile(file);
  } catch {
    return undefined;
  }
}

/** The private key of `file`, asking for its passphrase (up to three times) when it is encrypted. */
async function loadKey(file: string, secrets: LoginSecrets): Promise<ParsedKey | undefined> {
  const data = await readKeyFile(file);
  if (!data) return undefined;
  const plain = ssh2.utils.parseKey(data);
  if (!(plain instanceof Error)) return plain.isPrivateKey() ? plain : undefined;
  if (!/passphrase/i.test(plain.message) || !secrets.askSecret) return undefined;
  for (let attempt = 0; attempt < PASSPHRASE_ATTEMPTS; attempt++) {
    const passphrase = await secrets.askSecret(`Passphrase for key ${shortPath(file, secrets.sshDir)}: `);
    if (passphrase === undefined) return undefined;
    const key = ssh2.utils.parseKey(data, passphrase);
    if (!(key instanceof Error)) return key.isPrivateKey() ? key : undefined;
  }
  return undefined;
}

function keyboardAnswers(secrets: LoginSecrets, prompts: Prompt[], finish: KeyboardInteractiveCallback): void {
  let passwordOffered = secrets.password === undefined;
  void (async () => {
    const answers: string[] = [];
    for (const prompt of prompts) {
      // A password given up front answers the one password prompt of a PAM login.
      if (!passwordOffered && /password/i.test(prompt.prompt)) {
        passwordOffered = true;
        answers.push(secrets.password!);
        continue;
      }
      const answer = secrets.askSecret ? await secrets.askSecret(prompt.prompt) : undefined;
      if (answer === undefined) break;
      answers.push(answer);
    }
    finish(answers);
  })().catch(() => finish([]));
}

function loginSteps(secrets: LoginSecrets): LoginStep[] {
  const { user } = secrets;
  const steps: LoginStep[] = [];
  const keyStep = (file: string): LoginStep => ({
    method: 'publickey',
    label: `key ${shortPath(file, secrets.sshDir)}`,
    make: async () => {
      const key = await loadKey(file, secrets);
      return key ? { type: 'publickey', username: user, key } : undefined;
    },
  });
  const named = [...new Set(secrets.identityFiles)];
  for (const file of named) steps.push(keyStep(file));
  if (secrets.agentSocket) {
    const agent = secrets.agentSocket;
    steps.push({ method: 'publickey', label: 'ssh-agent keys', make: () => Promise.resolve({ type: 'agent', username: user, agent }) });
  }
  for (const name of DEFAULT_KEY_FILES) {
    const file = path.join(secrets.sshDir, name);
    if (!named.includes(file)) steps.push(keyStep(file));
  }
  steps.push({
    method: 'password',
    label: 'password',
    make: async () => {
      const password = secrets.password ?? await secrets.askSecret?.(`Password for ${secrets.label}: `);
      return password === undefined ? undefined : { type: 'password', username: user, password };
    },
  });
  steps.push({
    method: 'keyboard-interactive',
    label: 'keyboard-interactive',
    make: () => Promise.resolve(secrets.askSecret || secrets.password !== undefined
      ? { type: 'keyboard-interactive', username: user, prompt: (_name, _instructions, _lang, prompts, finish) => keyboardAnswers(secrets, prompts, finish) }
      : undefined),
  });
  return steps;
}

/** ssh2's authHandler for these secrets; `record` collects what was tried. */
export function loginHandler(secrets: LoginSecrets, record: LoginRecord): AuthHandlerMiddleware {
  const steps = loginSteps(secrets);
  let next = -1;
  return (methodsLeft, _partialSuccess, proceed) => {
    // ssh2 calls without a list the first time, whatever its types say.
    if (Array.isArray(methodsLeft)) record.accepted = methodsLeft;
    if (next < 0) {
      next = 0;
      proceed({ type: 'none', username: secrets.user });
      return;
    }
    void (async () => {
      while (next < steps.length) {
        if (secrets.signal?.aborted) break;
        const step = steps[next++]!;
        if (record.accepted && !record.accepted.includes(step.method)) continue;
        const method = await step.make().catch(() => undefined);
        if (!method) continue;
        record.tried.push(step.label);
        proceed(method);
        return;
      }
      // ssh2 takes false for "no more methods", which its types leave out.
      (proceed as unknown as (method: false) => void)(false);
    })();
  };
}
