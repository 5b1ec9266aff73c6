// Opt-in (Nursery option stopOnSignals): children lead their own sessions, so a terminal's
// Ctrl-C reaches only the host, and a host that dies of SIGINT runs no 'exit' listener. With this
// option the host's SIGINT/SIGTERM/SIGHUP stop every tree first (a second signal: SIGKILL at
// once), then the signal is raised again so the host ends as it would have without nursery,
// unless the application has listeners of its own for it, which then decide. As PID 1 the host
// exits with 128 + n instead (below).
//
// One listener per signal for the whole thread, shared by every Nursery that asked for it (not one
// each: eleven Nurseries would trip MaxListenersExceededWarning).
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

const users = new Map<HostSignal, Set<HostSignalHooks>>();
const listeners = new Map<HostSignal, () => void>();
/** A graceful stop is under way: the next signal SIGKILLs at once. */
let stopping = false;

function listener(sig: HostSignal): () => void {
  return (): void => {
    const hooks = [...(users.get(sig) ?? [])];
    if (stopping) {
      for (const h of hooks) h.killAllNow();
      return;
    }
    stopping = true;
    void Promise.allSettled(hooks.map((h) => h.stopAll())).finally(() => {
      stopping = false;
      // stopAll() is close(), which removed each Nursery's part; what is left belongs to Nurseries
      // made since. Our listener was the only one: without it the default action (death by this
      // signal) is what the host would have had. The only others are signal-exit's (execa's
      // cleanup, and many CLIs): it re-raises only when it is alone, so it declined while we
      // listened; raised again now, it finds itself alone, runs its handlers and ends the host.
      const others = process.listenerCount(sig);
      if (others === 0 || others === signalExitListeners()) endHost(toSignalNumber(sig, 'signal'));
    });
  };
}

// How many listeners per signal signal-exit holds (v4's emitter on globalThis, v3's on process):
// both keep a count, and install one listener per signal per count.
function signalExitListeners(): number {
  const v4 = (globalThis as Record<symbol, { count?: unknown } | undefined>)[Symbol.for('signal-exit emitter')];
  const v3 = (process as { __signal_exit_emitter__?: { count?: unknown } }).__signal_exit_emitter__;
  const count = (e: { count?: unknown } | undefined): number => (typeof e?.count === 'number' ? e.count : 0);
  return count(v4) + count(v3);
}

function drop(sig: HostSignal, hooks: HostSignalHooks): void {
  const set = users.get(sig);
  if (!set?.delete(hooks) || set.size > 0) return;
  users.delete(sig);
  const fn = listeners.get(sig);
  listeners.delete(sig);
  if (fn) process.removeListener(sig, fn);
}

/** Adds a Nursery to the listeners of `signals`; returns the function that takes it out again. */
export function installHostSignals(signals: readonly HostSignal[], hooks: HostSignalHooks): () => void {
  for (const sig of signals) {
    let set = users.get(sig);
    if (!set) {
      set = new Set();
      users.set(sig, set);
      const fn = listener(sig);
      listeners.set(sig, fn);
      process.on(sig, fn);
    }
    set.add(hooks);
  }
  return () => {
    for (const sig of signals) drop(sig, hooks);
  };
}
