// A tree under cgroup containment, as the one escalation loop (escalate.ts) sees it: the usual
// tree (tree.ts: the group, the walk, adopted orphans, the session) plus every process in the
// child's cgroup, which no setsid(), double fork or fork loop can leave. The first signal (and
// SIGCONT) goes to all of them; SIGKILL is cgroup.kill, atomic against forks (or, without it:
// freeze, SIGKILL each, thaw); the tree is gone only once the cgroup is empty (populated 0). The
// loop learns that from cgroup.events' inotify event (wake()), its polls being the safety net.
import { performance } from 'node:perf_hooks';
import { CgroupEvents } from '../os/cgroup-events.js';
import { freezeCgroup, killCgroup } from '../os/cgroup.js';
import { cgroupV2Of, readStat } from '../os/proc.js';
import { SIGKILL } from '../os/signals.js';
import type { ChildCgroup } from './cgroup.js';
import { type Escalatable, resumeAfter } from './escalate.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from './identity.js';
import type { Tree } from './tree.js';

const FIRST_LOOK_MS = 50;
const LATE_LOOK_MS = 10;

export class CgroupTree implements Escalatable {
  /** Members found in the cgroup that the tree does not hold. */
  readonly members = new Map<number, ProcRef>();
  #late: ProcRef[] = [];
  #collected = false;
  /** cgroup.kill was written: no process of the cgroup can return to user space, nor fork. */
  #killed = false;
  /** Watched from before the first signal, so that no change after our first look is missed. */
  #events: CgroupEvents;

  constructor(
    readonly tree: Tree,
    readonly cgroup: ChildCgroup,
  ) {
    this.#events = new CgroupEvents(cgroup.dir);
  }

  // A PID read from cgroup.procs may be reaped and recycled before we act on it: it is held by a
  // reference, and kept only if, after the reference was taken, the process is still in our cgroup.
  // A fork storm can put thousands there: each look takes at most `budgetMs`, so that the loop
  // keeps its deadline (what is not looked at now is found by the next look, and cgroup.kill at
  // the end of the grace needs no look at all).
  #collectCgroup(budgetMs = Infinity): void {
    const leader = this.tree.root;
    const end = performance.now() + budgetMs;
    for (const pid of this.cgroup.pids()) {
      if (performance.now() > end) break;
      if ((pid === leader.pid && !leader.isReaped()) || this.tree.refs.has(pid)) continue;
      const old = this.members.get(pid);
      if (old && isAlive(old)) continue;
      if (old) closeRef(old);
      this.members.delete(pid);
      const s = readStat(pid);
      const ref = s && openRef(s);
      if (!ref) continue;
      if (cgroupV2Of(pid) !== this.cgroup.path) {
        closeRef(ref);
        continue;
      }
      this.members.set(pid, ref);
      this.#late.push(ref);
    }
  }

  // Before the first signal: the walk and the cgroup. Before SIGKILL, where cgroup.kill exists,
  // nothing: it reaches everything in the cgroup at once, and what is outside is in the tree's
  // references already (gone() kills those once the cgroup is empty).
  collect(): void {
    if (this.#collected && this.cgroup.canKill) return;
    this.#collected = true;
    this.tree.collect();
    this.#collectCgroup(FIRST_LOOK_MS);
  }

  blind(): boolean {
    return this.tree.blind();
  }

  // Each process gets the signal once: the tree's (group kill, its references), then the members
  // it does not hold, except those the group kill reached.
  signalAll(signal: number): number {
    this.#late = [];
    if (signal === SIGKILL) return this.#killAll();
    let n = this.tree.signalAll(signal);
    const leaderLive = !this.tree.root.isReaped();
    for (const ref of this.members.values()) {
      if (this.tree.refs.has(ref.pid)) continue;
      if (leaderLive && ref.pgrp === this.tree.root.pid) n++;
      else if (signalRef(ref, signal) === 'sent') n++;
    }
    return n;
  }

  #killAll(): number {
    const n = this.cgroup.pids().length;
    if (this.cgroup.canKill && killCgroup(this.cgroup.dir)) {
      this.#killed = true;
      return n;
    }
    freezeCgroup(this.cgroup.dir, true);
    this.#collectCgroup();
    for (const ref of this.members.values()) signalRef(ref, SIGKILL);
    freezeCgroup(this.cgroup.dir, false);
    // Whatever of the tree is outside the cgroup (a member with the right to move itself out).
    this.tree.signalAll(SIGKILL);
    return n;
  }

  gone(currentSignal: number): boolean {
    if (!this.cgroup.populated()) {
      if (this.tree.gone(currentSignal)) return true;
      // The cgroup is empty, so what the tree still holds alive is outside it.
      if (this.#killed) this.tree.signalAll(SIGKILL);
      return false;
    }
    if (this.#killed) return false;
    // Forked since the last look: they get the current signal (cgroup.kill again for SIGKILL).
    this.#late = [];
    this.#collectCgroup(LATE_LOOK_MS);
    const late = this.#late.splice(0);
    if (currentSignal === SIGKILL) {
      if (late.length > 0) this.#killAll();
      return false;
    }
    const resume = resumeAfter(currentSignal);
    for (const ref of late) {
      signalRef(ref, currentSignal);
      if (resume !== null) signalRef(ref, resume);
    }
    return false;
  }

  aliveCount(): number {
    let n = this.tree.aliveCount();
    for (const ref of this.members.values()) if (!this.tree.refs.has(ref.pid) && isAlive(ref)) n++;
    return n;
  }

  // The loop sleeps until the leader is reaped or cgroup.events changes (the cgroup emptied, most
  // often), whichever comes first; at most its poll interval either way.
  wake(): Promise<unknown> | null {
    const leader = this.tree.wake();
    const events = this.#events.next();
    if (events === null) return leader;
    return leader === null ? events : Promise.race([leader, events]);
  }

  close(): void {
    this.#events.close();
    for (const ref of this.members.values()) closeRef(ref);
    this.members.clear();
    this.tree.close();
  }
}
