// The one /proc reader. Everything nursery knows about a process that is not its own child comes
// from here: state, parent, group, session, start time, and its CPU time and resident memory.
//
// A read that fails because the process is gone (ENOENT, ESRCH) says "gone". Any other failure
// (EMFILE or ENFILE when the host is out of file descriptors, ENOMEM) says nothing about the
// process: it is counted (unreadableCount()), so that a caller can tell an empty answer from a
// blind one and never takes "could not look" for "nothing there". Out of descriptors, a read
// first gives back a spare one kept for the purpose (keepSpareFd(), libuv's trick for accept()).
import { closeSync, openSync, readFileSync, readSync, readdirSync } from 'node:fs';

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

const small = Buffer.allocUnsafe(4096);

// A /proc file, read with one open, one read (more only for a file that fills the buffer) and one
// close into a reused buffer: half the cost of readFileSync, which the debug endpoint pays for every
// process it shows. The kernel fills a read as far as the text goes, so a short read is the end.
function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    let n = readSync(fd, small, 0, small.length, null);
    let text = small.toString('latin1', 0, n);
    while (n === small.length) {
      n = readSync(fd, small, 0, small.length, null);
      text += small.toString('latin1', 0, n);
    }
    return text;
  } finally {
    closeSync(fd);
  }
}

let spare = -1;
let unreadable = 0;

/** Holds one descriptor (on /dev/null) in reserve, for /proc reads when the host runs out. Idempotent. */
export function keepSpareFd(): void {
  // NURSERY_NO_SPARE_FD=1: none, to see (or test) how a stop fares when /proc cannot be read.
  if (spare >= 0 || process.platform !== 'linux' || process.env.NURSERY_NO_SPARE_FD === '1') return;
  try {
    spare = openSync('/dev/null', 'r');
  } catch {
    spare = -1; // out of descriptors already: the next read that succeeds is not helped
  }
}

/** How many /proc reads so far failed for a reason other than the process being gone. */
export function unreadableCount(): number {
  return unreadable;
}

const codeOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const outOfFds = (error: unknown): boolean => codeOf(error) === 'EMFILE' || codeOf(error) === 'ENFILE';
const goneCodes = new Set(['ENOENT', 'ESRCH']);

// Runs one read; out of descriptors, gives the spare back for a second try, then takes it again.
function withFd<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!outOfFds(error) || spare < 0) throw error;
    closeSync(spare);
    spare = -1;
    try {
      return read();
    } finally {
      keepSpareFd();
    }
  }
}

/** A /proc file's text, '' when the process is gone; throws (counted) when it cannot be read. */
function readProc(path: string, encoding: BufferEncoding, ok: (code: string | undefined) => boolean): string | null {
  try {
    return withFd(() => (encoding === 'latin1' ? readSmall(path) : readFileSync(path, encoding)));
  } catch (error) {
    if (!ok(codeOf(error))) unreadable++;
    return null;
  }
}

const isGone = (code: string | undefined): boolean => code !== undefined && goneCodes.has(code);

/** The stat of pid, null when it is gone, 'unreadable' when /proc could not be read (see above). */
export function statOf(pid: number | 'self'): ProcStat | null | 'unreadable' {
  const before = unreadable;
  const text = readProc(`/proc/${pid}/stat`, 'latin1', isGone);
  if (text === null) return unreadable === before ? null : 'unreadable';
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
      if (!isGone(codeOf(error))) unreadable++;
      return out;
    }
    let any = false;
    const before = unreadable;
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
    if (childrenFileWorks === true || unreadable !== before) return out;
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

/** The value of `name` in pid's initial environment, or null (unset, gone, or not ours to read). */
/**
 * What environValue() returns for a live process whose environment reads empty: mostly one in the
 * middle of execve(), whose new image has no environment mapped yet (it will have one in a moment).
 */
export const EMPTY_ENVIRON = '\0';

/** The value of variable `name` in pid's environment; null when absent or unreadable; EMPTY_ENVIRON. */
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
    unreadable++;
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

/** A soft limit of this process ('Max open files', 'Max processes'): Infinity if none, null if unknown. */
export function softLimit(name: 'Max open files' | 'Max processes'): number | null {
  const text = readProc('/proc/self/limits', 'latin1', isGone) ?? '';
  const line = text.split('\n').find((l) => l.startsWith(name));
  const soft = line?.slice(name.length).trim().split(/\s+/)[0];
  if (soft === undefined) return null;
  return soft === 'unlimited' ? Infinity : Number(soft);
}

let boot: string | undefined;

