// The signals that arrive while the init is still loading (its modules, koffi): held from the
// first line the `init` subcommand runs, then handed to the init, which forwards them once its
// command exists. As PID 1 a signal with no handler is dropped by the kernel, so without this a
// `docker stop` in the init's first ~100 ms was lost. What is left of that window is Node's own
// start, before any JavaScript runs (docs/init.md).
import { FORWARDED } from './forward.js';

export interface HeldSignals {
  /** Stops holding; returns what arrived, in order. Call after the init's own listeners are on. */
  release(): NodeJS.Signals[];
}

export function holdSignals(): HeldSignals {
  const arrived: NodeJS.Signals[] = [];
  const listeners: [NodeJS.Signals, () => void][] = [];
  for (const name of FORWARDED) {
    const fn = (): void => void arrived.push(name);
    try {
      process.on(name, fn);
      listeners.push([name, fn]);
    } catch {
      // a signal this platform's Node cannot listen to
    }
  }
  return {
    release() {
      for (const [name, fn] of listeners) process.removeListener(name, fn);
      listeners.length = 0;
      return arrived.splice(0);
    },
  };
}
