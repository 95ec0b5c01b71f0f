/**
 * Whether ferryd may start with the access it was given, decided before it
 * listens. Pure: the rules can be read and tested on their own.
 *
 * 1. Anonymous access is explicit (`--anonymous`), with one exception kept so
 *    that `ferryd --root DIR` serves a personal folder out of the box: a
 *    loopback-only ferryd whose users file lists nobody serves the local
 *    machine anonymously, says so in a warning at start, and stops for good
 *    the moment the users file lists a user (the authenticator watches it).
 * 2. On an address other than loopback, anonymous access needs both
 *    `--anonymous` and `--insecure-allow-anonymous-on-network`; and with no
 *    users and no anonymous access nobody could log in, so ferryd refuses.
 * 3. On an address other than loopback without TLS, ferryd refuses unless
 *    `--allow-plain` says plain TCP over the network is wanted.
 */
import { isLoopbackAddress } from '../net/host.js';

export interface ExposureInput {
  /**
   * The IP address ferryd will listen on: what it binds, not the name it was
   * given (`evil.localhost` may resolve to 0.0.0.0). A name here counts as
   * not loopback.
   */
  host: string;
  /** The --host as given, when it was a name, for messages. */
  hostName?: string;
  /** Users in the users file. */
  userCount: number;
  /** `--anonymous`. */
  anonymous: boolean;
  /** `--insecure-allow-anonymous-on-network`. */
  insecureAllowAnonymousOnNetwork: boolean;
  /** Whether ferryd will serve TLS. */
  tls: boolean;
  /** `--allow-plain`. */
  allowPlain: boolean;
  /** Shown in messages. */
  usersFile: string;
  /** What anonymous sessions get (`--root`), shown in messages. */
  root?: string;
}

export interface ExposureDecision {
  /** Whether anonymous sessions are served at start. */
  anonymous: boolean;
  /** Anonymous access is the no-users default of a loopback server: it ends once the users file lists a user. */
  anonymousUntilUsers: boolean;
  /** Reasons not to start; empty when ferryd may start. */
  refusals: string[];
  /** Things the operator should know (logged at start). */
  notices: string[];
  /** Things the operator must not miss (logged at start as warnings). */
  warnings: string[];
}

export const INSECURE_ANONYMOUS_FLAG = '--insecure-allow-anonymous-on-network';

export function decideExposure(input: ExposureInput): ExposureDecision {
  const loopback = isLoopbackAddress(input.host);
  const where = input.hostName !== undefined && input.hostName !== input.host ? `${input.hostName} (${input.host})` : input.host;
  const anonymousUntilUsers = loopback && input.userCount === 0 && !input.anonymous;
  const anonymous = input.anonymous || anonymousUntilUsers;
  const refusals: string[] = [];
  const notices: string[] = [];
  const warnings: string[] = [];
  const served = input.root === undefined ? 'the served folder' : input.root;

  if (!loopback && input.anonymous && !input.insecureAllowAnonymousOnNetwork) {
    refusals.push(
      `refusing to listen on ${where} without authentication (--anonymous): anyone who can reach it could use ${served} without a password. ` +
        `Drop --anonymous and add users with \`ferryd user add NAME --root DIR\` (users file ${input.usersFile}), listen on 127.0.0.1, ` +
        `or, if anonymous access on the network is really wanted, add ${INSECURE_ANONYMOUS_FLAG}.`,
    );
  }
  if (!loopback && !input.anonymous && input.userCount === 0) {
    refusals.push(
      `refusing to listen on ${where} without authentication: there are no users in ${input.usersFile}, so nobody could log in. ` +
        'Add a user with `ferryd user add NAME --root DIR`, listen on 127.0.0.1 for local anonymous use, ' +
        `or, if anonymous access on the network is really wanted, give both --anonymous and ${INSECURE_ANONYMOUS_FLAG}.`,
    );
  }
  if (!loopback && !input.tls && !input.allowPlain) {
    refusals.push(
      `refusing to listen on ${where} without TLS: passwords and files would cross the network in clear. ` +
        'Drop --no-tls (ferryd makes a certificate on first start) or, to accept that, add --allow-plain.',
    );
  }
  if (anonymousUntilUsers) {
    warnings.push(
      `ANONYMOUS ACCESS: there are no users in ${input.usersFile}, so anyone on this machine may use ${served} without a password ` +
        '(loopback only). This ends as soon as a user is added (`ferryd user add NAME --root DIR`); ' +
        'to keep anonymous access beside users, start with --anonymous.',
    );
  } else if (anonymous) {
    notices.push(`anonymous access enabled (--anonymous): sessions without a password get ${served}`);
  }
  if (!loopback && anonymous && input.insecureAllowAnonymousOnNetwork) {
    warnings.push(`INSECURE: anyone who can reach ${where} may use this server without a password`);
  }
  if (input.tls && input.allowPlain) notices.push('plain TCP accepted from every address (--allow-plain)');
  if (!loopback && !input.tls && input.allowPlain) warnings.push(`INSECURE: plain TCP on ${where}; passwords and files cross the network in clear`);
  return { anonymous, anonymousUntilUsers, refusals, notices, warnings };
}
