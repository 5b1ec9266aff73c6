// The one /proc reader (with proc-read.ts, how a read is made, and proc-host.ts, what is not about
// one process). Everything nursery knows about a process that is not its own child comes from
// here: state, parent, group, session, start time, children, environment, and its CPU time and
// resident memory. A read says "gone" only when the process is gone; any other failure is counted
// (unreadableCount()), so that "could not look" is never taken for "nothing there".
import { readFileSync, readdirSync } from 'node:fs';
import { clockTicksPerSecond, pageSize } from './proc-host.js';
import { codeOf, isGone, markUnreadable, readProc, unreadableCount, withFd } from './proc-read.js';

export { keepSpareFd, unreadableCount } from './proc-read.js';
export * from './proc-host.js';

export interface ProcStat {
  pid: number;
  comm: string;
  /** R, S, D, Z, T, t, X, I, ... */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Field 22: clock ticks after boot. With the PID it names one process for the life of the machine. */
  startTime: number;
  /** Fields 14, 15: CPU time in user and kernel mode, in clock ticks. */
  utime: number;
  stime: number;
  /** Field 24: resident set size, in pages. */
  rssPages: number;
  /** Field 20: number of threads. */
  threads: number;
}

// `comm` may hold spaces and parentheses ("a) (b c"), so it runs from the first "(" to the *last* ")".
export function parseStat(text: string): ProcStat | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const rest = text.slice(close + 2).split(' ');
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const state = rest[0];
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const session = Number(rest[3]);
  const startTime = Number(rest[19]);
  if (!state || !Number.isInteger(pid) || !Number.isFinite(startTime) || Number.isNaN(ppid)) return null;
  const [utime, stime, threads, rssPages] = [Number(rest[11]), Number(rest[12]), Number(rest[17]), Number(rest[21])];
  const comm = text.slice(open + 1, close);
  return { pid, comm, state, ppid, pgrp, session, startTime, utime, stime, rssPages, threads };
}

/** CPU seconds (user + kernel) and resident bytes of a stat; NaN where the kernel gave no figure. */
export function usageOf(s: ProcStat): { cpuSeconds: number; rssBytes: number } {
  return { cpuSeconds: (s.utime + s.stime) / clockTicksPerSecond(), rssBytes: s.rssPages * pageSize() };
}

/** The stat of pid, null when it is gone, 'unreadable' when /proc could not be read (see above). */
export function statOf(pid: number | 'self'): ProcStat | null | 'unreadable' {
  const before = unreadableCount();
  const text = readProc(`/proc/${pid}/stat`, 'latin1', isGone);
  if (text === null) return unreadableCount() === before ? null : 'unreadable';
  return parseStat(text);
}

/** The stat of pid, or null: gone, or unreadable (counted in unreadableCount()). */
export function readStat(pid: number | 'self'): ProcStat | null {
  const s = statOf(pid);
  return s === 'unreadable' ? null : s;
}

/** Z (zombie) or X (dead): exited, whether or not reaped yet. */
export function isDead(stat: ProcStat | null): boolean {
  return stat === null || stat.state === 'Z' || stat.state === 'X';
}

let childrenFileWorks: boolean | undefined;

// The one reader of a process's children. The kernel lists a child under the thread that forked
// it, so every thread's file is read (tid → child PIDs); orphans adopted by a subreaper or PID 1
// appear under the main thread. Needs CONFIG_PROC_CHILDREN; without it, a full scan by parent,
// with every child listed under the main thread.
export function childrenByThread(pid: number | 'self' = 'self'): Map<number, number[]> {
  const out = new Map<number, number[]>();
  if (childrenFileWorks !== false) {
    let tids: string[];
    try {
      tids = withFd(() => readdirSync(`/proc/${pid}/task`));
    } catch (error) {
      if (!isGone(codeOf(error))) markUnreadable();
      return out;
    }
    let any = false;
    const before = unreadableCount();
    for (const tid of tids) {
      // ENOENT: the thread ended; ENOENT on every thread: no CONFIG_PROC_CHILDREN (below).
      const text = readProc(`/proc/${pid}/task/${tid}/children`, 'latin1', isGone);
      if (text === null) continue;
      any = true;
      if (text.length === 0) continue;
      const list: number[] = [];
      for (const part of text.split(' ')) if (part) list.push(Number(part));
      out.set(Number(tid), list);
    }
    if (any) {
      childrenFileWorks = true;
      return out;
    }
    // The process vanished, or we could not look: neither says the file is missing.
    if (childrenFileWorks === true || unreadableCount() !== before) return out;
    childrenFileWorks = false;
  }
  const ppid = pid === 'self' ? process.pid : pid;
  const list = scanAll()
    .filter((s) => s.ppid === ppid)
    .map((s) => s.pid);
  if (list.length > 0) out.set(ppid, list);
  return out;
}

