// Opt-in (Nursery option stopOnSignals): children lead their own sessions, so a terminal's
// Ctrl-C reaches only the host, and a host that dies of SIGINT runs no 'exit' listener. With this
// option the host's SIGINT/SIGTERM/SIGHUP stop every tree first (a second signal: SIGKILL at
// once), then the signal is raised again so the host ends as it would have without nursery,
// unless the application has listeners of its own for it, which then decide. As PID 1 the host
// exits with 128 + n instead (below).
import { toSignalNumber } from '../os/signals.js';
import { killPid } from '../os/kill.js';
import type { HostSignal } from '../options/nursery.js';

// As PID 1 (of a container, say) the kernel drops a signal whose action is the default, even one
// the process sends itself, so raising it again would leave the app running with its children
// stopped. There the user's opt-in is taken as asking for what the signal would do anywhere else:
// exit, with the code a shell reports for it.
function endHost(signal: number): void {
  if (process.pid === 1) process.exit(128 + signal);
  killPid(process.pid, signal);
}

export interface HostSignalHooks {
  stopAll(): Promise<unknown>;
  killAllNow(): void;
}

/** Installs the listeners; returns the function that removes them. */
export function installHostSignals(signals: readonly HostSignal[], hooks: HostSignalHooks): () => void {
  const listeners = new Map<HostSignal, () => void>();
  let stopping = false;
  const remove = (): void => {
    for (const [sig, fn] of listeners) process.removeListener(sig, fn);
    listeners.clear();
  };
  for (const sig of signals) {
    const fn = (): void => {
      if (stopping) {
        hooks.killAllNow();
        return;
      }
      stopping = true;
      void hooks.stopAll().finally(() => {
        remove();
        // Our listener was the only one: without it the default action (death by this signal)
        // is what the host would have had.
        if (process.listenerCount(sig) === 0) endHost(toSignalNumber(sig, 'signal'));
      });
    };
    listeners.set(sig, fn);
    process.on(sig, fn);
  }
  return remove;
}
