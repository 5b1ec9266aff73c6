// Learning that a daemon ended when we are not its parent: no SIGCHLD, no waitpid. With a pidfd,
// poll(2) says it (the pidfd turns readable when the process exits) and /proc is not read; without
// one, /proc says it (start time no longer matching, or a zombie). Both are isAlive() in
// src/terminate/identity.ts. Checked on a timer while someone waits: Node offers no way to wait
// for an arbitrary descriptor to turn readable, and a blocking poll would hold a libuv thread.
import { type ProcRef, isAlive } from '../terminate/identity.js';

export const WATCH_INTERVAL_MS = 50;

export function hasEnded(ref: ProcRef): boolean {
  return !isAlive(ref);
}

/** Resolves once `ref`'s process has ended. The timer keeps the event loop alive while it waits, as a child would. */
export function watchExit(ref: ProcRef, intervalMs = WATCH_INTERVAL_MS): { ended: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let settle: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => {
    settle = resolve;
    if (hasEnded(ref)) return resolve();
    timer = setInterval(() => {
      if (!hasEnded(ref)) return;
      clearInterval(timer);
      resolve();
    }, intervalMs);
  });
  return {
    ended,
    cancel(): void {
      clearInterval(timer);
      settle();
    },
  };
}
