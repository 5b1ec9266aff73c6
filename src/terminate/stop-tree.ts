// Stop means the whole tree (DESIGN invariant 4): the leader's process group, plus every
// descendant that left it with setsid(), found by walking /proc before the first signal. SIGTERM
// (or the handle's killSignal) first, SIGKILL for whatever is left after the grace period, and a
// return as soon as all of it is gone: the grace period is a ceiling, never a wait.
import { performance } from 'node:perf_hooks';
import { SIGKILL } from '../os/signals.js';
import { childrenByThread, descendantsOf, environHas, isDead, membersOf, readStat } from '../os/proc.js';
import { ESRCH, native } from '../os/native.js';
import { killGroup, killPid } from '../os/kill.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from './identity.js';

export interface TreeRoot {
  /** The leader: our own child, which leads its own session and group (pgid = sid = pid). */
  readonly pid: number;
  /** True once libuv has reaped the leader; until then its PID, and so its group, are ours. */
  isReaped(): boolean;
  /** Settles when the leader is reaped. */
  readonly reaped: Promise<unknown>;
  /**
   * "NAME=value" put in the leader's environment at spawn and inherited by its descendants: an
   * orphan of the tree that our subreaper adopted (after its parent died, and so out of reach of
   * the walk and, if it called setsid(), of the session) is recognised by it.
   */
  readonly tag?: string;
  /** Our children that others wait for (libuv's, the reaper's tracked set): never adopted orphans. */
  readonly tracked?: () => ReadonlySet<number>;
}

export interface StopTreeOptions {
  signal: number;
  graceMs: number;
  /** How long to wait for SIGKILLed processes to vanish before reporting them as survivors. */
  killWaitMs?: number;
}

export interface StopReport {
  /** Processes of the tree alive when the first signal was sent (leader included). */
  signalled: number;
  /** Processes still alive when the grace period ended, and so sent SIGKILL. */
  killedAfterGrace: number;
  /** Processes still alive when stopTree gave up waiting after SIGKILL (D state, or not ours to kill). */
  survivors: number;
  durationMs: number;
}

const SCAN_EVERY_MS = 50;
const MAX_POLL_MS = 20;

// Adopted orphans exist only for a subreaper or PID 1 (one prctl per walk of the tree).
function adopting(): boolean {
  if (process.pid === 1) return true;
  const n = native();
  return n !== null && n.getChildSubreaper() === true;
}

class Tree {
  readonly refs = new Map<number, ProcRef>();
  private lastScan = -Infinity;
  private sessionReused = false;

  constructor(readonly root: TreeRoot) {}

  private add(pid: number, startTime: number, make: () => ProcRef | null): void {
    const old = this.refs.get(pid);
    if (old && old.startTime === startTime) return;
    if (old) closeRef(old);
    const ref = make();
    if (ref) this.refs.set(pid, ref);
    else this.refs.delete(pid);
  }

  // Record every live descendant of the leader and of the processes already known.
  collect(): void {
    const roots: number[] = [];
    if (!this.root.isReaped()) roots.push(this.root.pid);
    for (const ref of this.refs.values()) if (isAlive(ref)) roots.push(ref.pid);
    for (const r of roots) for (const s of descendantsOf(r)) this.add(s.pid, s.startTime, () => openRef(s));
    this.collectAdopted();
    if (this.root.isReaped()) this.scanSession();
  }

  // As a subreaper (or PID 1), orphans of the tree are our own children now: find them by the
  // tree's tag, and their descendants by the walk.
  private collectAdopted(): void {
    const tag = this.root.tag;
    if (tag === undefined || !adopting()) return;
    const tracked = this.root.tracked?.();
    for (const pid of childrenByThread().get(process.pid) ?? []) {
      if (pid === this.root.pid || this.refs.has(pid) || tracked?.has(pid) || !environHas(pid, tag)) continue;
      const s = readStat(pid);
      if (s === null || isDead(s)) continue;
      this.add(s.pid, s.startTime, () => openRef(s));
      for (const d of descendantsOf(pid)) this.add(d.pid, d.startTime, () => openRef(d));
    }
  }

  // Once the leader is reaped, its group and session can only be found by scanning /proc. The
  // session ID cannot be handed to a new process while any member of ours still uses it, so a
  // live process now holding the leader's PID means our session is gone and the ID is a stranger's.
  private scanSession(): ProcRef[] {
    this.lastScan = performance.now();
    if (this.sessionReused) return [];
    const id = this.root.pid;
    const holder = readStat(id);
    if (holder !== null && !isDead(holder)) {
      this.sessionReused = true;
      return [];
    }
    const found: ProcRef[] = [];
    for (const s of membersOf(id)) {
      if (s.session !== id || s.pid === id || isDead(s)) continue;
      this.add(s.pid, s.startTime, () => openRef(s));
      const ref = this.refs.get(s.pid);
      if (ref) found.push(ref);
    }
    return found;
  }

