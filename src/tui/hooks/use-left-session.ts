/**
 * The left pane on a server too (Alt-O): a second session, opened, lost,
 * reconnected and ended the way the right pane's is (use-connection.ts, with
 * its automatic reconnect), so local↔server, server↔local and server↔server
 * copies all go through the one queue. While it has no session the left pane
 * is local; when its session ends (or the first connect fails) it lists
 * again the local folder it showed before.
 */
import { useEffect, useRef } from 'react';
import { useConnection, type ConnectionControl, type ConnectionOptions } from './use-connection.js';
import type { PaneController } from './use-pane.js';
import type { PaneFs } from '../fs/pane-fs.js';

export type LeftSessionOptions = Pick<
  ConnectionOptions, 'connect' | 'askTrust' | 'askSecret' | 'recordRecent' | 'info' | 'fail' | 'offerConnect' | 'onConnected' | 'onLeaving' | 'reconnectTries'
> & {
  leftPane: { readonly current: PaneController };
  localFs: PaneFs;
};

export function useLeftSession(options: LeftSessionOptions): ConnectionControl {
  const { leftPane, localFs, ...shared } = options;
  const session = useConnection({
    ...shared,
    side: 'local',
    remotePane: leftPane,
    // The App quits through the right pane's session, after this one (components/App.tsx).
    onQuit: () => undefined,
  });

  const status = session.connection.status;
  const lastLocalPath = useRef<string | undefined>(undefined);
  useEffect(() => {
    const pane = leftPane.current;
    if (status !== 'disconnected' && lastLocalPath.current === undefined) lastLocalPath.current = pane.current().path;
    if (status === 'disconnected' && lastLocalPath.current !== undefined) {
      const back = lastLocalPath.current;
      lastLocalPath.current = undefined;
      void pane.load(localFs, back);
    }
  }, [status, leftPane, localFs]);
  return session;
}
