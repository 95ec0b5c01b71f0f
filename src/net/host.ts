/** Address helpers shared by the client (socket opener, URL parsing) and ferryd (exposure checks). */
import dns from 'node:dns/promises';
import net from 'node:net';

/** `[::1]` → `::1`; other hosts unchanged. */
export function unbracketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Whether an IP address is on this machine's loopback interface, where plain
 * TCP is acceptable: 127.0.0.0/8, `::1`, and 127.x mapped into IPv6. Names
 * are not addresses (false): `evil.localhost` may resolve anywhere, so a
 * name is decided by the address it resolves to (resolveHost).
 */
export function isLoopbackAddress(address: string): boolean {
  const bare = unbracketHost(address).toLowerCase();
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) {
    if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^(?:::ffff:|0:0:0:0:0:ffff:)(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}

/**
 * A guess, from the text alone, whether `host` is loopback: `localhost` or a
 * loopback address. For showing what a URL will probably do; what a
 * connection does is decided on the address it reaches.
 */
export function isLoopbackHost(host: string): boolean {
  return unbracketHost(host).toLowerCase() === 'localhost' || isLoopbackAddress(host);
}

/** How names become addresses; dns.lookup's shape, so tests may give their own. */
export type HostLookup = (host: string) => Promise<{ address: string; family: number }>;

/**
 * The address a connection to (or a listener on) `host` uses: the host itself
 * when it is an address, else the first answer of the system resolver, as
 * net.connect and net.Server.listen pick it.
 */
export async function resolveHost(host: string, lookup: HostLookup = (name) => dns.lookup(name)): Promise<string> {
  const bare = unbracketHost(host);
  if (net.isIP(bare) !== 0) return bare;
  return (await lookup(bare)).address;
}
