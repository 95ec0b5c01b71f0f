/**
 * The connect dialog (^O, and at start without a URL; Alt-O for the left
 * pane): a saved connection to pick (bookmarks, recent connections,
 * ~/.ssh/config hosts), the kind of server, host, port, user, password, and
 * for SFTP a key file. Picking a saved connection fills the fields; changing
 * the kind moves a port still at the old kind's default to the new one's.
 */
import { matchCommand } from '../keys/keymap.js';
import { editTextField, textField } from '../state/text-field.js';
import {
  ConnectDialog, connectFieldOrder, connectSchemes, type ConnectField, type ConnectFields, type ConnectTextField,
} from '../components/ConnectDialog.js';
import { DEFAULT_PORTS, type RemoteScheme } from '../../remote/remote-url.js';
import { schemeOf, type ConnectParams } from '../connect-params.js';
import type { PaneSide } from '../fs/pane-fs.js';
import type { ConnectChoice } from '../saved-connections.js';
import type { DialogHost, DialogModule } from './dialog.js';

export interface ConnectDialogState {
  kind: 'connect';
  /** The pane the session is for (`local`: the left pane). Absent: the right pane. */
  side?: PaneSide | undefined;
  scheme: RemoteScheme;
  fields: ConnectFields;
  focus: ConnectField;
  /** The saved choice picked last (index into host.connectChoices()), -1 while none is. */
  choice: number;
  /** The folder to open: the picked connection's, or the last one's. */
  path?: string | undefined;
  /** Why the last attempt failed. */
  error?: string | undefined;
}

function fieldsOf(params: ConnectParams | undefined, scheme: RemoteScheme): ConnectFields {
  return {
    host: textField(params?.host ?? '127.0.0.1'),
    port: textField(String(params?.port ?? DEFAULT_PORTS[scheme])),
    user: textField(params?.user ?? ''),
    password: textField(params?.password ?? ''),
    key: textField(params?.identityFile ?? ''),
  };
}

/** The dialog filled from `params` (the last server, or the start-up URL), or empty with the default port. */
export function connectDialog(
  params: ConnectParams | undefined,
  options: { focus?: ConnectField; error?: string | undefined; side?: PaneSide | undefined } = {},
): ConnectDialogState {
  const scheme = params ? schemeOf(params) : 'ferry';
  return {
    kind: 'connect',
    ...(options.side === 'local' ? { side: 'local' as const } : {}),
    scheme,
    fields: fieldsOf(params, scheme),
    focus: options.focus ?? 'host',
    choice: -1,
    ...(params?.path ? { path: params.path } : {}),
    ...(options.error === undefined ? {} : { error: options.error }),
  };
}

/** The rows shown: the saved list when there is something saved, the key file only for SFTP. */
function visibleRows(state: ConnectDialogState, choices: readonly ConnectChoice[]): ConnectField[] {
  return connectFieldOrder.filter((field) => (field !== 'saved' || choices.length > 0) && (field !== 'key' || state.scheme === 'sftp'));
}

function savedText(state: ConnectDialogState, choices: readonly ConnectChoice[]): string {
  const picked = choices[state.choice];
  if (!picked) return `${choices.length} saved — ←→ to pick`;
  return `${state.choice + 1}/${choices.length} ${picked.label}`;
}

/** Another kind: the port follows it unless the user typed one of their own. */
function withScheme(state: ConnectDialogState, scheme: RemoteScheme): ConnectDialogState {
  const port = state.fields.port.value.trim();
  const followsKind = port === '' || port === String(DEFAULT_PORTS[state.scheme]);
  return {
    ...state,
    scheme,
    fields: followsKind ? { ...state.fields, port: textField(String(DEFAULT_PORTS[scheme])) } : state.fields,
    error: undefined,
  };
}

function withChoice(state: ConnectDialogState, choices: readonly ConnectChoice[], index: number): ConnectDialogState {
  const picked = choices[index];
  if (!picked) return state;
  const scheme = schemeOf(picked.params);
  return { ...state, choice: index, scheme, fields: fieldsOf(picked.params, scheme), path: picked.params.path, error: undefined };
}

function submit(state: ConnectDialogState, host: DialogHost): void {
  const port = Number(state.fields.port.value || DEFAULT_PORTS[state.scheme]);
  const hostName = state.fields.host.value.trim();
  if (!hostName) {
    host.show({ ...state, error: 'host is required' });
    return;
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    host.show({ ...state, error: 'port must be a number from 1 to 65535' });
    return;
  }
  const previous = state.side === 'local' ? undefined : host.connection().params;
  const identityFile = state.fields.key.value.trim();
  host.show(undefined);
  host.openSession({
    scheme: state.scheme,
    host: hostName,
    port,
    user: state.fields.user.value,
    password: state.fields.password.value,
    path: state.path ?? previous?.path ?? '/',
    tls: state.scheme === 'ferrys' ? 'require' : 'auto',
    ...(state.scheme === 'sftp' && identityFile !== '' ? { identityFile } : {}),
  }, state.side);
}

export const connectDialogModule: DialogModule<ConnectDialogState> = {
  onKey(state, press, host) {
    const choices = host.connectChoices();
    const rows = visibleRows(state, choices);
    const focus = rows.includes(state.focus) ? state.focus : 'host';
    if (focus === 'kind' || focus === 'saved') {
      const text = matchCommand(press, 'text');
      const step = text === 'cursor-left' ? -1 : text === 'cursor-right' ? 1 : press.name === 'space' ? 1 : 0;
      if (step !== 0) {
        if (focus === 'kind') {
          const index = connectSchemes.indexOf(state.scheme);
          host.show(withScheme(state, connectSchemes[(index + step + connectSchemes.length) % connectSchemes.length]!));
        } else if (choices.length > 0) {
          const index = state.choice < 0 ? (step > 0 ? 0 : choices.length - 1) : (state.choice + step + choices.length) % choices.length;
          host.show(withChoice(state, choices, index));
        }
        return true;
      }
    } else {
      const edited = editTextField(state.fields[focus as ConnectTextField], press);
      if (edited) {
        host.show({ ...state, fields: { ...state.fields, [focus]: edited } });
        return true;
      }
    }
    const index = rows.indexOf(focus);
    const count = rows.length;
    switch (matchCommand(press, 'dialog')) {
      case 'confirm':
        submit(state, host);
        break;
      case 'dismiss':
        host.show(undefined);
        host.info(state.side === 'local' ? 'the left pane stays local' : 'local pane only — press ^O to connect');
        break;
      case 'next-field':
        host.show({ ...state, focus: rows[(index + 1) % count]! });
        break;
      case 'previous-field':
        host.show({ ...state, focus: rows[(index + count - 1) % count]! });
        break;
      case 'quit':
        host.requestQuit();
        break;
      default:
        break;
    }
    return true;
  },
  render: (state, host) => {
    const choices = host.connectChoices();
    const rows = visibleRows(state, choices);
    return (
      <ConnectDialog
        pane={state.side === 'local' ? 'left' : 'right'}
        scheme={state.scheme}
        fields={state.fields}
        rows={rows}
        saved={savedText(state, choices)}
        savedList={state.focus === 'saved' && choices.length > 0 ? { labels: choices.map((choice) => choice.label), picked: state.choice } : undefined}
        focus={rows.includes(state.focus) ? state.focus : 'host'}
        error={state.error}
        connecting={(state.side === 'local' ? host.leftConnection() : host.connection()).status === 'connecting'}
        screen={host.screen}
      />
    );
  },
};
