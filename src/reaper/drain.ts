// After the last Nursery releases the reaper, orphans it adopted may still run, and only we can
// reap them (they are our children). The reaper then drains: it keeps an unreferenced SIGCHLD
// listener and reaps exactly those recorded processes as they die, nothing else.
import { childrenByThread, readStat } from '../os/proc.js';
import type { TrackedSet } from './tracked.js';

/** Live children that are ours alone: untracked, under the main thread, adopted after start. */
export function adoptedAlive(tracked: TrackedSet, preexisting: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const pid of childrenByThread().get(process.pid) ?? []) {
    if (tracked.has(pid)) continue;
    const s = readStat(pid);
    if (!s || s.state === 'Z' || s.state === 'X') continue;
    const key = `${pid}:${s.startTime}`;
    if (!preexisting.has(key)) out.add(key);
  }
  return out;
}

/** Reaps the recorded adoptees that are zombies now, and forgets those gone or no longer ours. */
export function drainStep(keys: Set<string>, reap: (pid: number, comm: string, session: number) => void): void {
  for (const key of [...keys]) {
    const pid = Number(key.slice(0, key.indexOf(':')));
    const s = readStat(pid);
    if (s === null || `${pid}:${s.startTime}` !== key || s.ppid !== process.pid) {
      keys.delete(key);
      continue;
    }
    if (s.state === 'Z') {
      reap(pid, s.comm, s.session);
      keys.delete(key);
    }
  }
}
