// Real cgroups for test/cgroup/: where the v2 hierarchy is (read here independently of nursery's
// own parser), whether a test can use it, and cleanup of whatever a test made or left, even on
// failure: cgroup.kill, wait until empty, rmdir deepest first.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, rmdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The directory of this process's own v2 cgroup, or null. */
export function ownCgroupDir(): string | null {
  const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1];
  if (own === undefined) return null;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!right?.startsWith('cgroup2 ') || left === undefined) continue;
    const f = left.split(' ');
    const root = f[3] === '/' ? '' : (f[3] ?? '');
    if (own !== f[3] && !own.startsWith(`${root}/`)) continue;
    return join(f[4] ?? '/', own.slice(root.length));
  }
  return null;
}

/** The directory of a v2 cgroup at or below this process's own (a path as /proc/PID/cgroup shows it). */
export function cgroupDirOf(path: string): string {
  const own = /^0::(.*)$/m.exec(readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
  return join(ownCgroupDir() ?? '/', path.slice(own === '/' ? 0 : own.length));
}

/** Why the cgroup tests cannot run here, or false when they can. */
export function cgroupSkip(): string | false {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root: cannot make cgroups';
  const dir = ownCgroupDir();
  if (dir === null) return 'no cgroup2 mount holds this process';
  const probe = join(dir, `nursery-test-probe.${process.pid}`);
  try {
    readdirSync(dir);
    rmdirIfThere(probe);
    mkdirSync(probe);
    const kill = existsSync(join(probe, 'cgroup.kill'));
    rmdirSync(probe);
    if (!kill) return 'no cgroup.kill (Linux < 5.14)';
  } catch (error) {
    return `cgroup2 not writable here (${(error as NodeJS.ErrnoException).code})`;
  }
  return false;
}

function rmdirIfThere(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not there
  }
}

export function write(file: string, value: string): boolean {
  let fd = -1;
  try {
    fd = openSync(file, 'w');
    writeSync(fd, value);
    return true;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

export function subdirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** The PIDs in dir and every cgroup below it. */
export function procsBelow(dir: string): number[] {
  let own: number[] = [];
  try {
    own = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    // gone
  }
  return [...own, ...subdirs(dir).flatMap((s) => procsBelow(join(dir, s)))];
}

/** The nursery subtrees that this process owns (nursery.<our pid>.*) under its cgroup. */
export function ourSubtrees(pid = process.pid): string[] {
  const dir = ownCgroupDir();
  if (dir === null) return [];
  return subdirs(dir)
    .filter((n) => n.startsWith(`nursery.${pid}.`))
    .map((n) => join(dir, n));
}

/** Kills everything in dir (cgroup.kill), waits until it is empty, removes it and all below it. */
export async function killAndRemove(dir: string, timeoutMs = 20_000): Promise<void> {
  if (!existsSync(dir)) return;
  write(join(dir, 'cgroup.kill'), '1');
  const deadline = Date.now() + timeoutMs;
  while (procsBelow(dir).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  const remove = (d: string): void => {
    for (const s of subdirs(d)) remove(join(d, s));
    rmdirIfThere(d);
  };
  remove(dir);
}

/** Processes (live, not zombies) whose environment holds NAME=value: a tree's marker, inherited by all. */
export function markedProcesses(entry: string): number[] {
  const out: number[] = [];
  const needle = Buffer.from(`\0${entry}\0`);
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const env = Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${name}/environ`)]);
      if (!env.includes(needle)) continue;
      const state = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0];
      if (state !== 'Z' && state !== 'X') out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** SIGSTOP then SIGKILL every marked process until none is left (a fork loop included). */
export async function killMarked(entry: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = markedProcesses(entry);
    if (pids.length === 0 || Date.now() > deadline) return;
    for (const p of pids) {
      for (const s of ['SIGSTOP', 'SIGKILL'] as const) {
        try {
          process.kill(p, s);
        } catch {
          // gone
        }
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
