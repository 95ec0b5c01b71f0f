/**
 * Messages ⇄ the JSON form used by the test vectors in docs/PROTOCOL.md:
 * byte fields (prefixHash, hash, data, each of SUMS's hashes) are lowercase hex strings.
 */
import type { Message } from '../../src/protocol/index.js';

const BYTE_FIELDS = ['prefixHash', 'hash', 'data'] as const;

export function messageFromJson(json: Record<string, unknown>): Message {
  const message: Record<string, unknown> = { ...json };
  for (const field of BYTE_FIELDS) {
    const value = message[field];
    if (typeof value === 'string') message[field] = Buffer.from(value, 'hex');
  }
  // SUMS reply: a list of optional hashes.
  if (Array.isArray(message.hashes)) message.hashes = (message.hashes as string[]).map((hex) => Buffer.from(hex, 'hex'));
  return message as unknown as Message;
}

export function messageToJson(message: Message): Record<string, unknown> {
  const json: Record<string, unknown> = { ...message };
  for (const field of BYTE_FIELDS) {
    const value = json[field];
    if (value instanceof Uint8Array) json[field] = Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  }
  if (Array.isArray(json.hashes)) {
    json.hashes = (json.hashes as Uint8Array[]).map((v) => Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex'));
  }
  return json;
}
