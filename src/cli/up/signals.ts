// The stop signals of `nursery up`, held from the first line the subcommand runs: as PID 1 the
// kernel drops a signal that has no handler, so a `docker stop` while the library and the file
// load would be lost. Signals that arrive before anyone listens are delivered on subscribe.

export type StopSignal = 'SIGINT' | 'SIGTERM';

export interface SignalSource {
  /** Calls listener for each SIGINT or SIGTERM, those held so far first; returns the unsubscribe. */
  subscribe(listener: (signal: StopSignal) => void): () => void;
  /** Removes the process listeners. */
  close(): void;
}

/** Starts listening on the process now (the CLI is an application: it may own these signals). */
export function holdStopSignals(): SignalSource {
  const held: StopSignal[] = [];
  const listeners = new Set<(signal: StopSignal) => void>();
  const on = (signal: StopSignal) => (): void => {
    if (listeners.size === 0) held.push(signal);
    for (const l of listeners) l(signal);
  };
  const handlers = [['SIGINT', on('SIGINT')] as const, ['SIGTERM', on('SIGTERM')] as const];
  for (const [name, fn] of handlers) process.on(name, fn);
  return {
    subscribe(listener) {
      listeners.add(listener);
      for (const s of held.splice(0)) listener(s);
      return () => listeners.delete(listener);
    },
    close() {
      for (const [name, fn] of handlers) process.removeListener(name, fn);
    },
  };
}
