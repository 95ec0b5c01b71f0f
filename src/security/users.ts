/**
 * ferryd's users file: who may log in, with which password (scrypt hash only,
 * never the password), below which root folder, and whether read-only.
 *
 * Format (JSON, mode 0600, written atomically):
 * ```json
 * { "version": 1,
 *   "users": [ { "name": "ada", "root": "/srv/ada", "readOnly": false,
 *                "password": { "algorithm": "scrypt", "N": 32768, "r": 8, "p": 1,
 *                              "salt": "…base64…", "hash": "…base64…" } } ] }
 * ```
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, FerryError } from '../protocol/errors.js';
import { readFileIfExists, writeFileAtomic } from './config-dir.js';
import {
  describeInvalidHash, hashPassword, MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH, type PasswordHash, type ScryptParameters,
} from './password.js';

export const USERS_FILE_NAME = 'users.json';
const FILE_VERSION = 1;
/** Letters, digits, `.`, `_`, `-`, `@`; not starting with `-` (it would read as a flag). */
const USER_NAME = /^[A-Za-z0-9._@][A-Za-z0-9._@-]{0,63}$/;

export interface UserRecord {
  name: string;
  /** Absolute path of the folder this user sees as `/`. */
  root: string;
  readOnly: boolean;
  password: PasswordHash;
}

export interface UsersFile {
  version: number;
  users: UserRecord[];
}

export function usersFilePath(configDir: string): string {
  return path.join(configDir, USERS_FILE_NAME);
}

export function isValidUserName(name: string): boolean {
  return USER_NAME.test(name);
}

/** Reads and checks the users file; a missing file is an empty list. Anything malformed is an error naming the file. */
export async function loadUsers(file: string): Promise<UsersFile> {
  const text = await readFileIfExists(file);
  if (text === undefined) return { version: FILE_VERSION, users: [] };
  return parseUsers(text, file);
}

export function parseUsers(text: string, file: string): UsersFile {
  const bad = (why: string): FerryError => new FerryError(ErrorCode.INTERNAL, `users file ${file}: ${why}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw bad(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null) throw bad('not a JSON object');
  const { version, users } = data as { version?: unknown; users?: unknown };
  if (version !== FILE_VERSION) throw bad(`unsupported version ${JSON.stringify(version)} (expected ${FILE_VERSION})`);
  if (!Array.isArray(users)) throw bad('"users" is not a list');
  const seen = new Set<string>();
  const checked = users.map((entry: unknown, index): UserRecord => {
    if (typeof entry !== 'object' || entry === null) throw bad(`user #${index + 1} is not an object`);
    const { name, root, readOnly, password } = entry as Record<string, unknown>;
    if (typeof name !== 'string' || !isValidUserName(name)) throw bad(`user #${index + 1} has an invalid name`);
    if (seen.has(name)) throw bad(`user ${name} appears twice`);
    seen.add(name);
    if (typeof root !== 'string' || !path.isAbsolute(root)) throw bad(`user ${name}: root must be an absolute path`);
    if (typeof readOnly !== 'boolean') throw bad(`user ${name}: readOnly must be true or false`);
    const invalid = describeInvalidHash(password);
    if (invalid !== undefined) throw bad(`user ${name}: ${invalid}`);
    return { name, root, readOnly, password: password as PasswordHash };
  });
  return { version: FILE_VERSION, users: checked };
}

export async function saveUsers(file: string, users: UsersFile): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(users, null, 2)}\n`, 0o600);
}

export interface AddUserOptions {
  name: string;
  password: string;
  root: string;
  readOnly?: boolean;
  /** Replace an existing user of that name (a password or root change). */
  replace?: boolean;
  /** Hash cost; tests use a cheaper one. */
  scrypt?: ScryptParameters;
}

/** Adds (or with `replace`, updates) a user; returns the stored record. */
export async function addUser(file: string, options: AddUserOptions): Promise<UserRecord> {
  const { name, password } = options;
  // AUTH: the credentials being defined are not acceptable.
  const invalid = (why: string): FerryError => new FerryError(ErrorCode.AUTH, why);
  if (!isValidUserName(name)) {
    throw invalid(`invalid user name ${JSON.stringify(name)}: 1-64 letters, digits, '.', '_', '-', '@', not starting with '-'`);
  }
  if ([...password].length < MIN_PASSWORD_LENGTH) throw invalid(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) throw invalid(`the password is longer than ${MAX_PASSWORD_BYTES} bytes`);
  const root = path.resolve(options.root);
  const stats = await fs.stat(root).catch(() => undefined);
  if (!stats?.isDirectory()) throw new FerryError(ErrorCode.NOT_A_DIRECTORY, `root ${root} is not an existing folder; create it first`);

  const users = await loadUsers(file);
  const existing = users.users.findIndex((user) => user.name === name);
  if (existing >= 0 && options.replace !== true) {
    throw new FerryError(ErrorCode.EXISTS, `user ${name} exists already (remove it first, or use --replace)`);
  }
  const record: UserRecord = { name, root, readOnly: options.readOnly === true, password: await hashPassword(password, options.scrypt) };
  if (existing >= 0) users.users[existing] = record;
  else users.users.push(record);
  await saveUsers(file, users);
  return record;
}

/** Removes a user; NOT_FOUND when there is none of that name. */
export async function removeUser(file: string, name: string): Promise<void> {
  const users = await loadUsers(file);
  const remaining = users.users.filter((user) => user.name !== name);
  if (remaining.length === users.users.length) throw new FerryError(ErrorCode.NOT_FOUND, `no user ${name} in ${file}`);
  await saveUsers(file, { ...users, users: remaining });
}

/** Users without their password hashes, for listing. */
export async function listUsers(file: string): Promise<Array<Omit<UserRecord, 'password'>>> {
  const users = await loadUsers(file);
  return users.users.map(({ name, root, readOnly }) => ({ name, root, readOnly }));
}

/**
 * The users file as ferryd sees it while running: re-read whenever its size,
 * modification time or inode changed (saveUsers replaces the file, so every
 * `ferryd user add|remove` gives a new inode), so changes take effect without
 * a restart. Checked with one stat per use.
 */
export class UsersFileCache {
  private stamp = '';
  private users: UserRecord[] = [];
  private byName = new Map<string, UserRecord>();

  constructor(readonly file: string) {}

  /** Every user in the file now. */
  async current(): Promise<readonly UserRecord[]> {
    const stats = await fs.stat(this.file).catch(() => undefined);
    const stamp = stats ? `${stats.size}:${stats.mtimeMs}:${stats.ino}` : 'missing';
    if (stamp !== this.stamp) {
      const loaded = await loadUsers(this.file);
      this.users = loaded.users;
      this.byName = new Map(loaded.users.map((user) => [user.name, user]));
      this.stamp = stamp;
    }
    return this.users;
  }

  async find(name: string): Promise<UserRecord | undefined> {
    await this.current();
    return this.byName.get(name);
  }
}
