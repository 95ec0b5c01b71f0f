/** Numbers fixed by the protocol specification (docs/PROTOCOL.md, "Limits"). */

/** The TCP port a server listens on and a client connects to unless told otherwise. */
export const DEFAULT_PORT = 7070;

/** "FERY" as a big-endian uint32: the first field of every CONN. */
export const MAGIC = 0x46455259;

/** Protocol versions this implementation speaks. */
export const PROTOCOL_VERSION_MIN = 1;
export const PROTOCOL_VERSION_MAX = 1;

/** Bytes of the frame header: length (4), opcode (4), request id (4). */
export const FRAME_HEADER_BYTES = 12;

/** Smallest valid value of the length field: opcode (4) + request id (4), no payload. */
export const MIN_FRAME_LENGTH = 8;

/** Bytes before a DATA frame's content: the frame header and the u64 offset. */
export const DATA_HEADER_BYTES = FRAME_HEADER_BYTES + 8;

/** Largest frame either side must accept before the handshake is done. */
export const HANDSHAKE_MAX_FRAME = 64 * 1024;

/** Bounds of the negotiated maximum frame length (the length field's value). */
export const MIN_MAX_FRAME = 64 * 1024;
export const DEFAULT_MAX_FRAME = 4 * 1024 * 1024;
export const MAX_MAX_FRAME = 16 * 1024 * 1024;

/** Largest file size or offset a JavaScript peer can represent exactly (2^53 - 1). */
export const MAX_SAFE_U64 = Number.MAX_SAFE_INTEGER;

/** Length of a SHA-256 digest, the protocol's content hash. */
export const HASH_BYTES = 32;

/** Longest path, in UTF-8 bytes, a server must accept. */
export const MAX_PATH_BYTES = 4096;

/** Longest single path component (file or folder name), in UTF-8 bytes. */
export const MAX_NAME_BYTES = 255;

/** Smallest encoded listing entry: empty name (2) + kind (1) + size (8) + mtime (8) + mode (4). */
export const MIN_ENTRY_BYTES = 23;

/**
 * FAIL messages are for people; the encoder cuts longer ones (at a character
 * boundary) so a FAIL always fits in any frame, even before the handshake.
 */
export const MAX_FAIL_MESSAGE_BYTES = 8192;

/** Default number of requests a session may have in flight. */
export const DEFAULT_MAX_IN_FLIGHT = 64;

/** Default per-transfer credit window, in bytes. */
export const DEFAULT_WINDOW = 8 * 1024 * 1024;
