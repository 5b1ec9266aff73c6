// Learning that a daemon ended when we are not its parent: no SIGCHLD, no waitpid. With a pidfd,
// poll(2) says it (the pidfd turns readable when the process exits); without one, /proc says it
// (start time no longer matching, or a zombie). Checked on a timer while someone waits.
import { pidfdExited } from '../os/pidfd.js';
import { type ProcRef, isAlive } from '../terminate/identity.js';

export const WATCH_INTERVAL_MS = 50;

export function hasEnded(ref: ProcRef): boolean {
  if (ref.pidfd >= 0) {
    const r = pidfdExited(ref.pidfd);
    if (r >= 0) return r === 1;
  }
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
