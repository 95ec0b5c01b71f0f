/** A mistake in how a command was called (exit 2, with a pointer to --help), as opposed to a failure of what it was asked to do (exit 1). */
export class UsageError extends Error {}
