/**
 * Payload decoding: one frame's payload (a RawFrame from the frame decoder)
 * becomes a typed message. Unknown opcodes, and opcodes only the other side
 * may send, are UNSUPPORTED; malformed payloads are BAD_FRAME.
 */
import { ErrorCode, FerryError, badFrame } from './errors.js';
import { HASH_BYTES, MAGIC, MIN_ENTRY_BYTES } from './constants.js';
import { PayloadReader } from './payload-reader.js';
import type { RawFrame } from './frame-decoder.js';
import { ENTS_LINK_TARGETS, type ClientMessage, type Direction, type Message, type ServerMessage, type TreeGetRequest } from './messages.js';

/** Interprets a frame sent by a client (the server's side of the codec). */
export function decodeClientMessage(frame: RawFrame): ClientMessage {
  return decodeMessage(frame, 'toServer') as ClientMessage;
}

/** Interprets a frame sent by a server (the client's side of the codec). */
export function decodeServerMessage(frame: RawFrame): ServerMessage {
  return decodeMessage(frame, 'toClient') as ServerMessage;
}

/**
 * Interprets one frame's payload. Unknown opcodes, and opcodes that only the
 * other side may send, are FerryError UNSUPPORTED; malformed payloads are
 * BAD_FRAME. Either way the frame boundary is intact, so the caller can answer
 * FAIL for the frame's id and carry on. Byte fields (DATA content, hashes) are
 * views into the frame's payload.
 */
export function decodeMessage(frame: RawFrame, direction: Direction): Message {
  const { op, id } = frame;
  const r = new PayloadReader(frame.payload, op);
  let msg: Message;
  const toServer = direction === 'toServer';
  switch (op) {
    case 'CONN':
      if (toServer) {
        const magic = r.u32('magic');
        if (magic !== MAGIC) throw badFrame(`CONN: bad magic 0x${magic.toString(16).padStart(8, '0')}`);
        msg = {
          op, id, minVersion: r.u16('min version'), maxVersion: r.u16('max version'), maxFrame: r.u32('max frame'),
          capabilities: r.strList('capabilities'), authMethod: r.str('auth method'), user: r.str('user'),
          secret: r.str('secret'), clientName: r.str('client name'),
        };
      } else {
        msg = {
          op, id, version: r.u16('version'), maxFrame: r.u32('max frame'), maxInFlight: r.u32('max in flight'),
          capabilities: r.strList('capabilities'), flags: r.u8('flags'), serverName: r.str('server name'),
          user: r.str('user'),
        };
      }
      break;
    case 'LIST':
    case 'MKDR':
    case 'RMDR':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), flags: r.u8('flags') };
      break;
    case 'STAT':
      msg = toServer ? { op, id, path: r.str('path') } : { op, id, entry: r.entry() };
      break;
    case 'DELF':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path') };
      break;
    case 'MOVE':
      requireDirection(toServer, op);
      msg = { op, id, from: r.str('from'), to: r.str('to'), flags: r.u8('flags') };
      break;
    case 'UPLD':
      requireDirection(toServer, op);
      msg = {
        op, id, path: r.str('path'), size: r.u64('size'), mtimeMs: r.u64('mtime'), mode: r.u32('mode'),
        flags: r.u8('flags'),
      };
      break;
    case 'DWLD':
      requireDirection(toServer, op);
      msg = {
        op, id, path: r.str('path'), offset: r.u64('offset'), prefixHash: r.optionalHash('prefix hash'),
        window: r.u32('window'),
      };
      break;
    case 'TGET': {
      requireDirection(toServer, op);
      const tget: TreeGetRequest = { op, id, path: r.str('path'), window: r.u32('window') };
      // The list of names is optional: a TGET without it (from a client before `tree-names`) ends here.
      if (r.remaining > 0) tget.names = r.strList('names');
      msg = tget;
      break;
    }
    case 'TPUT':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), flags: r.u8('flags') };
      break;
    case 'FILE':
      msg = { op, id, entry: r.entry() };
      break;
    case 'SUMS':
      if (toServer) {
        msg = { op, id, path: r.str('path'), names: r.strList('names') };
      } else {
        const count = r.u16('hash count');
        // Each hash? takes at least its length byte: refuse a count the payload cannot hold before looping.
        if (count > r.remaining) throw badFrame(`SUMS: ${count} hashes cannot fit in the ${r.remaining} bytes left`);
        const hashes: Buffer[] = [];
        for (let i = 0; i < count; i++) hashes.push(r.optionalHash('hash'));
        msg = { op, id, hashes };
      }
      break;
    case 'LINK':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), target: r.str('target'), flags: r.u8('flags') };
      break;
    case 'CHMD':
      requireDirection(toServer, op);
      msg = { op, id, path: r.str('path'), clear: r.u32('clear'), set: r.u32('set'), flags: r.u8('flags') };
      break;
    case 'FIND':
      requireDirection(toServer, op);
      msg = {
        op, id, path: r.str('path'), pattern: r.str('pattern'), minSize: r.u64('min size'), maxSize: r.u64('max size'),
        minMtimeMs: r.u64('min mtime'), maxMtimeMs: r.u64('max mtime'), flags: r.u8('flags'),
      };
      break;
    case 'CANC':
    case 'QUIT':
    case 'PING':
      requireDirection(toServer, op);
      msg = { op, id };
      break;
    case 'DATA':
      msg = { op, id, offset: r.u64('offset'), data: r.rest() };
      break;
    case 'WIND':
      msg = { op, id, increment: r.u32('increment') };
      break;
    case 'HASH':
      if (r.remaining !== HASH_BYTES) throw badFrame(`HASH: a hash has ${HASH_BYTES} bytes, not ${r.remaining}`);
      msg = { op, id, hash: r.bytes(HASH_BYTES, 'hash') };
      break;
    case 'OPEN':
      requireDirection(!toServer, op);
      msg = {
        op, id, offset: r.u64('offset'), size: r.u64('size'), mtimeMs: r.u64('mtime'), mode: r.u32('mode'),
        prefixHash: r.optionalHash('prefix hash'), window: r.u32('window'),
      };
      break;
    case 'ENTS': {
      requireDirection(!toServer, op);
      const flags = r.u8('flags');
      const count = r.u32('entry count');
      // Refuse a count the payload cannot hold before allocating or looping for it.
      if (count * MIN_ENTRY_BYTES > r.remaining) {
        throw badFrame(`ENTS: ${count} entries cannot fit in the ${r.remaining} bytes left`);
      }
      msg = { op, id, flags, entries: (flags & ENTS_LINK_TARGETS) === 0 ? r.entries(count) : r.entriesWithTargets(count) };
      break;
    }
    case 'DONE':
      msg = { op, id };
      break;
    case 'FAIL':
      requireDirection(!toServer, op);
      msg = { op, id, code: r.u16('code'), message: r.str('message') };
      break;
    default:
      throw new FerryError(ErrorCode.UNSUPPORTED, `unknown opcode ${JSON.stringify(op)}`);
  }
  r.end();
  return msg;
}

function requireDirection(allowed: boolean, op: string): void {
  if (!allowed) throw new FerryError(ErrorCode.UNSUPPORTED, `${op} is not valid in this direction`);
}
