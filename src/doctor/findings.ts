// The judging: from a snapshot to the report. Pure: no /proc, no clock, so it is tested on made-up
// snapshots as well as real ones.
import type { ProcStat } from '../os/proc.js';
import { adviceFor } from './advice.js';
import { classifyPid1 } from './pid1.js';
import type { Snapshot } from './scan.js';
import type { AdoptedGroup, DoctorReport, Pid1Report, ProcessRef, ZombieParent } from './types.js';

/** Seconds since a process started, to a tenth; null when uptime is unknown. */
function ageOf(startTime: number, snap: Snapshot): number | null {
  if (!Number.isFinite(snap.uptimeSeconds)) return null;
  return Math.max(0, Math.round((snap.uptimeSeconds - startTime / snap.clockTicks) * 10) / 10);
}

function countNames(list: ProcStat[]): { comm: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of list) counts.set(s.comm, (counts.get(s.comm) ?? 0) + 1);
  return [...counts].map(([comm, count]) => ({ comm, count })).sort((a, b) => b.count - a.count || cmp(a.comm, b.comm));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

// Not Math.min(...list): a parent may hold more zombies than a call takes arguments.
const earliest = (list: ProcStat[]): number => list.reduce((min, s) => Math.min(min, s.startTime), Infinity);

// From the topmost ancestor down to pid's parent: up to the scope's root, or to a process whose
// parent is not in the snapshot (PID 1's parent is 0; `docker exec` gives its processes 0 too).
function ancestorsOf(pid: number, byPid: Map<number, ProcStat>, scope: number | null): ProcessRef[] {
  const chain: ProcessRef[] = [];
  const seen = new Set([pid]);
  let cur = byPid.get(pid);
  while (cur !== undefined && cur.pid !== scope) {
    const parent = byPid.get(cur.ppid);
    if (parent === undefined || seen.has(parent.pid)) break;
    seen.add(parent.pid);
    chain.unshift({ pid: parent.pid, comm: parent.comm });
    cur = parent;
  }
  return chain;
}

function zombieParents(snap: Snapshot, maxZombies: number | null): ZombieParent[] {
  const byPid = new Map([...snap.outsiders, ...snap.processes].map((s) => [s.pid, s]));
  const byParent = new Map<number, ProcStat[]>();
  for (const s of snap.processes) {
    if (s.state !== 'Z') continue;
    const list = byParent.get(s.ppid) ?? [];
    list.push(s);
    byParent.set(s.ppid, list);
  }
  const out: ZombieParent[] = [];
  for (const [ppid, zombies] of byParent) {
    const parent = byPid.get(ppid);
    out.push({
      pid: ppid,
      comm: parent?.comm ?? '?',
      cmdline: snap.cmdlines.get(ppid) ?? '',
      state: parent?.state ?? '',
      count: zombies.length,
      pids: zombies.map((z) => z.pid).sort((a, b) => a - b),
      names: countNames(zombies),
      oldestAgeSeconds: ageOf(earliest(zombies), snap),
      overLimit: maxZombies !== null && zombies.length > maxZombies,
      ancestors: ancestorsOf(ppid, byPid, snap.scope),
    });
  }
  return out.sort((a, b) => b.count - a.count || a.pid - b.pid);
}

// Live children of PID 1. The kernel does not record whether PID 1 started a child or adopted it,
// so all are listed; under a real init most are its services.
function adoptedGroups(snap: Snapshot): AdoptedGroup[] {
  const groups = new Map<string, ProcStat[]>();
  for (const s of snap.processes) {
    if (s.ppid !== 1 || s.state === 'Z' || s.state === 'X') continue;
    const list = groups.get(s.comm) ?? [];
    list.push(s);
    groups.set(s.comm, list);
  }
  return [...groups]
    .map(([comm, list]) => ({
      comm,
      count: list.length,
      pids: list.map((s) => s.pid).sort((a, b) => a - b),
      oldestAgeSeconds: ageOf(earliest(list), snap),
    }))
    .sort((a, b) => b.count - a.count || cmp(a.comm, b.comm));
}

function pid1Report(snap: Snapshot, parents: ZombieParent[]): Pid1Report {
  const { stat, cmdline, sigchld } = snap.pid1;
  const comm = stat?.comm ?? null;
  return {
    pid: 1,
    comm,
    cmdline,
    ...classifyPid1(comm, cmdline),
    sigchld,
    zombies: parents.find((p) => p.pid === 1)?.count ?? 0,
  };
}

function scopeComm(snap: Snapshot): string {
  return snap.processes.find((s) => s.pid === snap.scope)?.comm ?? '?';
}

/** The report for a snapshot; `maxZombies` null when no threshold was given. */
export function judge(snap: Snapshot, maxZombies: number | null): DoctorReport {
  const parents = zombieParents(snap, maxZombies);
  const adopted = adoptedGroups(snap);
  const pid1 = pid1Report(snap, parents);
  const inScope = snap.scope === null || snap.processes.some((s) => s.pid === 1);
  return {
    version: 1,
    scope: snap.scope === null ? null : { pid: snap.scope, comm: scopeComm(snap) },
    time: snap.takenAt.toISOString(),
    uptimeSeconds: Number.isFinite(snap.uptimeSeconds) ? snap.uptimeSeconds : null,
    clockTicks: snap.clockTicks,
    processes: snap.processes.length,
    pid1,
    zombies: parents.reduce((n, p) => n + p.count, 0),
    zombieParents: parents,
    adopted,
    maxZombies,
    healthy: !parents.some((p) => p.overLimit),
    findings: adviceFor({ pid1, pid1InScope: inScope, parents, adopted, maxZombies }),
  };
}
