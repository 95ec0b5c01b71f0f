export * from './constants.js';
export * from './errors.js';
export * from './messages.js';
export * from './codec.js';
export * from './handshake.js';
export * from './flow-control.js';
