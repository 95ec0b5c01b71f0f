/**
 * Whether ferryd may start with the access it was given, decided before it
 * listens. Pure: the rules can be read and tested on their own.
 *
 * 1. Anonymous access: when users are configured, only with `--anonymous`.
 *    With no users at all, a loopback-only ferryd serves the local machine
 *    anonymously (as the 2017 program did); anywhere else that is refused.
 * 2. On an address other than loopback, anonymous access (explicit or
 *    implicit) needs `--insecure-allow-anonymous-on-network` as well.
 * 3. On an address other than loopback without TLS, ferryd refuses unless
 *    `--allow-plain` says plain TCP over the network is wanted.
 */
import { isLoopbackHost } from '../connection/host.js';

export interface ExposureInput {
  /** The address ferryd will listen on. */
  host: string;
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
}

export interface ExposureDecision {
  /** Whether anonymous sessions are served. */
  anonymous: boolean;
  /** Reasons not to start; empty when ferryd may start. */
  refusals: string[];
  /** Things the operator should know (logged at start). */
  notices: string[];
}

export const INSECURE_ANONYMOUS_FLAG = '--insecure-allow-anonymous-on-network';

export function decideExposure(input: ExposureInput): ExposureDecision {
  const loopback = isLoopbackHost(input.host);
  const implicitAnonymous = input.userCount === 0 && !input.anonymous;
  const anonymous = input.anonymous || implicitAnonymous;
  const refusals: string[] = [];
  const notices: string[] = [];

  if (!loopback && anonymous && !input.insecureAllowAnonymousOnNetwork) {
    refusals.push(
      `refusing to listen on ${input.host} without authentication: anyone who can reach it could read and write the served folder. ` +
        `Add a user with \`ferryd user add NAME --root DIR\` (users file ${input.usersFile})` +
        (input.anonymous ? ' and drop --anonymous' : '') +
        `, listen on 127.0.0.1, or, if anonymous access on the network is really wanted, add ${INSECURE_ANONYMOUS_FLAG}.`,
    );
  }
  if (!loopback && !input.tls && !input.allowPlain) {
    refusals.push(
      `refusing to listen on ${input.host} without TLS: passwords and files would cross the network in clear. ` +
        'Drop --no-tls (ferryd makes a certificate on first start) or, to accept that, add --allow-plain.',
    );
  }
  if (anonymous) {
    notices.push(
      implicitAnonymous
        ? `anonymous access: no users in ${input.usersFile} (loopback only)`
        : 'anonymous access enabled',
    );
  }
  if (!loopback && anonymous && input.insecureAllowAnonymousOnNetwork) {
    notices.push(`INSECURE: anyone who can reach ${input.host} may use this server without a password`);
  }
  if (input.tls && input.allowPlain) notices.push('plain TCP accepted from every address (--allow-plain)');
  if (!loopback && !input.tls && input.allowPlain) notices.push(`INSECURE: plain TCP on ${input.host}; passwords and files cross the network in clear`);
  return { anonymous, refusals, notices };
}
