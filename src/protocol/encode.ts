/**
 * The encoder: pure functions from a message to the bytes of one frame, as
 * ws's sender. Encoding a message that cannot be represented on the wire (a
 * value out of range, a string too long) is a programming error and throws
 * RangeError before anything is allocated.
 */
import {
  DATA_HEADER_BYTES, FRAME_HEADER_BYTES, HASH_BYTES, MAGIC, MAX_FAIL_MESSAGE_BYTES, MIN_FRAME_LENGTH,
} from './constants.js';
import { checkUint, MAX_U32, truncateUtf8, writeU64 } from './bytes.js';
import { BufferWriter, SizeCounter, type FieldSink } from './field-writers.js';
import { ENTS_LINK_TARGETS, type Entry, type Message } from './messages.js';

function writeHeader(buf: Buffer, op: string, id: number, payloadLength: number): void {
  buf.writeUInt32BE(MIN_FRAME_LENGTH + payloadLength, 0);
  buf.write(op, 4, 4, 'latin1');
  buf.writeUInt32BE(id, 8);
}

/** The payload fields of every message except DATA (whose content is never copied). */
function writeFields(w: FieldSink, msg: Exclude<Message, { op: 'DATA' }>): void {
  switch (msg.op) {
    case 'CONN':
      if ('minVersion' in msg) {
        w.u32(MAGIC).u16(msg.minVersion).u16(msg.maxVersion).u32(msg.maxFrame)
          .strList(msg.capabilities).str(msg.authMethod).str(msg.user).str(msg.secret).str(msg.clientName);
      } else {
        w.u16(msg.version).u32(msg.maxFrame).u32(msg.maxInFlight).strList(msg.capabilities)
          .u8(msg.flags).str(msg.serverName).str(msg.user);
      }
      return;
    case 'LIST':
    case 'MKDR':
    case 'RMDR':
      w.str(msg.path).u8(msg.flags);
      return;
    case 'STAT':
      if ('path' in msg) w.str(msg.path);
      else w.entry(msg.entry);
      return;
    case 'DELF':
      w.str(msg.path);
      return;
    case 'MOVE':
      w.str(msg.from).str(msg.to).u8(msg.flags);
      return;
    case 'UPLD':
      w.str(msg.path).u64(msg.size).u64(msg.mtimeMs).u32(msg.mode).u8(msg.flags);
      return;
    case 'DWLD':
      w.str(msg.path).u64(msg.offset).optionalHash(msg.prefixHash).u32(msg.window);
      return;
    case 'TGET':
      w.str(msg.path).u32(msg.window);
      if (msg.names && msg.names.length > 0) w.strList(msg.names);
      return;
    case 'TPUT':
      w.str(msg.path).u8(msg.flags);
      return;
    case 'FILE':
      w.entry(msg.entry);
      return;
    case 'SUMS':
      if ('names' in msg) {
        w.str(msg.path).strList(msg.names);
      } else {
        checkUint(msg.hashes.length, 0xffff, 16);
        w.u16(msg.hashes.length);
        for (const hash of msg.hashes) w.optionalHash(hash);
      }
      return;
    case 'CHMD':
      w.str(msg.path).u32(msg.clear).u32(msg.set).u8(msg.flags);
      return;
    case 'LINK':
      w.str(msg.path).str(msg.target).u8(msg.flags);
      return;
    case 'FIND':
      w.str(msg.path).str(msg.pattern).u64(msg.minSize).u64(msg.maxSize).u64(msg.minMtimeMs).u64(msg.maxMtimeMs)
        .u8(msg.flags);
      return;
    case 'CANC':
    case 'QUIT':
    case 'PING':
    case 'DONE':
      return;
    case 'WIND':
      w.u32(msg.increment);
      return;
    case 'HASH':
      if (msg.hash.length !== HASH_BYTES) throw new RangeError(`HASH needs ${HASH_BYTES} bytes, got ${msg.hash.length}`);
      w.bytes(msg.hash);
      return;
    case 'OPEN':
      w.u64(msg.offset).u64(msg.size).u64(msg.mtimeMs).u32(msg.mode).optionalHash(msg.prefixHash).u32(msg.window);
      return;
    case 'ENTS':
      w.u8(msg.flags).u32(msg.entries.length);
      if ((msg.flags & ENTS_LINK_TARGETS) === 0) w.entries(msg.entries);
      else for (const entry of msg.entries) w.entry(entry).str(entry.linkTarget ?? '');
      return;
    case 'FAIL':
      w.u16(msg.code).str(truncateUtf8(msg.message, MAX_FAIL_MESSAGE_BYTES));
      return;
    default: {
      const unknown: never = msg;
      throw new RangeError(`cannot encode ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The header of a DATA frame alone (DATA_HEADER_BYTES bytes: frame header and
 * offset), so the content can follow it in a gathered write without being copied.
 */
export function encodeDataHeader(id: number, offset: number, dataLength: number): Buffer {
  checkUint(id, MAX_U32, 32);
  checkUint(offset, Number.MAX_SAFE_INTEGER, 64);
  checkUint(dataLength, MAX_U32 - 16, 32);
  const buf = Buffer.allocUnsafe(DATA_HEADER_BYTES);
  writeHeader(buf, 'DATA', id, 8 + dataLength);
  writeU64(buf, offset, FRAME_HEADER_BYTES);
  return buf;
}

/**
 * Encodes one message as the buffers of one frame, to be written in order.
 * DATA yields [header, content] with the content the caller's own bytes (never
 * copied); every other message yields one buffer.
 */
export function encodeMessage(msg: Message): Buffer[] {
  if (msg.op === 'DATA') {
    const data = msg.data;
    const content = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    return [encodeDataHeader(msg.id, msg.offset, data.length), content];
  }
  checkUint(msg.id, MAX_U32, 32);
  const counter = new SizeCounter();
  writeFields(counter, msg);
  const buf = Buffer.allocUnsafe(FRAME_HEADER_BYTES + counter.size);
  writeHeader(buf, msg.op, msg.id, counter.size);
  writeFields(new BufferWriter(buf, FRAME_HEADER_BYTES), msg);
  return [buf];
}

/** encodeMessage joined into one buffer; for tests and small control frames (copies DATA content). */
export function encodeMessageToBuffer(msg: Message): Buffer {
  const parts = encodeMessage(msg);
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Encoded size of one listing entry inside ENTS, so a server can fill batches up to the frame limit. */
export function encodedEntryLength(entry: Entry, withLinkTarget = false): number {
  const counter = new SizeCounter().entry(entry);
  return withLinkTarget ? counter.str(entry.linkTarget ?? '').size : counter.size;
}

