// Feature probes: whether a helper program on this machine accepts an option, asked once by
// running it. Part of the spawn module, the one place that may start a process; each probe
// blocks for the few milliseconds one short exec takes, and only where a feature needs it.
/* eslint-disable nursery/no-raw-child-process -- the spawn module is the one allowed place */
import { spawnSync } from 'node:child_process';

const answers = new Map<string, boolean>();

/** True when `command args...` runs and exits 0 (within 5 s). Remembered for the process's life. */
export function probeSync(command: string, args: readonly string[]): boolean {
  const key = JSON.stringify([command, ...args]);
  let ok = answers.get(key);
  if (ok === undefined) {
    const r = spawnSync(command, args, { stdio: 'ignore', timeout: 5000, killSignal: 'SIGKILL' });
    ok = r.error === undefined && r.status === 0;
    answers.set(key, ok);
  }
  return ok;
}
