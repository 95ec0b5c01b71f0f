/**
 * basic-ftp records the call stack of every command it starts (`new
 * Error().stack`, shown only when a second command is started before the
 * first has ended, which a pooled connection never sees); formatting it
 * costs more than the rest of sending the command. The per-file commands of a
 * tree (a small file's EPSV and RETR, MDTM) are started with stack capture
 * off for the synchronous moment they are sent.
 */
export function withoutStackCapture<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
