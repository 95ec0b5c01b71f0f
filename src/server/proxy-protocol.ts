/**
 * The PROXY protocol header (versions 1 and 2, as HAProxy's `send-proxy` and
 * `send-proxy-v2` write it: https://www.haproxy.org/download/2.9/doc/proxy-protocol.txt)
 * that a load balancer puts before a connection's first byte to say whom it
 * forwards. Pure: it reads bytes and says what they are; the caller decides
 * whom to believe (ferryd: only the addresses of --proxy-protocol-from).
 *
 * Bounds: a version 1 header is one text line of at most 107 bytes; a version
 * 2 header is 16 bytes plus the length it announces (at most 65 535), and the
 * address block must fit in that length.
 */
import net from 'node:net';
import { ErrorCode, FerryError } from '../protocol/errors.js';

/** `PROXY ` — how every version 1 header starts. */
const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
/** The longest version 1 header, CRLF included (the spec's worst case, TCP6 with both ports). */
export const V1_MAX_LENGTH = 107;
/** The 12 bytes every version 2 header starts with. */
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V2_FIXED_LENGTH = 16;
/** The longest version 2 header: the fixed part and the most a u16 length can announce. */
export const V2_MAX_LENGTH = V2_FIXED_LENGTH + 0xffff;

export interface ProxySource {
  /** The client's address as the proxy saw it (IPv4 dotted, IPv6 as Node writes it). */
  address: string;
  port: number;
}

export type ProxyHeaderParse =
  /** Too few bytes yet to tell; read more (the caller bounds the wait). */
  | { state: 'incomplete' }
  /**
   * A whole header of `length` bytes. `source` is the forwarded client; it is
   * undefined when the proxy speaks for itself (v2 LOCAL, a health check) or
   * does not know (v1 UNKNOWN, v2 UNSPEC or a non-IP family).
   */
  | { state: 'complete'; version: 1 | 2; length: number; source: ProxySource | undefined };

/**
 * Parses the PROXY header at the start of `bytes`. Throws FerryError
 * BAD_FRAME when the bytes are not (the start of) a well-formed header.
 */
export function parseProxyHeader(bytes: Buffer): ProxyHeaderParse {
  if (bytes.length === 0) return { state: 'incomplete' };
  if (startsLike(bytes, V2_SIGNATURE)) return bytes.length < V2_SIGNATURE.length ? { state: 'incomplete' } : parseV2(bytes);
  if (startsLike(bytes, V1_PREFIX)) return bytes.length < V1_PREFIX.length ? { state: 'incomplete' } : parseV1(bytes);
  throw bad('the connection does not start with a PROXY protocol header');
}

/** Whether `bytes` and `signature` agree on the bytes both have. */
function startsLike(bytes: Buffer, signature: Buffer): boolean {
  const n = Math.min(bytes.length, signature.length);
  return bytes.subarray(0, n).equals(signature.subarray(0, n));
}

function parseV1(bytes: Buffer): ProxyHeaderParse {
  const end = bytes.subarray(0, V1_MAX_LENGTH).indexOf('\r\n', 0, 'latin1');
  if (end < 0) {
    if (bytes.length >= V1_MAX_LENGTH) throw bad(`PROXY v1 header longer than ${V1_MAX_LENGTH} bytes`);
    return { state: 'incomplete' };
  }
  const line = bytes.toString('latin1', 0, end);
  const length = end + 2;
  const fields = line.split(' ');
  const family = fields[1];
  if (family === 'UNKNOWN') return { state: 'complete', version: 1, length, source: undefined };
  if (fields.length !== 6 || (family !== 'TCP4' && family !== 'TCP6')) throw bad(`malformed PROXY v1 header ${JSON.stringify(line)}`);
  const [, , sourceAddress, destinationAddress, sourcePort, destinationPort] = fields as [string, string, string, string, string, string];
  const ipVersion = family === 'TCP4' ? 4 : 6;
  if (net.isIP(sourceAddress) !== ipVersion || net.isIP(destinationAddress) !== ipVersion) {
    throw bad(`PROXY v1 header with an address that is not ${family}`);
  }
  return { state: 'complete', version: 1, length, source: { address: sourceAddress, port: v1Port(sourcePort, destinationPort) } };
}

/** The source port; both must be 0…65535 written without leading zeros. */
function v1Port(source: string, destination: string): number {
  for (const port of [source, destination]) {
    if (!/^(0|[1-9]\d{0,4})$/.test(port) || Number(port) > 65_535) throw bad(`PROXY v1 header with a bad port ${JSON.stringify(port)}`);
  }
  return Number(source);
}

function parseV2(bytes: Buffer): ProxyHeaderParse {
  if (bytes.length < V2_FIXED_LENGTH) return { state: 'incomplete' };
  const versionAndCommand = bytes[12]!;
  if (versionAndCommand >> 4 !== 2) throw bad(`PROXY v2 header with version ${versionAndCommand >> 4}`);
  const command = versionAndCommand & 0x0f;
  if (command > 1) throw bad(`PROXY v2 header with an unknown command ${command}`);
  const familyAndTransport = bytes[13]!;
  const addressLength = bytes.readUInt16BE(14);
  const length = V2_FIXED_LENGTH + addressLength;
  if (bytes.length < length) return { state: 'incomplete' };
  // LOCAL: the proxy's own connection (a health check); the addresses, if any, are to be ignored.
  if (command === 0) return { state: 'complete', version: 2, length, source: undefined };
  const block = bytes.subarray(V2_FIXED_LENGTH, length);
  switch (familyAndTransport) {
    case 0x11: // TCP over IPv4
    case 0x12: // UDP over IPv4
      if (block.length < 12) throw bad('PROXY v2 IPv4 header shorter than its addresses');
      return { state: 'complete', version: 2, length, source: { address: [...block.subarray(0, 4)].join('.'), port: block.readUInt16BE(8) } };
    case 0x21: // TCP over IPv6
    case 0x22: // UDP over IPv6
      if (block.length < 36) throw bad('PROXY v2 IPv6 header shorter than its addresses');
      return { state: 'complete', version: 2, length, source: { address: ipv6Text(block.subarray(0, 16)), port: block.readUInt16BE(32) } };
    default:
      // UNSPEC, or a family without an IP address (AF_UNIX): the connection is accepted, its address is the proxy's.
      if (familyAndTransport >> 4 > 3 || (familyAndTransport & 0x0f) > 2) throw bad(`PROXY v2 header with an unknown family ${familyAndTransport}`);
      return { state: 'complete', version: 2, length, source: undefined };
  }
}

/** Sixteen bytes as Node writes an IPv6 address (compressed: `::1`, `2001:db8::1`; IPv4-mapped as `::ffff:1.2.3.4`). */
function ipv6Text(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // SocketAddress parses and writes back the canonical form.
  return new net.SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

function bad(message: string): FerryError {
  return new FerryError(ErrorCode.BAD_FRAME, message);
}
