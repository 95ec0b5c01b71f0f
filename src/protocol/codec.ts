/**
 * The Ferry codec: frames ⇄ bytes. Pure: no sockets, no clocks. Laid out as
 * ws lays out its receiver and sender:
 *
 * - frame-decoder.ts: `FrameDecoder` cuts a byte stream into frames (length
 *   limit checked before anything is allocated);
 * - decode.ts (with payload-reader.ts): one frame's payload → a message;
 * - encode.ts (with field-writers.ts): a message → the bytes of one frame;
 * - bytes.ts: the byte helpers they share.
 *
 * Every malformed input becomes a FerryError with code BAD_FRAME,
 * FRAME_TOO_LARGE or UNSUPPORTED, never another exception. Encoding a message
 * that cannot be represented on the wire is a programming error (RangeError).
 */
export { FrameDecoder, type RawFrame } from './frame-decoder.js';
export { decodeClientMessage, decodeMessage, decodeServerMessage } from './decode.js';
export {
  encodeDataHeader, encodedEntryLength, encodeMessage, encodeMessageToBuffer,
} from './encode.js';
