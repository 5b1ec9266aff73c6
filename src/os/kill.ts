// The raw kill(2) calls. Nothing here checks identity: callers in src/terminate/ must have proved
// the target is still the process (or group) they mean before calling.
/* eslint-disable nursery/no-raw-child-process -- the one place raw signals are sent */

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

// kill(-pgid): every member of the group, zombies included for signal 0.
export function killGroup(pgid: number, signal: number): KillOutcome {
  return outcome(() => process.kill(-pgid, signal));
}
