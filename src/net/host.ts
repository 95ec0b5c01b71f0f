/** Address helpers shared by the client (socket opener, URL parsing) and ferryd (exposure checks). */
import net from 'node:net';

/** `[::1]` → `::1`; other hosts unchanged. */
export function unbracketHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Whether `host` names this machine's loopback interface, where plain TCP is
 * acceptable: `localhost`, 127.0.0.0/8, `::1`, and 127.x mapped into IPv6.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = unbracketHost(host).toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) return true;
  if (net.isIPv4(bare)) return bare.startsWith('127.');
  if (net.isIPv6(bare)) {
    if (bare === '::1' || bare === '0:0:0:0:0:0:0:1') return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}
