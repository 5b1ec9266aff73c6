// The cgroup v2 files, no policy (docs/design.md, "cgroup containment"): where the hierarchy is
// mounted and which cgroup this process is in (from /proc, through proc.ts), making and removing
// a cgroup, and the few files nursery reads or writes in one. Every call answers; none throws
// except makeCgroup(), whose errno is the caller's reason.
import {
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { cgroup2Mounts, cgroupV2Of } from './proc.js';

export interface CgroupLocation {
  /** The directory of this process's own v2 cgroup. */
  dir: string;
  /** Its v2 path ("/" for the root), as /proc/PID/cgroup shows it. */
  path: string;
  /** The mount point that `dir` is under, and the v2 path its root shows. */
  mountPoint: string;
  mountRoot: string;
  readOnly: boolean;
}

/** Where this process's v2 cgroup is, or a reason why it cannot be found. */
export function locateOwnCgroup(): CgroupLocation | string {
  const mounts = cgroup2Mounts();
  if (mounts.length === 0) return 'no cgroup2 file system is mounted (/proc/self/mountinfo)';
  const path = cgroupV2Of('self');
  if (path === null) return 'this process has no cgroup v2 entry in /proc/self/cgroup';
  if (path.includes('/..') || !path.startsWith('/')) return `this process's cgroup ${path} is outside its namespace`;
  for (const m of mounts) {
    const root = m.root === '/' ? '' : m.root;
    if (path !== m.root && !path.startsWith(`${root}/`)) continue;
    const dir = join(m.mountPoint, path.slice(root.length)).replace(/(?<=.)\/$/, '');
    if (!existsSync(dir)) continue;
    return { dir, path, mountPoint: m.mountPoint, mountRoot: m.root, readOnly: m.readOnly };
  }
  return `this process's cgroup ${path} is under no cgroup2 mount point of this namespace`;
}

/** The v2 path of a directory below `loc.dir`. */
export function pathOf(loc: CgroupLocation, dir: string): string {
  const rel = dir.slice(loc.dir.length);
  return loc.path === '/' ? rel : `${loc.path}${rel}`;
}

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException | null)?.code ?? 'EIO';

/** mkdir; throws the errno error (EACCES, EROFS, ENOENT, EEXIST...). */
export function makeCgroup(dir: string): void {
  mkdirSync(dir);
}

/** rmdir: 'removed', 'gone' (it was not there), or the errno (EBUSY: still populated or has children). */
export function removeCgroup(dir: string): 'removed' | 'gone' | string {
  try {
    rmdirSync(dir);
    return 'removed';
  } catch (error) {
    const code = codeOf(error);
    return code === 'ENOENT' ? 'gone' : code;
  }
}

/** The names of the child cgroups of dir ([] when it is gone or unreadable). */
export function subCgroups(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'latin1');
  } catch {
    return null;
  }
}

/** Writes one value to a cgroup file that exists (never creates one). True when the kernel took it. */
export function writeCgroupFile(dir: string, name: string, value: string): boolean {
  let fd = -1;
  try {
    fd = openSync(join(dir, name), constants.O_WRONLY);
    writeSync(fd, value);
    return true;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export const hasCgroupFile = (dir: string, name: string): boolean => existsSync(join(dir, name));

/** The PIDs in the cgroup itself (not its children); null when it is gone or unreadable. */
export function cgroupPids(dir: string): number[] | null {
  const text = readText(join(dir, 'cgroup.procs'));
  if (text === null) return null;
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

// A "key value" file (cgroup.events, cpu.stat): the value of key, or null.
function keyed(dir: string, name: string, key: string): number | null {
  const text = readText(join(dir, name));
  if (text === null) return null;
  for (const line of text.split('\n')) {
    const [k, v] = line.split(' ');
    if (k === key && v !== undefined) return Number(v);
  }
  return null;
}

/** A live process in the cgroup or below it; null when the cgroup is gone or unreadable. */
export function isPopulated(dir: string): boolean | null {
  const v = keyed(dir, 'cgroup.events', 'populated');
  return v === null ? null : v === 1;
}

export function isFrozen(dir: string): boolean {
  return keyed(dir, 'cgroup.events', 'frozen') === 1;
}

/** cgroup.kill (Linux 5.14+): SIGKILL to every process of the cgroup and below, atomic against forks. */
export const killCgroup = (dir: string): boolean => writeCgroupFile(dir, 'cgroup.kill', '1');

export const freezeCgroup = (dir: string, frozen: boolean): boolean =>
  writeCgroupFile(dir, 'cgroup.freeze', frozen ? '1' : '0');

/** CPU time used by the cgroup's processes, µs (cpu.stat exists without any controller). */
export const cpuUsageUsec = (dir: string): number | null => keyed(dir, 'cpu.stat', 'usage_usec');

/** Memory charged to the cgroup, bytes; null where the memory controller is not enabled for it. */
export function memoryCurrent(dir: string): number | null {
  const text = readText(join(dir, 'memory.current'));
  return text === null ? null : Number(text.trim());
}

/** rmdir of dir and every cgroup below it, deepest first (a child may have made cgroups of its own). */
export function removeCgroupTree(dir: string): 'removed' | 'gone' | string {
  // rmdir first: a child's cgroup seldom has cgroups below it, and the kernel refuses (EBUSY) one
  // that does, so the listing (dearer than the rmdir on cgroupfs) is paid only then.
  const first = removeCgroup(dir);
  if (first !== 'EBUSY') return first;
  const subs = subCgroups(dir);
  if (subs.length === 0) return first;
  for (const sub of subs) removeCgroupTree(join(dir, sub));
  return removeCgroup(dir);
}
