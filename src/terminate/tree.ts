// Who belongs to a tree: the leader's process group, every descendant that left it with
// setsid() (found by walking /proc before the first signal), orphans of the tree that our
// subreaper adopted (found by the tree's tag), and, once the leader is reaped, its session.
import { performance } from 'node:perf_hooks';
import { descendantsOf, isDead, membersOf, readStat, unreadableCount } from '../os/proc.js';
import { groupExists, killGroup, killPid } from '../os/kill.js';
import { adoptedTagged } from './adopted.js';
import { type Escalatable, resumeAfter } from './escalate.js';
import { type ProcRef, closeRef, descendantsOfRef, isAlive, openRef, signalRef } from './identity.js';

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
  /**
   * Told of each member found (after the first signal it may become our zombie, as our subreaper's
   * adoptee): the reaper can then take it at once, since it is known to be ours.
   */
  readonly onMember?: (pid: number, startTime: number) => void;
  /** Our children that others wait for (libuv's, the reaper's tracked set): never adopted orphans. */
  readonly tracked?: () => ReadonlySet<number>;
}

const SCAN_EVERY_MS = 50;

export class Tree implements Escalatable {
  readonly refs = new Map<number, ProcRef>();
  private lastScan = -Infinity;
  private sessionReused = false;
  /** The session was scanned after the leader's reap. */
  private sessionSeen = false;
  /** The last look failed somewhere (/proc unreadable): members may be unseen, so never "gone". */
  private unseen = false;
  /**
   * Some look failed: even if a later one works, a member that was unseen then may since have
   * lost its parent and left the session, out of reach. The stop cannot vouch for the whole tree.
   */
  private everUnseen = false;
  /** Members recorded since the last signalAll(): not signalled yet. */
  private late: ProcRef[] = [];

  constructor(readonly root: TreeRoot) {}

  private add(pid: number, startTime: number, make: () => ProcRef | null): void {
    const old = this.refs.get(pid);
    if (old && old.startTime === startTime) return;
    if (old) closeRef(old);
    const ref = make();
    if (ref) {
      this.refs.set(pid, ref);
      this.late.push(ref);
      this.root.onMember?.(pid, startTime);
    } else {
      this.refs.delete(pid);
    }
  }

  // Record every live descendant of the leader and of the processes already known.
  collect(): void {
    const before = unreadableCount();
    this.look();
    this.unseen = unreadableCount() !== before;
    if (this.unseen) this.everUnseen = true;
  }

  blind(): boolean {
    return this.everUnseen;
  }

  private look(): void {
    // The leader's PID is ours while it is unreaped; every other root is read through its ref.
    const found = this.root.isReaped() ? [] : descendantsOf(this.root.pid);
    for (const ref of [...this.refs.values()]) found.push(...descendantsOfRef(ref));
    for (const s of found) this.add(s.pid, s.startTime, () => openRef(s));
    this.collectAdopted();
    if (this.root.isReaped()) this.scanSession();
  }

  // As a subreaper (or PID 1), orphans of the tree are our own children now: find them by the
  // tree's tag, and their descendants by the walk.
  private collectAdopted(): void {
    const tag = this.root.tag;
    if (tag === undefined) return;
    const value = tag.slice(tag.indexOf('=') + 1);
    for (const s of adoptedTagged((v) => v === value, this.root.tracked?.())) {
      if (s.pid === this.root.pid || this.refs.has(s.pid)) continue;
      this.add(s.pid, s.startTime, () => openRef(s));
      for (const d of descendantsOf(s.pid)) this.add(d.pid, d.startTime, () => openRef(d));
    }
  }

  // Once the leader is reaped, its group and session can only be found by scanning /proc. The
  // session ID cannot be handed to a new process while any member of ours still uses it, so a
  // live process now holding the leader's PID means our session is gone and the ID is a stranger's.
  private scanSession(): ProcRef[] {
    this.lastScan = performance.now();
    this.sessionSeen = true;
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
    this.late = [];
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

  // Everything gone: the leader reaped, every recorded process exited, and the group and session
  // empty of live members (zombies waiting for a parent that is not us do not count).
  gone(currentSignal: number): boolean {
    if (!this.root.isReaped()) return false;
    for (const ref of this.refs.values()) if (isAlive(ref)) return false;
    if (this.unseen) {
      // A look failed (out of file descriptors, say): look again now and then; until one works,
      // an empty group proves nothing about the members we could not see.
      if (performance.now() - this.lastScan < SCAN_EVERY_MS) return false;
      this.lastScan = performance.now();
      this.collect();
      if (this.unseen) return false;
      const late = this.late.splice(0).filter(isAlive);
      for (const ref of late) this.signalLate(ref, currentSignal);
      if (late.length > 0) return false;
    }
    // An empty group says nothing of a member that left it but not the session (`set -m` in a
    // shell, Popen(process_group=0)) and whose parent is gone: the session is scanned at least
    // once after the reap, however empty the group.
    const groupEmpty = this.sessionReused || killGroup(this.root.pid, 0) === 'gone';
    if (groupEmpty && this.sessionSeen) return true;
    if (this.sessionSeen && performance.now() - this.lastScan < SCAN_EVERY_MS) return false;
    // Members we had not recorded: forked after the walk, orphaned before it, out of the group.
    const before = unreadableCount();
    this.late = [];
    this.collectAdopted();
    this.scanSession();
    if (unreadableCount() !== before) this.unseen = this.everUnseen = true;
    const fresh = this.late.splice(0).filter(isAlive);
    for (const ref of fresh) this.signalLate(ref, currentSignal);
    return fresh.length === 0 && !this.unseen;
  }

  // A member found after the first signal gets the current one, and SIGCONT after it as every
  // member did.
  private signalLate(ref: ProcRef, signal: number): void {
    signalRef(ref, signal);
    const resume = resumeAfter(signal);
    if (resume !== null) signalRef(ref, resume);
  }

  wake(): Promise<unknown> | null {
    return this.root.isReaped() ? null : this.root.reaped;
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

/**
 * What a child that exited by itself may have left: members of its group, or orphans of its tree
 * that our subreaper adopted (a daemon detached with `setsid -f`). Cheap: no full /proc scan.
 */
export function hasLeftovers(root: TreeRoot): boolean {
  if (groupExists(root.pid)) return true;
  const tag = root.tag;
  if (tag === undefined) return false;
  const value = tag.slice(tag.indexOf('=') + 1);
  return adoptedTagged((v) => v === value, root.tracked?.()).length > 0;
}
