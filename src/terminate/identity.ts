// Identity before signal (docs/design.md, invariant 3). A PID that is not our unreaped child can be recycled
// the moment its process is reaped, so every such PID is held as a ProcRef: its start time, and a
// pidfd where the kernel has one. A pidfd names one process for good; signalling through it can
// never reach a stranger. Without pidfds, the start time is re-read right before kill(2).
import { closeSync } from 'node:fs';
import { ESRCH } from '../os/errno.js';
import { pidfdExited, pidfdOpen, pidfdSendSignal } from '../os/pidfd.js';
import { type ProcStat, descendantsOf, isDead, statOf } from '../os/proc.js';
import { type KillOutcome, killPid } from '../os/kill.js';

export interface ProcRef {
  readonly pid: number;
  readonly startTime: number;
  readonly pgrp: number;
  readonly session: number;
  readonly comm: string;
  pidfd: number;
}

// Opens the pidfd *after* reading the stat, then re-reads: if the start time still matches, the
// pidfd was opened on that same process and not on a successor that took the PID in between.
export function openRef(stat: ProcStat): ProcRef | null {
  if (isDead(stat)) return null;
  const ref: ProcRef = {
    pid: stat.pid,
    startTime: stat.startTime,
    pgrp: stat.pgrp,
    session: stat.session,
    comm: stat.comm,
    pidfd: -1,
  };
  const fd = pidfdOpen(stat.pid);
  if (fd >= 0) ref.pidfd = fd;
  const again = statOf(stat.pid);
  if (again === null || again === 'unreadable' || again.startTime !== stat.startTime || isDead(again)) {
    closeRef(ref);
    return null;
  }
  return ref;
}

export function closeRef(ref: ProcRef): void {
  if (ref.pidfd >= 0) {
    try {
      closeSync(ref.pidfd);
    } catch {
      // already closed
    }
    ref.pidfd = -1;
  }
}

/**
 * The process ref names is still running (not exited, not replaced by a successor). With a pidfd
 * the kernel answers: poll(2) with timeout 0 on it, readable once the process has exited (a
 * zombie counts), and no /proc read at all, so the loops that ask this every few milliseconds
 * (the escalation's "all gone?", a daemon's exit watch, init's shutdown) cost one syscall per
 * process. Without one, /proc's start time answers. When /proc cannot be read either (out of file
 * descriptors), kill(pid, 0), where only ESRCH means gone: a PID in use counts as alive, never as
 * gone.
 */
export function isAlive(ref: ProcRef): boolean {
  if (ref.pidfd >= 0) {
    const exited = pidfdExited(ref.pidfd);
    if (exited >= 0) return exited === 0;
  }
  const s = statOf(ref.pid);
  if (s !== 'unreadable') return s !== null && s.startTime === ref.startTime && !isDead(s);
  return killPid(ref.pid, 0) !== 'gone';
}

export function signalRef(ref: ProcRef, signal: number): KillOutcome {
  if (ref.pidfd >= 0) {
    const r = pidfdSendSignal(ref.pidfd, signal);
    if (r === 0) return 'sent';
    return r === -ESRCH ? 'gone' : 'denied';
  }
  // No pidfd: the start time check leaves a window of microseconds instead of the unbounded one
  // a bare PID has. A start time that cannot be read proves nothing: no signal then.
  const s = statOf(ref.pid);
  if (s === 'unreadable') return 'denied';
  if (s === null || s.startTime !== ref.startTime || isDead(s)) return 'gone';
  return killPid(ref.pid, signal);
}

/**
 * The descendants of ref's process, or [] once it is gone. /proc is read by PID, so the answer is
 * kept only if the process is still alive after the read: alive before and after, it held the PID
 * throughout, and the children listed are its own, not those of a successor that took the PID.
 */
export function descendantsOfRef(ref: ProcRef): ProcStat[] {
  if (!isAlive(ref)) return [];
  const found = descendantsOf(ref.pid);
  return isAlive(ref) ? found : [];
}
