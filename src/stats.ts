// The Nursery's books: what it started, how each child ended, and what the reaper found. Kept
// from the events the Handles report (never by polling), read by stats().
import type { StopReason } from './handle/handle.js';
import type { ReaperStats } from './reaper/types.js';
import type { StopReport } from './terminate/escalate.js';
import type { ExitInfo } from './types.js';

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
}

export class StatsBook {
  readonly counts: NurseryStats = {
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

  stopReport(report: StopReport, reason: StopReason): void {
    const c = this.counts;
    if (reason === 'leftovers') {
      c.leftoversStopped += report.signalled;
      return;
    }
    if (report.killedAfterGrace > 0) {
      c.killedAfterGrace++;
      c.processesKilledAfterGrace += report.killedAfterGrace;
    }
  }

  exit(info: ExitInfo): void {
    const c = this.counts;
    c.exited++;
    if (info.stopped) c.stopped++;
    if (info.timedOut) c.timedOut++;
    if (info.aborted) c.aborted++;
  }

  /** The reaper's last figures, kept once this nursery lets go of it. */
  keepReaper(r: ReaperStats): void {
    this.counts.reaped = r.reaped;
    this.counts.orphansKilled = r.orphansKilled;
  }

  snapshot(running: number, reaper: ReaperStats | undefined): NurseryStats {
    const reaped = reaper?.reaped ?? this.counts.reaped;
    const orphansKilled = reaper?.orphansKilled ?? this.counts.orphansKilled;
    return { ...this.counts, running, reaped, orphansKilled };
  }
}
