// pidfds (Linux 5.3+): a file descriptor that names one process for good, so a signal sent
// through it can never reach a process that took the PID later.
import { ENOSYS } from './errno.js';
import { libc } from './libc.js';

/** A pidfd for pid (close it with fs.closeSync), or -errno (-ENOSYS without libc or kernel support). */
export function pidfdOpen(pid: number): number {
  return libc()?.pidfdOpen(pid) ?? -ENOSYS;
}

/** 0, or -errno (-ESRCH once the process has exited). */
export function pidfdSendSignal(pidfd: number, signal: number): number {
  return libc()?.pidfdSendSignal(pidfd, signal) ?? -ENOSYS;
}

/** 1 once the process the pidfd names has exited (a zombie counts), 0 while it runs, or -errno. */
export function pidfdExited(pidfd: number): number {
  return libc()?.readable(pidfd) ?? -ENOSYS;
}
