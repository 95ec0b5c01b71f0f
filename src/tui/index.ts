/** The terminal UI of Ferry. */
export { runTui, paramsFromUrl, type TuiOptions } from './run-tui.js';
export { computeLayout, type Layout } from './layout.js';
export { paneReducer, createPaneState, type PaneState, type PaneAction } from './state/pane.js';
export { transfersReducer, type TransfersState, type TransferItem } from './state/transfers.js';
export { bindings, matchCommand, type Command, type Binding } from './keys/keymap.js';
