/**
 * `ferryd user add|remove|list`: managing the users file from the command
 * line. Returns an exit code: 0 done, 1 failed (one line on stderr), 2 usage.
 */
import { isFerryError } from '../protocol/errors.js';
import { readNewPassword, type PasswordInputIo } from './password-input.js';
import { addUser, listUsers, removeUser } from './users.js';

export const USER_COMMAND_HELP = `
    $ ferryd user add NAME --root DIR [--read-only] [--replace]
        the password is asked for (no echo), or read from FERRY_PASSWORD or stdin
    $ ferryd user remove NAME
    $ ferryd user list
`;

export interface UserCommandOptions {
  usersFile: string;
  root?: string;
  readOnly?: boolean;
  replace?: boolean;
}

export interface UserCommandIo extends PasswordInputIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** @param args the words after `user`: `add NAME`, `remove NAME`, `list` */
export async function runUserCommand(args: readonly string[], options: UserCommandOptions, io: UserCommandIo): Promise<number> {
  const [action, name, ...extra] = args;
  const usage = (why: string): number => {
    io.stderr.write(`ferryd user: ${why}\n  Usage${USER_COMMAND_HELP}`);
    return 2;
  };
  try {
    switch (action) {
      case 'add': {
        if (name === undefined || extra.length > 0) return usage('add takes one user name');
        if (options.root === undefined) return usage('add needs --root DIR (the folder this user sees as /)');
        const password = await readNewPassword(io);
        const record = await addUser(options.usersFile, {
          name, password, root: options.root, readOnly: options.readOnly === true, replace: options.replace === true,
        });
        io.stdout.write(`${options.replace ? 'set' : 'added'} user ${record.name} (root ${record.root}, ${record.readOnly ? 'read-only' : 'read-write'}) in ${options.usersFile}\n`);
        return 0;
      }
      case 'remove': {
        if (name === undefined || extra.length > 0) return usage('remove takes one user name');
        await removeUser(options.usersFile, name);
        io.stdout.write(`removed user ${name} from ${options.usersFile}\n`);
        return 0;
      }
      case 'list': {
        if (name !== undefined) return usage('list takes no arguments');
        const users = await listUsers(options.usersFile);
        if (users.length === 0) io.stderr.write(`no users in ${options.usersFile}\n`);
        for (const user of users) io.stdout.write(`${user.name}\t${user.readOnly ? 'read-only' : 'read-write'}\t${user.root}\n`);
        return 0;
      }
      default:
        return usage(action === undefined ? 'which action? add, remove or list' : `unknown action ${action}`);
    }
  } catch (error) {
    const message = isFerryError(error) || error instanceof Error ? error.message : String(error);
    io.stderr.write(`ferryd user: ${message}\n`);
    return 1;
  }
}
