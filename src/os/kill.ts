// The raw kill(2) calls. Nothing here checks identity: callers in src/terminate/ must have proved
// the target is still the process (or group) they mean before calling.
/* eslint-disable nursery/no-raw-child-process -- the one place raw signals are sent */
import { ESRCH } from './errno.js';
import { libc } from './libc.js';

export type KillOutcome = 'sent' | 'gone' | 'denied';

function outcome(fn: () => void): KillOutcome {
  try {
    fn();
    return 'sent';
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return 'gone';
    if (code === 'EPERM') return 'denied';
    throw error;
  }
}

export function killPid(pid: number, signal: number): KillOutcome {
  return outcome(() => process.kill(pid, signal));
}

// kill(-1): every process this one may signal but itself and PID 1. Only for PID 1 of a PID
// namespace (nursery up's wait-for-all), where that is exactly the namespace: all of it ours.
export function killAllInNamespace(signal: number): KillOutcome {
  return outcome(() => process.kill(-1, signal));
}

// kill(-pgid): every member of the group, zombies included for signal 0.
export function killGroup(pgid: number, signal: number): KillOutcome {
  return outcome(() => process.kill(-pgid, signal));
}

// True when the group still has a member (live or zombie). Signal 0 delivers nothing, so it is
// safe whoever holds the group ID. Through libc where we can: process.kill() reports ESRCH by
// throwing, which costs more than the rest of this check on every exit.
export function groupExists(pgid: number): boolean {
  const c = libc();
  if (c) return c.kill(-pgid, 0) !== -ESRCH;
  return killGroup(pgid, 0) !== 'gone';
}
