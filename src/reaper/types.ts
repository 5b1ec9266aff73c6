// The reaper's public figures and events. A leaf file: it imports nothing.

/** 'immediate': an adopted orphan, reaped at once; 'grace': reaped after the grace window. */
export type ReapPath = 'immediate' | 'grace';

export interface ReaperStats {
  /** Untracked zombies reaped: stays 0 in a healthy program that is not PID 1 or a subreaper. */
  reaped: number;
  reapedImmediately: number;
  reapedAfterGrace: number;
  orphansKilled: number;
  scans: number;
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
