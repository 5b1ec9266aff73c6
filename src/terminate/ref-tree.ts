// A tree whose root is not our unreaped child (an adopted orphan, a daemon): every member,
// the root included, is held by a ProcRef, so no signal can reach a stranger. Members are the
// root's descendants and, when asked, the members of the session the root leads (a daemon's
// helpers that left its group but not its session). Stopped through the one escalation loop.
import { isDead, membersOf, readStat } from '../os/proc.js';
import { type Escalatable, resumeAfter } from './escalate.js';
import { type ProcRef, closeRef, descendantsOfRef, isAlive, openRef, signalRef } from './identity.js';

export class RefTree implements Escalatable {
  readonly refs = new Map<number, ProcRef>();
  #root: ProcRef;
  #session: boolean;
  #ownsRoot: boolean;

  /** `session`: the root's session members belong to the tree. `ownsRoot`: close() closes the root's ref too. */
  constructor(root: ProcRef, options: { session: boolean; ownsRoot: boolean }) {
    this.#root = root;
    this.#session = options.session;
    this.#ownsRoot = options.ownsRoot;
    this.refs.set(root.pid, root);
  }

  // Descendants of every member still alive, and the members of the root's session while the
  // root lives: a session ID is not handed out again while any member of it (the root) runs. A
  // PID seen again with another start time is a new process and gets a new ref.
  collect(): void {
    const found = [];
    for (const ref of [...this.refs.values()]) found.push(...descendantsOfRef(ref));
    const sid = this.#root.session;
    if (this.#session && sid > 1 && sid !== ownSession() && isAlive(this.#root)) {
      found.push(...membersOf(sid).filter((s) => s.session === sid));
    }
    for (const s of found) {
      const old = this.refs.get(s.pid);
      if (old?.startTime === s.startTime) continue;
      if (old) closeRef(old);
      const fresh = openRef(s);
      if (fresh) this.refs.set(s.pid, fresh);
      else this.refs.delete(s.pid);
    }
  }

  signalAll(signal: number): number {
    let n = 0;
    for (const ref of this.refs.values()) if (isAlive(ref) && signalRef(ref, signal) === 'sent') n++;
    return n;
  }

  // Every member we hold is gone; in session mode, one more look at the session before saying so:
  // a member may have forked between our last look and its death (a daemon's shell starting its
  // next command), and the child, orphaned, is in no walk. The session ID is not handed out again
  // while any member uses it, so a live process now holding that PID, not one of ours, means our
  // session is empty.
  gone(currentSignal: number): boolean {
    if (this.aliveCount() > 0) return false;
    const sid = this.#root.session;
    if (!this.#session || sid <= 1 || sid === ownSession()) return true;
    const holder = readStat(sid);
    if (holder !== null && !isDead(holder) && this.refs.get(sid)?.startTime !== holder.startTime) return true;
    let fresh = 0;
    for (const s of membersOf(sid)) {
      // A PID we hold under another start time is a successor: not ours to look at.
      if (s.session !== sid || isDead(s) || this.refs.has(s.pid)) continue;
      const ref = openRef(s);
      if (!ref) continue;
      this.refs.set(s.pid, ref);
      signalRef(ref, currentSignal);
      const resume = resumeAfter(currentSignal);
      if (resume !== null) signalRef(ref, resume);
      fresh++;
    }
    return fresh === 0;
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
    for (const ref of this.refs.values()) if (ref !== this.#root || this.#ownsRoot) closeRef(ref);
    this.refs.clear();
  }
}

// Never our own session: a root that shares it (not a daemon after all) must not take us with it.
function ownSession(): number {
  return readStat('self')?.session ?? -1;
}
