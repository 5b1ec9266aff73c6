// The Nursery's books: what it started, how each child ended, and what the reaper found. Kept
// from the events the Handles report (never by polling), read by stats() and, on each scrape, by
// the Prometheus metrics (src/observe/metrics/): the metrics add nothing to the spawn path.
import type { StopReason } from './handle/handle.js';
import type { ReaperStats } from './reaper/types.js';
import { copyHistogram } from './reaper/scan-timing.js';
import type { StopReport } from './terminate/escalate.js';
import type { ChildMode, ExitInfo } from './types.js';
import { ServiceBook, type ServiceStats } from './stats-services.js';
import type { ServiceState } from './supervise/types.js';

/** How children ended, by outcome (each exit counts once, in the first that applies, top down). */
export interface ExitOutcomes {
  timeout: number;
  aborted: number;
  /** Ended by a signal (a stop() ends this way, unless the child exits with a code on SIGTERM). */
  signal: number;
  codeZero: number;
  codeNonZero: number;
}

/** One owner's children (owners are meant to be few: roles, not job IDs; past 100, '(other)'). */
export interface OwnerStats {
  running: Record<ChildMode, number>;
  spawned: number;
  spawnFailed: number;
  exited: ExitOutcomes;
  /** Stops of this owner's trees that needed SIGKILL after the grace period. */
  killedAfterGrace: number;
}

export interface NurseryStats {
  spawned: number;
  running: number;
  exited: number;
  /** Children ended by stop(), stopAll(), close(), dispose, timeout or abort. */
  stopped: number;
  /** Stops whose tree still had live processes when the grace period ended. */
  killedAfterGrace: number;
  /** Processes sent SIGKILL after their grace period. */
  processesKilledAfterGrace: number;
  timedOut: number;
  aborted: number;
  /** Processes left behind by a child that exited by itself, and then stopped. */
  leftoversStopped: number;
  spawnFailed: number;
  /** Untracked zombies reaped (the leak detector: 0 in steady state unless we are PID 1 or a subreaper). */
  reaped: number;
  /** Live orphans stopped by the orphan policy. */
  orphansKilled: number;
  /** The same figures per owner, and the live children by mode. */
  owners: Record<string, OwnerStats>;
  /** The process-wide reaper's figures (scan durations included), or null when none runs for this nursery. */
  reaper: ReaperStats | null;
  /** Live daemons in the registry (any process's). */
  daemons: number;
  /** Supervised services (nursery.supervise()): restarts by name, and how many are in each state. */
  services: ServiceStats;
}

type Flat = Omit<NurseryStats, 'owners' | 'reaper' | 'daemons' | 'services'>;

export const MAX_OWNERS = 100;
export const OTHER_OWNER = '(other)';

function ownerStats(): OwnerStats {
  const exited = { timeout: 0, aborted: 0, signal: 0, codeZero: 0, codeNonZero: 0 };
  return { running: { normal: 0, pty: 0 }, spawned: 0, spawnFailed: 0, exited, killedAfterGrace: 0 };
}

export function outcomeOf(info: ExitInfo): keyof ExitOutcomes {
  if (info.timedOut) return 'timeout';
  if (info.aborted) return 'aborted';
  if (info.signal !== null) return 'signal';
  return info.code === 0 ? 'codeZero' : 'codeNonZero';
}

export class StatsBook {
  readonly counts: Flat = {
    spawned: 0,
    running: 0,
    exited: 0,
    stopped: 0,
    killedAfterGrace: 0,
    processesKilledAfterGrace: 0,
    timedOut: 0,
    aborted: 0,
    leftoversStopped: 0,
    spawnFailed: 0,
    reaped: 0,
    orphansKilled: 0,
  };
  #owners = new Map<string, OwnerStats>();
  #reaper: ReaperStats | null = null;
  readonly services = new ServiceBook();

  /** An owner's books; a label set that would grow without end folds into '(other)'. */
  owner(name: string): OwnerStats {
    let o = this.#owners.get(name);
    if (o === undefined) {
      if (this.#owners.size >= MAX_OWNERS) return this.owner(OTHER_OWNER);
      o = ownerStats();
      this.#owners.set(name, o);
    }
    return o;
  }

  spawned(owner: string): void {
    this.counts.spawned++;
    this.owner(owner).spawned++;
  }

  spawnFailed(owner: string | null): void {
    this.counts.spawnFailed++;
    if (owner !== null) this.owner(owner).spawnFailed++;
  }

  stopReport(report: StopReport, reason: StopReason, owner: string): void {
    const c = this.counts;
    if (reason === 'leftovers') {
      c.leftoversStopped += report.signalled;
      return;
    }
    if (report.killedAfterGrace > 0) {
      c.killedAfterGrace++;
      c.processesKilledAfterGrace += report.killedAfterGrace;
      this.owner(owner).killedAfterGrace++;
    }
  }

  exit(info: ExitInfo, owner: string): void {
    const c = this.counts;
    c.exited++;
    if (info.stopped) c.stopped++;
    if (info.timedOut) c.timedOut++;
    if (info.aborted) c.aborted++;
    this.owner(owner).exited[outcomeOf(info)]++;
  }

  /** The reaper's last figures, kept once this nursery lets go of it. */
  keepReaper(r: ReaperStats): void {
    this.#reaper = { ...r, scanSeconds: copyHistogram(r.scanSeconds) };
  }

  snapshot(
    live: Iterable<{ owner: string; mode: ChildMode }>,
    reaper: ReaperStats | undefined,
    daemons: number,
    services: Iterable<{ readonly state: ServiceState }> = [],
  ) {
    const owners: Record<string, OwnerStats> = {};
    for (const [name, o] of this.#owners)
      owners[name] = { ...o, running: { normal: 0, pty: 0 }, exited: { ...o.exited } };
    let running = 0;
    for (const child of live) {
      running++;
      const name = this.#owners.has(child.owner) ? child.owner : OTHER_OWNER;
      const o = (owners[name] ??= ownerStats());
      o.running[child.mode]++;
    }
    const r = reaper ? { ...reaper, scanSeconds: copyHistogram(reaper.scanSeconds) } : this.#reaper;
    const reaped = r?.reaped ?? 0;
    const orphansKilled = r?.orphansKilled ?? 0;
    const s = this.services.snapshot(services);
    return {
      ...this.counts,
      running,
      reaped,
      orphansKilled,
      owners,
      reaper: r,
      daemons,
      services: s,
    } satisfies NurseryStats;
  }
}
