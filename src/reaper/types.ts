// The reaper's public figures and events. A leaf file: it imports nothing.

/** 'immediate': an adopted orphan, reaped at once; 'grace': reaped after the grace window. */
export type ReapPath = 'immediate' | 'grace';

/** A histogram of durations in seconds, Prometheus-style: `counts[i]` holds samples <= bounds[i], not cumulated. */
export interface DurationHistogram {
  /** Upper bounds in seconds, ascending; the last count is for samples above them all (+Inf). */
  bounds: readonly number[];
  /** One per bound, plus one for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

export interface ReaperStats {
  /** Untracked zombies reaped: stays 0 in a healthy program that is not PID 1 or a subreaper. */
  reaped: number;
  reapedImmediately: number;
  reapedAfterGrace: number;
  orphansKilled: number;
  scans: number;
  /** How long each scan took. */
  scanSeconds: DurationHistogram;
}

export interface ReapEvent {
  pid: number;
  comm: string;
  code: number | null;
  signal: string | null;
  path: ReapPath;
  /** From first sight of the zombie to its reap. */
  latencyMs: number;
}

/** One of the last reaps, as the debug endpoint lists them (newest first). */
export interface RecentReap extends ReapEvent {
  /** The zombie's session ID: for a process of one of our trees, the PID of the child that leads it. */
  session: number;
  /** True when this process was neither PID 1 nor a subreaper: a leak of ours. */
  leak: boolean;
  /** Epoch milliseconds. */
  at: number;
}
