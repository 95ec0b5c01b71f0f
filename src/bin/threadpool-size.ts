/**
 * Imported first by the ferryd entry point. libuv's thread pool (file reads,
 * writes, fsync) has 4 threads by default; a server committing many small
 * uploads at once queues their fsyncs behind each other. libuv reads this
 * variable when the pool is first used, so it must be set before any file I/O.
 * An explicit setting in the environment wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
