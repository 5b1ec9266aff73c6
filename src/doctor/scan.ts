// The facts, read from /proc into a plain snapshot that the judging (findings.ts) works on without
// touching /proc again. Processes come and go while we read: a process that vanishes between two
// reads is simply not in the snapshot (every reader in src/os/proc.ts returns null or '' then).
import { constants } from 'node:os';
import {
  clockTicksPerSecond,
  descendantsOf,
  readCmdline,
  readStat,
  scanAll,
  signalDisposition,
  threadCount,
  uptimeSeconds,
} from '../os/proc.js';
import type { ProcStat, SignalDisposition } from '../os/proc.js';

export interface Snapshot {
  /** The root of the scope, or null for the whole host. */
  scope: number | null;
  takenAt: Date;
  /** Read after the processes, so that no age comes out negative. */
  uptimeSeconds: number;
  clockTicks: number;
  /** Every process in the scope, zombies included. */
  processes: ProcStat[];
  /** Parents of zombies in the scope that are outside it (the scope's root's parent, when the root is a zombie). */
  outsiders: ProcStat[];
  /** Command lines of PID 1 and of every parent of a zombie. */
  cmdlines: Map<number, string>;
  pid1: { stat: ProcStat | null; cmdline: string | null; sigchld: SignalDisposition | null };
}

const SIGCHLD = constants.signals.SIGCHLD;

/** True for a real zombie: state Z with no live thread (a process whose main thread alone exited shows Z too). */
export function isZombie(s: ProcStat): boolean {
  return s.state === 'Z' && threadCount(s.pid) <= 1;
}

/** Reads the scope's processes; null when `scope` names no process. */
export function scan(scope: number | null): Snapshot | null {
  let processes: ProcStat[];
  if (scope === null) {
    processes = scanAll();
  } else {
    const root = readStat(scope);
    if (root === null) return null;
    processes = [root, ...descendantsOf(scope)];
  }
  const byPid = new Map(processes.map((s) => [s.pid, s]));
  const outsiders: ProcStat[] = [];
  const cmdlines = new Map<number, string>();
  for (const s of processes) {
    if (s.state !== 'Z' || cmdlines.has(s.ppid)) continue;
    cmdlines.set(s.ppid, readCmdline(s.ppid));
    if (!byPid.has(s.ppid)) {
      const parent = readStat(s.ppid);
      if (parent !== null) outsiders.push(parent);
    }
  }
  const stat1 = byPid.get(1) ?? readStat(1);
  const cmdline1 = stat1 === null ? null : readCmdline(1);
  if (cmdline1 !== null) cmdlines.set(1, cmdline1);
  return {
    scope,
    takenAt: new Date(),
    uptimeSeconds: uptimeSeconds(),
    clockTicks: clockTicksPerSecond(),
    processes,
    outsiders,
    cmdlines,
    pid1: { stat: stat1, cmdline: cmdline1, sigchld: signalDisposition(1, SIGCHLD) },
  };
}

/**
 * The snapshot, keeping as zombies only those that still are: the same PID with the same start
 * time, still in state Z, with no live thread. Every exit passes through the zombie state until the
 * parent collects it; a second look a moment after the first drops those that were only passing.
 * A zombie that vanished is dropped from the snapshot; a process whose main thread alone has
 * exited is kept as a live one (state S).
 */
export function confirmZombies(snap: Snapshot): Snapshot {
  const processes: ProcStat[] = [];
  for (const s of snap.processes) {
    if (s.state !== 'Z') {
      processes.push(s);
      continue;
    }
    const now = readStat(s.pid);
    if (now === null || now.startTime !== s.startTime) continue;
    if (isZombie(now)) processes.push(s);
    // Its main thread exited, its other threads run: a live process, whose parent has nothing to reap yet.
    else if (now.state === 'Z') processes.push({ ...now, state: 'S' });
  }
  return { ...snap, processes };
}
