/**
 * What the file viewer reads: a file's bytes by offset. The local one reads
 * the disk at a position (local-byte-source.ts); the remote one streams the
 * file over the session and keeps what it read (remote-byte-source.ts), so
 * the first screens of a huge remote file show without fetching the rest.
 */
export interface ByteSource {
  /** The file's size when it was opened. */
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer only at the end of the file). */
  read(offset: number, length: number): Promise<Buffer>;
  /** Bytes fetched so far (remote: received over the session). */
  readonly fetched: number;
  close(): void;
}
