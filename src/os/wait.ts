// The wait functions. Only src/reaper/ may import this file (the lint config says so): every
// child has exactly one waiter, and outside the reaper that waiter is libuv or node-pty
// (docs/design.md, invariants 1 and 2).
import { ENOSYS } from './errno.js';
import { type WaitResult, libc } from './libc.js';

export type { WaitResult };

/** True where the wait functions work (Linux with libc through koffi). */
export function canWait(): boolean {
  return libc() !== null;
}

/** waitpid(pid, WNOHANG) for one positive PID: reaps it if it is our zombie. */
export function waitpidNoHang(pid: number): WaitResult {
  return libc()?.waitpidNoHang(pid) ?? { pid: -ENOSYS, status: 0 };
}

// A look, never a reap: WNOWAIT leaves the zombie for its real waiter. It costs a syscall where
// a /proc read costs a file.
/** 1 when our child pid has exited (a zombie), 0 while it runs, -errno otherwise. */
export function hasExited(pid: number): number {
  return libc()?.hasExited(pid) ?? -ENOSYS;
}