// Start times count from boot, so a PID and a start time name one process only within one boot.
/** This boot's ID ('' where the kernel does not say). */
export function bootId(): string {
  if (boot !== undefined) return boot;
  try {
    boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
  } catch {
    boot = '';
  }
  return boot;
}

/** Seconds since boot, from /proc/uptime (NaN where it cannot be read). */
export function uptimeSeconds(): number {
  try {
    return Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]);
  } catch {
    return NaN;
  }
}

const auxvCache = new Map<number, number>();

// The kernel gives every process a few constants in its auxiliary vector: one read, no libc call.
function auxv(type: number, fallback: number): number {
  const cached = auxvCache.get(type);
  if (cached !== undefined) return cached;
  let found = fallback;
  try {
    const buf = readFileSync('/proc/self/auxv');
    const wide = buf.length % 16 === 0 && !['ia32', 'arm', 'mips', 'mipsel', 'ppc'].includes(process.arch);
    const size = wide ? 8 : 4;
    for (let i = 0; i + 2 * size <= buf.length; i += 2 * size) {
      const t = wide ? Number(buf.readBigUInt64LE(i)) : buf.readUInt32LE(i);
      if (t === 0) break; // AT_NULL
      if (t !== type) continue;
      const value = wide ? Number(buf.readBigUInt64LE(i + size)) : buf.readUInt32LE(i + size);
      if (value > 0) found = value;
      break;
    }
  } catch {
    // keep the fallback
  }
  auxvCache.set(type, found);
  return found;
}

// Start times count clock ticks (sysconf(_SC_CLK_TCK)): AT_CLKTCK (17) of the auxiliary vector, 100
// where it cannot be read, the value of every mainstream Linux build.
/** Clock ticks per second: the unit of ProcStat.startTime, utime and stime. */
export function clockTicksPerSecond(): number {
  return auxv(17, 100);
}

/** Bytes per page (AT_PAGESZ, 6): the unit of ProcStat.rssPages. */
export function pageSize(): number {
  return auxv(6, 4096);
}

export type SignalDisposition = 'caught' | 'ignored' | 'default';

/** What pid does with signal `signo` (SigCgt, SigIgn in /proc/PID/status); null if unreadable. */
export function signalDisposition(pid: number, signo: number): SignalDisposition | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const mask = (name: string): bigint | null => {
    const m = new RegExp(`^${name}:\\s*([0-9a-fA-F]+)$`, 'm').exec(text);
    return m?.[1] === undefined ? null : BigInt(`0x${m[1]}`);
  };
  const caught = mask('SigCgt');
  const ignored = mask('SigIgn');
  if (caught === null || ignored === null) return null;
  const bit = 1n << BigInt(signo - 1);
  if (caught & bit) return 'caught';
  if (ignored & bit) return 'ignored';
  return 'default';
}

/**
 * Threads of pid still listed (0 once it is gone). A real zombie lists one; a process whose main
 * thread has exited shows state Z in its stat while its other threads still run.
 */
export function threadCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).length;
  } catch {
    return 0;
  }
}

/** A cgroup2 mount from /proc/self/mountinfo: where it is, and which cgroup its root shows. */
export interface Cgroup2Mount {
  /** The cgroup (a v2 path) that the mount's root directory shows, "/" for the whole hierarchy. */
  root: string;
  mountPoint: string;
  readOnly: boolean;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
const unescapeMount = (s: string): string =>
  s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** Every cgroup2 mount of this process's mount namespace (fstype after the " - " separator). */
export function cgroup2Mounts(): Cgroup2Mount[] {
  const text = readProc('/proc/self/mountinfo', 'utf8', () => true) ?? '';
  const out: Cgroup2Mount[] = [];
  for (const line of text.split('\n')) {
    const [left, right] = line.split(' - ');
    if (left === undefined || right === undefined || !right.startsWith('cgroup2 ')) continue;
    const f = left.split(' ');
    const root = f[3];
    const mountPoint = f[4];
    if (root === undefined || mountPoint === undefined) continue;
    const readOnly = (f[5] ?? '').split(',').includes('ro') || (right.split(' ')[2] ?? '').split(',').includes('ro');
    out.push({ root: unescapeMount(root), mountPoint: unescapeMount(mountPoint), readOnly });
  }
  return out;
}

/** The v2 cgroup of pid (the "0::/path" line of /proc/PID/cgroup); null when gone or none. */
export function cgroupV2Of(pid: number | 'self'): string | null {
  const text = readProc(`/proc/${pid}/cgroup`, 'utf8', isGone);
  if (text === null) return null;
  for (const line of text.split('\n')) if (line.startsWith('0::')) return line.slice(3);
  return null;
}
