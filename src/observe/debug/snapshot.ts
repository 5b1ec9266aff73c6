// GET /debug/processes as data: every child with its figures from /proc and the tree under it, the
// adopted orphans, the counters, the reaper's last reaps and the daemons. Built synchronously from
// the live state on each request; the tree walk reads only our children's own /proc entries, and
// stops after MAX_NODES processes, so a request costs milliseconds, not the host's process count.
// The schema (docs/observe.md) is versioned: fields are only ever added.
import { adoptsOrphans } from '../../os/prctl.js';
import { type ProcStat, childrenOf, childrenOfStat, readArgv, readStat, usageOf } from '../../os/proc.js';
import type { RecentReap } from '../../reaper/types.js';
import type { NurseryStats } from '../../stats.js';
import type { ChildMode, ChildState } from '../../types.js';
import type { ObserveSource } from '../source.js';
import { applyRedactor } from './redact.js';
import { type ServiceEntry, serviceEntry } from './services.js';
import type { Redactor } from '../../options/debug.js';

/** Past this many processes in all trees, the walk stops and `truncated` says so (~20 µs each). */
export const MAX_NODES = 2000;

export interface ProcessFigures {
  /** Resident memory (RSS), bytes; null when /proc has no entry (not Linux, or it just exited). */
  rssBytes: number | null;
  /** CPU time, user + kernel, seconds; null as above. */
  cpuSeconds: number | null;
  /** The kernel's state letter (R, S, D, Z, T...); null as above. */
  procState: string | null;
}

export interface ProcessNode extends ProcessFigures {
  pid: number;
  ppid: number;
  pgid: number;
  comm: string;
  /** The command line, redacted. */
  argv: string[];
  children: ProcessNode[];
}

export interface ChildEntry extends ProcessFigures {
  pid: number;
  pgid: number;
  owner: string;
  /** The service it is an incarnation of, or null for a plain child. */
  service: string | null;
  mode: ChildMode;
  state: ChildState;
  command: string;
  /** Redacted. */
  args: string[];
  startedAt: number;
  uptimeSeconds: number;
  /** Its descendants, nested (the child itself is the root, not listed here). */
  tree: ProcessNode[];
}

export interface ReapEntry extends RecentReap {
  /** The owner of the child whose session the zombie was in, when that child is still ours. */
  owner: string | null;
}

export interface DebugSnapshot {
  version: 1;
  /** Epoch milliseconds. */
  generatedAt: number;
  host: { pid: number; node: string; uptimeSeconds: number; adoptsOrphans: boolean } & ProcessFigures;
  /** The supervised services (nursery.supervise()), stopped ones aside. */
  services: ServiceEntry[];
  children: ChildEntry[];
  /** Live processes adopted by us (our subreaper, or PID 1) that no child of ours leads. */
  orphans: ProcessNode[];
  stats: NurseryStats;
  reaper: { recent: ReapEntry[] } | null;
  daemons: (ProcessFigures & {
    id: string;
    pid: number;
    owner: string;
    command: string;
    args: string[];
    startedAt: number;
    uptimeSeconds: number;
  })[];
  /** True when the walk stopped at MAX_NODES processes. */
  truncated: boolean;
}

function figures(s: ProcStat | null): ProcessFigures {
  if (s === null) return { rssBytes: null, cpuSeconds: null, procState: null };
  const u = usageOf(s);
  return { rssBytes: u.rssBytes, cpuSeconds: Math.round(u.cpuSeconds * 100) / 100, procState: s.state };
}

class Walk {
  nodes = 0;
  constructor(readonly redact: Redactor) {}

  get truncated(): boolean {
    return this.nodes >= MAX_NODES;
  }

  node(s: ProcStat): ProcessNode {
    this.nodes++;
    const { pid, ppid, pgrp: pgid, comm } = s;
    const argv = applyRedactor(this.redact, readArgv(pid));
    return { pid, ppid, pgid, comm, argv, ...figures(s), children: this.under(s) };
  }

  under(parent: ProcStat): ProcessNode[] {
    const out: ProcessNode[] = [];
    for (const child of childrenOfStat(parent)) {
      if (this.truncated) break;
      const s = readStat(child);
      if (s !== null) out.push(this.node(s));
    }
    return out;
  }
}

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

export function takeSnapshot(source: ObserveSource, redact: Redactor): DebugSnapshot {
  const walk = new Walk(redact);
  const list = source.list();
  const children: ChildEntry[] = list.map((c) => {
    const s = readStat(c.pid);
    const [, ...args] = applyRedactor(redact, [c.command, ...c.args]);
    const tree = walk.truncated || s === null || s.state === 'Z' ? [] : walk.under(s);
    const { pid, pgid, owner, service, mode, state, command, startedAt } = c;
    return {
      pid,
      pgid,
      owner,
      service,
      mode,
      state,
      command,
      args,
      startedAt,
      uptimeSeconds: seconds(c.uptimeMs),
      ...figures(s),
      tree,
    };
  });
  const ours = new Map(list.map((c) => [c.pid, c.owner]));
  const daemons = source.daemons();
  const orphans: ProcessNode[] = [];
  // Only the reaper knows which of our children somebody waits for (a plain child_process child).
  const tracked = source.tracked();
  const skip = new Set([...ours.keys(), ...daemons.map((d) => d.pid)]);
  for (const pid of tracked === null ? [] : childrenOf('self')) {
    if (skip.has(pid) || tracked?.has(pid) === true || walk.truncated) continue;
    const s = readStat(pid);
    if (s !== null && s.state !== 'Z') orphans.push(walk.node(s));
  }
  const recent = source.recentReaps();
  const self = readStat('self');
  return {
    version: 1,
    generatedAt: Date.now(),
    host: {
      pid: process.pid,
      node: process.version,
      uptimeSeconds: Math.round(process.uptime()),
      adoptsOrphans: adoptsOrphans(),
      ...figures(self),
    },
    services: source.services().map(serviceEntry),
    children,
    orphans,
    stats: source.stats(),
    reaper: recent === null ? null : { recent: recent.map((r) => ({ ...r, owner: ours.get(r.session) ?? null })) },
    daemons: daemons.map((d) => {
      const [, ...args] = applyRedactor(redact, [d.command, ...d.args]);
      const { id, pid, owner, command, startedAt } = d;
      return {
        id,
        pid,
        owner,
        command,
        args,
        startedAt,
        uptimeSeconds: seconds(d.uptimeMs),
        ...figures(readStat(pid)),
      };
    }),
    truncated: walk.truncated,
  };
}
