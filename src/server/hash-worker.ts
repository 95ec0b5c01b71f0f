/** ferryd's downloads hash large files on the worker thread shared with the client (src/hashing/). */
export { hashWorkers, OffThreadHash } from '../hashing/hash-worker.js';
