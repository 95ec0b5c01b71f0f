/** The file viewer (F3) as a dialog: it takes every key until it closes, and closes its file then. */
import { FileViewer } from '../components/FileViewer.js';
import type { ViewerController } from '../viewer/viewer-controller.js';
import type { DialogModule } from './dialog.js';

export interface ViewDialogState {
  kind: 'view';
  viewer: ViewerController;
}

export function viewDialog(viewer: ViewerController): ViewDialogState {
  return { kind: 'view', viewer };
}

export const viewDialogModule: DialogModule<ViewDialogState> = {
  onKey(state, press, host) {
    if (!state.viewer.key(press)) {
      state.viewer.close();
      host.show(undefined);
    }
    return true;
  },
  render: (state, host) => <FileViewer viewer={state.viewer} screen={host.screen} />,
};