  // Returns how many processes the signal was aimed at (counted before any is sent, since a
  // group kill makes members vanish while we look).
  signalAll(signal: number): number {
    const leaderLive = !this.root.isReaped();
    const leader = leaderLive ? readStat(this.root.pid) : null;
    const targets = [...this.refs.values()].filter(isAlive);
    const n = targets.length + (leader && !isDead(leader) ? 1 : 0);
    if (leaderLive) {
      // Our unreaped child holds this PID, so the group is ours: one kill(2) reaches every member.
      killGroup(this.root.pid, signal);
      if (leader && leader.pgrp !== this.root.pid) killPid(this.root.pid, signal);
    }
    for (const ref of targets) {
      // Group members already had the signal through the group; a second SIGTERM can mean
      // "force" to some programs, so each process gets exactly one.
      if (leaderLive && ref.pgrp === this.root.pid) continue;
      signalRef(ref, signal);
    }
    if (leaderLive) {
      // A member that called setsid() between the walk and the group kill was not in the group
      // when the signal went out: it gets its own.
      for (const ref of targets) {
        if (ref.pgrp !== this.root.pid) continue;
        const now = readStat(ref.pid);
        if (now && now.startTime === ref.startTime && !isDead(now) && now.pgrp !== this.root.pid)
          signalRef(ref, signal);
      }
    }
    return n;
  }

  // Everything gone: the leader reaped, every recorded process exited, and the group empty of
  // live members (zombies waiting for a parent that is not us do not count).
  gone(currentSignal: number): boolean {
    if (!this.root.isReaped()) return false;
    for (const ref of this.refs.values()) if (isAlive(ref)) return false;
    if (this.sessionReused || killGroup(this.root.pid, 0) === 'gone') return true;
    if (performance.now() - this.lastScan < SCAN_EVERY_MS) return false;
    // Members we had not recorded: forked after the walk, or orphaned before it.
    const fresh = this.scanSession().filter(isAlive);
    for (const ref of fresh) signalRef(ref, currentSignal);
    return fresh.length === 0;
  }

  aliveCount(): number {
    let n = this.root.isReaped() ? 0 : 1;
    for (const ref of this.refs.values()) if (isAlive(ref)) n++;
    return n;
  }

  close(): void {
    for (const ref of this.refs.values()) closeRef(ref);
    this.refs.clear();
  }
}

// Sleeps up to `ms`, waking early when the leader is reaped.
function pause(ms: number, wake: Promise<unknown> | null): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake?.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => undefined,
    );
  });
}

export async function stopTree(root: TreeRoot, options: StopTreeOptions): Promise<StopReport> {
  const start = performance.now();
  const tree = new Tree(root);
  const report: StopReport = { signalled: 0, killedAfterGrace: 0, survivors: 0, durationMs: 0 };
  try {
    tree.collect();
    let signal = options.signal;
    report.signalled = tree.signalAll(signal);
    let killAt = signal === SIGKILL ? start : -1;
    let delay = 1;
    let wake: Promise<unknown> | null = root.isReaped() ? null : root.reaped;
    for (;;) {
      if (tree.gone(signal)) break;
      const now = performance.now();
      if (killAt < 0 && now - start >= options.graceMs) {
        tree.collect();
        signal = SIGKILL;
        report.killedAfterGrace = tree.signalAll(SIGKILL);
        killAt = now;
      } else if (killAt >= 0 && now - killAt >= (options.killWaitMs ?? 2000)) {
        report.survivors = tree.aliveCount();
        break;
      }
      const untilGrace = killAt < 0 ? Math.max(0, options.graceMs - (now - start)) : MAX_POLL_MS;
      await pause(Math.min(delay, untilGrace, MAX_POLL_MS), wake);
      if (root.isReaped()) wake = null;
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
  } finally {
    tree.close();
  }
  report.durationMs = performance.now() - start;
  return report;
}

// For process 'exit' (where nothing async can run): SIGKILL the tree at once, without waiting.
export function killTreeNow(root: TreeRoot): number {
  const tree = new Tree(root);
  try {
    tree.collect();
    return tree.signalAll(SIGKILL);
  } finally {
    tree.close();
  }
}

// True when the leader's group still has a member (live or zombie). One kill(pgid, 0): signal 0
// delivers nothing, so it is safe whoever holds the group ID. Through libc where we can:
// process.kill() reports ESRCH by throwing, which costs more than the rest of this check on every
// exit.
export function groupExists(pgid: number): boolean {
  const n = native();
  if (n) return n.kill(-pgid, 0) !== -ESRCH;
  return killGroup(pgid, 0) !== 'gone';
}
