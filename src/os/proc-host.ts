// What /proc says of the host and of this process rather than of one process of a tree: limits,
// the boot, clock ticks and page size (the units of ProcStat), signal dispositions, threads, and
// where cgroup v2 is mounted. Re-exported by src/os/proc.ts, the one import for /proc.
import { readFileSync, readdirSync } from 'node:fs';
import { isGone, readProc } from './proc-read.js';

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
