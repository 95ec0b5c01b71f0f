/**
 * `ferry/client`: the client library as another program imports it
 * (`import { FerryClient } from 'ferry/client'`). FerryClient and the types
 * of its API, the errors it rejects with, and Ferry URLs; nothing of the
 * terminal UI, the commands or the server.
 */
export { FerryClient, DEFAULT_CONNECT_TIMEOUT_MS } from './client.js';
export { RateLimit, parseRate } from './rate-limit.js';
export type {
  ConnectOptions,
  Entry,
  FerryClientApi,
  ListOptions,
  ReadStreamOptions,
  RemoteReadStream,
  Progress,
  SessionInfo,
  TransferOptions,
  TransferResult,
  TreeProgress,
  TreeTransferOptions,
  TreeTransferResult,
} from './types.js';
export { EntryKind } from '../protocol/messages.js';
export { ErrorCode, FerryError, errorCodeName, isFerryError } from '../protocol/errors.js';
export type { ErrorCodeName, ErrorCodeNumber } from '../protocol/errors.js';
export { DEFAULT_PORT } from '../protocol/constants.js';
export { connectOptionsFromUrl, parseFerryUrl, redact, type FerryUrl } from './url.js';
