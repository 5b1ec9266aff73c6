// Stopping a live orphan (a process adopted by us as subreaper or PID 1) with its descendants,
// when the orphan policy says so. The orphan is our unreaped child, but its descendants are not:
// every one is held by a ProcRef, and the stop goes through the one escalation loop.
import { descendantsOf, readStat } from '../os/proc.js';
import { type Escalatable, type StopReport, escalate } from './escalate.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from './identity.js';

class Orphan implements Escalatable {
  readonly refs = new Map<number, ProcRef>();

  constructor(root: ProcRef) {
    this.refs.set(root.pid, root);
  }

  // Descendants of every member still alive; a PID seen again with another start time is a new
  // process and gets a new ref.
  collect(): void {
    for (const ref of [...this.refs.values()]) {
      if (!isAlive(ref)) continue;
      for (const s of descendantsOf(ref.pid)) {
        const old = this.refs.get(s.pid);
        if (old?.startTime === s.startTime) continue;
        if (old) closeRef(old);
        const fresh = openRef(s);
        if (fresh) this.refs.set(s.pid, fresh);
      }
    }
  }

  signalAll(signal: number): number {
    let n = 0;
    for (const ref of this.refs.values()) if (isAlive(ref) && signalRef(ref, signal) === 'sent') n++;
    return n;
  }

  gone(): boolean {
    return this.aliveCount() === 0;
  }

  aliveCount(): number {
    let n = 0;
    for (const ref of this.refs.values()) if (isAlive(ref)) n++;
    return n;
  }

  wake(): null {
    return null;
  }

  close(): void {
    for (const ref of this.refs.values()) closeRef(ref);
    this.refs.clear();
  }
}

/** SIGTERM to the orphan and its descendants, SIGKILL to what is left after graceMs. Null if it is already gone. */
export async function stopOrphan(pid: number, graceMs: number, signal: number): Promise<StopReport | null> {
  const self = readStat(pid);
  const root = self ? openRef(self) : null;
  if (!root) return null;
  const orphan = new Orphan(root);
  try {
    return await escalate(orphan, { signal, graceMs });
  } finally {
    orphan.close();
  }
}
