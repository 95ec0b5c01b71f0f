/** The connect dialog (^O, and at start without a URL): host, port, user, password. */
import { matchCommand } from '../keys/keymap.js';
import { editTextField, textField } from '../state/text-field.js';
import { ConnectDialog, connectFieldOrder, type ConnectField, type ConnectFields } from '../components/ConnectDialog.js';
import { DEFAULT_PORT } from '../../protocol/constants.js';
import type { ConnectParams } from '../connect-params.js';
import type { DialogHost, DialogModule } from './dialog.js';

export interface ConnectDialogState {
  kind: 'connect';
  fields: ConnectFields;
  focus: ConnectField;
  /** Why the last attempt failed. */
  error?: string | undefined;
}

/** The dialog filled from `params` (the last server, or the start-up URL), or empty with the default port. */
export function connectDialog(params: ConnectParams | undefined, options: { focus?: ConnectField; error?: string | undefined } = {}): ConnectDialogState {
  return {
    kind: 'connect',
    fields: {
      host: textField(params?.host ?? '127.0.0.1'),
      port: textField(String(params?.port ?? DEFAULT_PORT)),
      user: textField(params?.user ?? ''),
      password: textField(params?.password ?? ''),
    },
    focus: options.focus ?? 'host',
    ...(options.error === undefined ? {} : { error: options.error }),
  };
}

function submit(state: ConnectDialogState, host: DialogHost): void {
  const port = Number(state.fields.port.value || DEFAULT_PORT);
  const hostName = state.fields.host.value.trim();
  if (!hostName) {
    host.show({ ...state, error: 'host is required' });
    return;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    host.show({ ...state, error: 'port must be a number from 1 to 65535' });
    return;
  }
  const previous = host.connection().params;
  host.show(undefined);
  host.openSession({
    host: hostName,
    port,
    user: state.fields.user.value,
    password: state.fields.password.value,
    path: previous?.path ?? '/',
    tls: previous?.tls ?? 'auto',
  });
}

export const connectDialogModule: DialogModule<ConnectDialogState> = {
  onKey(state, press, host) {
    const edited = editTextField(state.fields[state.focus], press);
    if (edited) {
      host.show({ ...state, fields: { ...state.fields, [state.focus]: edited } });
      return true;
    }
    const index = connectFieldOrder.indexOf(state.focus);
    const count = connectFieldOrder.length;
    switch (matchCommand(press, 'dialog')) {
      case 'confirm':
        submit(state, host);
        break;
      case 'dismiss':
        host.show(undefined);
        host.info('local pane only — press ^O to connect');
        break;
      case 'next-field':
        host.show({ ...state, focus: connectFieldOrder[(index + 1) % count] as ConnectField });
        break;
      case 'previous-field':
        host.show({ ...state, focus: connectFieldOrder[(index + count - 1) % count] as ConnectField });
        break;
      case 'quit':
        host.requestQuit();
        break;
      default:
        break;
    }
    return true;
  },
  render: (state, host) => (
    <ConnectDialog
      fields={state.fields}
      focus={state.focus}
      error={state.error}
      connecting={host.connection().status === 'connecting'}
      screen={host.screen}
    />
  ),
};