/** Children of a process whose stat was just read: a single-threaded one has one children file to read. */
export function childrenOfStat(s: ProcStat): number[] {
  if (s.threads !== 1 || childrenFileWorks !== true) return childrenOf(s.pid);
  const text = readProc(`/proc/${s.pid}/task/${s.pid}/children`, 'latin1', isGone);
  const out: number[] = [];
  for (const part of (text ?? '').split(' ')) if (part) out.push(Number(part));
  return out;
}

/**
 * Children listed under `pid`'s main thread, where the kernel hands a subreaper the orphans it
 * adopts (to the first live thread, the leader while it lives): one read instead of one a thread.
 */
export function mainThreadChildren(pid: number): number[] {
  if (childrenFileWorks !== true) return childrenByThread(pid).get(pid) ?? [];
  const text = readProc(`/proc/${pid}/task/${pid}/children`, 'latin1', isGone);
  const out: number[] = [];
  for (const part of (text ?? '').split(' ')) if (part) out.push(Number(part));
  return out;
}

/** Children of every thread of `pid`, as one list. */
export function childrenOf(pid: number | 'self'): number[] {
  return [...childrenByThread(pid).values()].flat();
}

/** True when pid's initial environment holds exactly `entry` ("NAME=value"). */
export function environHas(pid: number, entry: string): boolean {
  // EACCES: another user's process, so not one of our trees.
  const env = readProc(`/proc/${pid}/environ`, 'latin1', (c) => isGone(c) || c === 'EACCES' || c === 'EPERM');
  if (env === null) return false;
  return env.startsWith(`${entry}\0`) || env.includes(`\0${entry}\0`) || env === entry || env.endsWith(`\0${entry}`);
}

/**
 * What environValue() returns for a live process whose environment reads empty: mostly one in the
 * middle of execve(), whose new image has no environment mapped yet (it will have one in a moment).
 */
export const EMPTY_ENVIRON = '\0';

/** The value of variable `name` in pid's environment; null when absent or unreadable; EMPTY_ENVIRON when empty. */
export function environValue(pid: number, name: string): string | null {
  const env = readProc(`/proc/${pid}/environ`, 'latin1', (c) => isGone(c) || c === 'EACCES' || c === 'EPERM');
  if (env === null) return null;
  if (env.length === 0) return EMPTY_ENVIRON;
  const key = `${name}=`;
  for (const entry of env.split('\0')) if (entry.startsWith(key)) return entry.slice(key.length);
  return null;
}

/** The command line of pid, NULs as spaces ('' for a zombie or a vanished process). */
export function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The argument vector of pid ([] for a zombie, a kernel thread or a vanished process). */
export function readArgv(pid: number): string[] {
  const text = readProc(`/proc/${pid}/cmdline`, 'utf8', isGone) ?? '';
  return text.length === 0 ? [] : text.replace(/\0$/, '').split('\0');
}

/** Every process visible in /proc. Costs one read per process: use it only where nothing narrower will do. */
export function scanAll(): ProcStat[] {
  let names: string[];
  try {
    names = withFd(() => readdirSync('/proc'));
  } catch {
    markUnreadable();
    return [];
  }
  const out: ProcStat[] = [];
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const s = readStat(Number(name));
    if (s) out.push(s);
  }
  return out;
}

// Descendants of `pid`, parents before children. A process that exits mid-walk is skipped.
export function descendantsOf(pid: number): ProcStat[] {
  const out: ProcStat[] = [];
  const seen = new Set<number>([pid]);
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const child of childrenOf(parent)) {
      if (seen.has(child)) continue;
      seen.add(child);
      const s = readStat(child);
      if (s === null) continue;
      out.push(s);
      queue.push(child);
    }
  }
  return out;
}

/** Live and zombie members of a process group or session, by full scan. */
export function membersOf(id: number): ProcStat[] {
  return scanAll().filter((s) => s.pgrp === id || s.session === id);
}
