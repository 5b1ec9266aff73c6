// The report of `nursery doctor`: its JSON output, field for field. docs/doctor.md documents every
// field; the shape is stable: within one `version` fields are only ever added, never renamed,
// removed or given another type.

/** What PID 1 is: a known init, `nursery init`, an application, or unknown (/proc/1 unreadable). */
export type Pid1Kind = 'init' | 'nursery-init' | 'application' | 'unknown';

export interface Pid1Report {
  pid: 1;
  comm: string | null;
  cmdline: string | null;
  kind: Pid1Kind;
  /** The known init's name ("tini", "systemd", "nursery init", ...); null for an application. */
  init: string | null;
  /** PID 1's handling of SIGCHLD, from /proc/1/status; null where unreadable. */
  sigchld: 'caught' | 'ignored' | 'default' | null;
  /** Zombies whose parent is PID 1 (0 when PID 1 is outside the scope). */
  zombies: number;
}

export interface ProcessRef {
  pid: number;
  comm: string;
}

export interface ZombieParent {
  pid: number;
  comm: string;
  cmdline: string;
  /** Its state (field 3 of /proc/PID/stat): R, S, D, T (stopped), ...; '' if it vanished. */
  state: string;
  /** How many zombies it holds. */
  count: number;
  /** The zombies' PIDs, ascending. */
  pids: number[];
  /** The zombies' names with their counts, most frequent first. */
  names: { comm: string; count: number }[];
  /** Seconds since the oldest of them started (the kernel does not record when a process died); null if unknown. */
  oldestAgeSeconds: number | null;
  /** True when --max-zombies was given and count is above it. */
  overLimit: boolean;
  /** Its ancestors, the topmost first, up to the scope's root or a process with no visible parent. */
  ancestors: ProcessRef[];
}

export interface AdoptedGroup {
  comm: string;
  count: number;
  pids: number[];
  /** Seconds since the oldest of them started; null if unknown. */
  oldestAgeSeconds: number | null;
}

export type FindingCode = 'zombies' | 'zombies-over-limit' | 'pid1-application' | 'pid1-unknown' | 'adopted';

export interface Finding {
  code: FindingCode;
  severity: 'info' | 'warning' | 'error';
  /** The process it is about, if one. */
  pid: number | null;
  /** What was found, one sentence. */
  message: string;
  /** What to do about it, one sentence. */
  advice: string;
}

export interface DoctorReport {
  /** The report format's version: 1. */
  version: 1;
  /** The root of the scope (--pid), or null for the whole host. */
  scope: ProcessRef | null;
  /** When the snapshot was taken, ISO 8601. */
  time: string;
  /** Seconds since boot (/proc/uptime); null where unreadable. */
  uptimeSeconds: number | null;
  /** Clock ticks per second, the unit of /proc start times, used for every age. */
  clockTicks: number;
  /** Processes seen in the scope, zombies included. */
  processes: number;
  pid1: Pid1Report;
  /** Zombies in the scope (seen twice, 200 ms apart: see scan.ts). */
  zombies: number;
  /** Parents holding zombies, most zombies first. */
  zombieParents: ZombieParent[];
  /** Live children of PID 1 in the scope, grouped by name, largest group first. */
  adopted: AdoptedGroup[];
  maxZombies: number | null;
  /** False only when --max-zombies was given and a parent holds more (exit code 1). */
  healthy: boolean;
  findings: Finding[];
}
