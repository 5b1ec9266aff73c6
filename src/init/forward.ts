// The signals the init catches and passes on: every signal a user or an orchestrator sends to
// stop, reload, resize or suspend a program. Not caught: SIGKILL and SIGSTOP (cannot be), the
// faults (SEGV, BUS, FPE, ILL, TRAP, SYS, ABRT: about the init itself), SIGCHLD (the init's own
// business), SIGPIPE and SIGXFSZ (Node ignores them for itself), real-time signals (Node cannot
// listen to them), and any signal the init inherited as ignored (docs/init.md).
import { constants } from 'node:os';

export const FORWARDED: readonly NodeJS.Signals[] = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGALRM',
  'SIGTERM',
  'SIGSTKFLT',
  'SIGCONT',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPWR',
];

export const JOB_STOP: ReadonlySet<string> = new Set(['SIGTSTP', 'SIGTTIN', 'SIGTTOU']);

/** Listens to every forwarded signal not in `ignored`; returns the function that stops listening. */
export function catchSignals(ignored: ReadonlySet<number>, on: (name: NodeJS.Signals) => void): () => void {
  const installed: [NodeJS.Signals, () => void][] = [];
  for (const name of FORWARDED) {
    const n = (constants.signals as Record<string, number>)[name];
    if (n === undefined || ignored.has(n)) continue;
    const listener = (): void => on(name);
    try {
      process.on(name, listener);
      installed.push([name, listener]);
    } catch {
      // a signal this platform's Node cannot listen to
    }
  }
  return () => {
    for (const [name, listener] of installed) process.removeListener(name, listener);
  };
}

export function signalNumber(name: NodeJS.Signals): number {
  return (constants.signals as Record<string, number>)[name] ?? 0;
}
