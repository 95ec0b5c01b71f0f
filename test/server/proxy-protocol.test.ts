/**
 * The PROXY protocol parser, table-driven: the headers of the spec
 * (haproxy.org/download/2.9/doc/proxy-protocol.txt §2.1, §2.2) as hex, and the
 * ways a header can be cut short, overlong or malformed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, FerryError } from '../../src/protocol/errors.js';
import { parseProxyHeader, V1_MAX_LENGTH } from '../../src/server/proxy-protocol.js';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const SIGNATURE = '0d0a0d0a 000d0a51 5549540a';

interface Complete { bytes: Buffer; version: 1 | 2; length: number; source: { address: string; port: number } | undefined }

const COMPLETE: Record<string, Complete> = {
  'v1 TCP4 (spec example)': {
    bytes: ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n'), version: 1, length: 47,
    source: { address: '192.168.0.1', port: 56_324 },
  },
  'v1 TCP4 worst case (56 bytes)': {
    bytes: ascii('PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n'), version: 1, length: 56,
    source: { address: '255.255.255.255', port: 65_535 },
  },
  'v1 TCP6 worst case (104 bytes)': {
    bytes: ascii('PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n'),
    version: 1, length: 104, source: { address: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', port: 65_535 },
  },
  'v1 TCP6 loopback': { bytes: ascii('PROXY TCP6 ::1 ::1 40000 7070\r\n\x00'), version: 1, length: 31, source: { address: '::1', port: 40_000 } },
  'v1 UNKNOWN (15 bytes)': { bytes: ascii('PROXY UNKNOWN\r\n'), version: 1, length: 15, source: undefined },
  'v1 UNKNOWN worst case (107 bytes)': {
    bytes: ascii('PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n'),
    version: 1, length: 107, source: undefined,
  },
  'v2 PROXY TCP4 127.0.0.1:56324 → 127.0.0.1:7070, then a Ferry frame': {
    bytes: hex(`${SIGNATURE} 21 11 000c 7f000001 7f000001 dc04 1b9e 0000001e`), version: 2, length: 28,
    source: { address: '127.0.0.1', port: 56_324 },
  },
  'v2 PROXY TCP6 ::1 → ::1': {
    bytes: hex(`${SIGNATURE} 21 21 0024 00000000000000000000000000000001 00000000000000000000000000000001 9c40 1b9e`),
    version: 2, length: 52, source: { address: '::1', port: 40_000 },
  },
  'v2 PROXY TCP6 IPv4-mapped': {
    bytes: hex(`${SIGNATURE} 21 21 0024 00000000000000000000ffffc0000201 00000000000000000000000000000001 0050 1b9e`),
    version: 2, length: 52, source: { address: '::ffff:192.0.2.1', port: 80 },
  },
  'v2 PROXY TCP4 with TLVs after the addresses (as HAProxy adds)': {
    bytes: hex(`${SIGNATURE} 21 11 0013 c0000201 c0000202 1f90 1b9e 04 0004 00000000`), version: 2, length: 35,
    source: { address: '192.0.2.1', port: 8080 },
  },
  'v2 LOCAL (a health check), no addresses': { bytes: hex(`${SIGNATURE} 20 00 0000`), version: 2, length: 16, source: undefined },
  'v2 LOCAL with addresses: they are ignored': {
    bytes: hex(`${SIGNATURE} 20 11 000c 7f000001 7f000001 dc04 1b9e`), version: 2, length: 28, source: undefined,
  },
  'v2 PROXY UNSPEC': { bytes: hex(`${SIGNATURE} 21 00 0000`), version: 2, length: 16, source: undefined },
  'v2 PROXY AF_UNIX (no IP address)': { bytes: Buffer.concat([hex(`${SIGNATURE} 21 31 00d8`), Buffer.alloc(216)]), version: 2, length: 232, source: undefined },
};

const INCOMPLETE: Record<string, Buffer> = {
  'nothing yet': Buffer.alloc(0),
  'the first byte of v1': ascii('P'),
  'v1 without its CRLF': ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443'),
  'v1 with CR only': ascii('PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r'),
  'part of the v2 signature': hex('0d0a0d0a00'),
  'the v2 fixed part without its length': hex(`${SIGNATURE} 21 11 00`),
  'v2 with fewer address bytes than announced': hex(`${SIGNATURE} 21 11 000c 7f000001 7f000001 dc04`),
};

const MALFORMED: Record<string, Buffer> = {
  'a Ferry CONN frame': hex('0000001e 434f4e4e 00000001'),
  'a TLS ClientHello': hex('16030100a5010000a10303'),
  'lower-case proxy': ascii('proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n'),
  'v1 longer than 107 bytes': ascii(`PROXY UNKNOWN ${'f'.repeat(V1_MAX_LENGTH)}\r\n`),
  'v1 at 107 bytes with no CRLF': ascii(`PROXY TCP4 ${'1'.repeat(V1_MAX_LENGTH - 11)}`),
  'v1 unknown family': ascii('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'),
  'v1 TCP4 with an IPv6 address': ascii('PROXY TCP4 ::1 ::1 1 2\r\n'),
  'v1 TCP6 with an IPv4 address': ascii('PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n'),
  'v1 bad address': ascii('PROXY TCP4 1.2.3.999 5.6.7.8 1 2\r\n'),
  'v1 port above 65535': ascii('PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'),
  'v1 port with a leading zero': ascii('PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n'),
  'v1 missing a port': ascii('PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n'),
  'v1 double space': ascii('PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n'),
  'v2 version 1 in the version nibble': hex(`${SIGNATURE} 11 11 000c 7f000001 7f000001 dc04 1b9e`),
  'v2 unknown command': hex(`${SIGNATURE} 22 11 000c 7f000001 7f000001 dc04 1b9e`),
  'v2 IPv4 with a block too short': hex(`${SIGNATURE} 21 11 0008 7f000001 7f000001`),
  'v2 IPv6 with a block too short': hex(`${SIGNATURE} 21 21 000c 7f000001 7f000001 dc04 1b9e`),
  'v2 unknown family': hex(`${SIGNATURE} 21 41 0000`),
  'v2 unknown transport': hex(`${SIGNATURE} 21 13 000c 7f000001 7f000001 dc04 1b9e`),
  'a wrong byte inside the v2 signature': hex('0d0a0d0a 000d0a51 5549540b 21 11 000c'),
};

for (const [name, vector] of Object.entries(COMPLETE)) {
  void test(`complete: ${name}`, () => {
    assert.deepEqual(parseProxyHeader(vector.bytes), { state: 'complete', version: vector.version, length: vector.length, source: vector.source });
    // Every shorter prefix asks for more bytes instead of guessing.
    for (let cut = 0; cut < vector.length; cut++) {
      assert.deepEqual(parseProxyHeader(vector.bytes.subarray(0, cut)), { state: 'incomplete' }, `prefix of ${cut} bytes`);
    }
  });
}

for (const [name, bytes] of Object.entries(INCOMPLETE)) {
  void test(`incomplete: ${name}`, () => {
    assert.deepEqual(parseProxyHeader(bytes), { state: 'incomplete' });
  });
}

for (const [name, bytes] of Object.entries(MALFORMED)) {
  void test(`malformed → BAD_FRAME: ${name}`, () => {
    assert.throws(() => parseProxyHeader(bytes), (error: unknown) => error instanceof FerryError && error.code === ErrorCode.BAD_FRAME);
  });
}
