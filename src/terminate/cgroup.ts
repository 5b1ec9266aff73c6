// cgroup containment, the policy (docs/design.md, "cgroup containment"; the files are
// src/os/cgroup.ts). Where it works (a writable cgroup v2 with cgroup.kill or cgroup.freeze), each
// child gets a cgroup of its own under a subtree of this process's cgroup, named after its owner
// (nursery.<pid>.<start time>.<thread>) so that a later run can tell a dead owner's leftovers from
// a live nursery's. No controller is ever enabled: a cgroup with processes may not have any in its
// subtree_control (the no-internal-processes rule), and we read only what the kernel gives.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { NurseryError } from '../errors.js';
import {
  type CgroupLocation,
  cgroupPids,
  cpuUsageUsec,
  hasCgroupFile,
  isPopulated,
  locateOwnCgroup,
  makeCgroup,
  memoryCurrent,
  pathOf,
  removeCgroup,
  removeCgroupTree,
  writeCgroupFile,
} from '../os/cgroup.js';
import { readStat } from '../os/proc.js';
import { warnOnce } from '../warnings.js';
import { cleanLeftovers } from './cgroup-leftovers.js';

export interface CgroupSupport {
  loc: CgroupLocation;
  /** This thread's nursery subtree (made on demand, removed when its last child cgroup is). */
  subtree: string;
  /** cgroup.kill exists; else cgroup.freeze does (freeze, SIGKILL each, thaw). */
  kill: boolean;
  /** The leftover subtrees of dead owners, being cleaned. */
  cleaned: Promise<number>;
}

let support: CgroupSupport | string | undefined;
let live = 0;
let counter = 0;

const codeOf = (error: unknown): string => (error as NodeJS.ErrnoException | null)?.code ?? String(error);

function mkdirOk(dir: string): void {
  try {
    makeCgroup(dir);
  } catch (error) {
    if (codeOf(error) !== 'EEXIST') throw error;
  }
}

function probe(): CgroupSupport | string {
  if (process.platform !== 'linux') return 'cgroups are a Linux feature';
  const loc = locateOwnCgroup();
  if (typeof loc === 'string') return loc;
  const self = readStat('self');
  if (self === null) return '/proc/self/stat cannot be read';
  const subtree = join(loc.dir, `nursery.${process.pid}.${self.startTime}.${threadId}`);
  try {
    mkdirOk(subtree);
    accessSync(join(loc.dir, 'cgroup.procs'), constants.W_OK);
  } catch (error) {
    const ro = loc.readOnly ? ', the cgroup2 file system is mounted read-only' : '';
    return `no write access to this process's cgroup ${loc.dir} (${codeOf(error)}${ro})`;
  }
  // NURSERY_CGROUP_NO_KILL=1: as on Linux < 5.14 (freeze, SIGKILL each, thaw), to see or test it.
  const kill = process.env.NURSERY_CGROUP_NO_KILL !== '1' && hasCgroupFile(subtree, 'cgroup.kill');
  const freeze = hasCgroupFile(subtree, 'cgroup.freeze');
  removeCgroup(subtree);
  if (!kill && !freeze) return `${loc.dir} has neither cgroup.kill (Linux 5.14) nor cgroup.freeze (Linux 5.2)`;
  return { loc, subtree, kill, cleaned: cleanLeftovers(loc, self.startTime, kill) };
}

/**
 * Whether cgroup containment works here, asked once per thread; the first ask starts the cleaning
 * of dead owners' leftover subtrees. A string is the reason it does not.
 */
export function cgroupSupport(): CgroupSupport | string {
  support ??= probe();
  return support;
}

/** One child's cgroup. */
export class ChildCgroup {
  readonly dir: string;
  /** Its v2 path, as /proc/PID/cgroup shows it for a member. */
  readonly path: string;
  /** The file the spawn wrapper writes "0" to, moving itself in before it execs the command. */
  readonly procs: string;
  readonly canKill: boolean;
  #home: string;
  #subtree: string;
  #released = false;

  constructor(s: CgroupSupport, name: string) {
    this.dir = join(s.subtree, name);
    this.path = pathOf(s.loc, this.dir);
    this.procs = join(this.dir, 'cgroup.procs');
    this.canKill = s.kill;
    this.#home = s.loc.dir;
    this.#subtree = s.subtree;
  }

  /** True while a live process is in it (or below); false once empty or gone. */
  populated(): boolean {
    return isPopulated(this.dir) === true;
  }

  /** CPU time of everything in it so far, µs (cpu.stat needs no controller); null once removed. */
  cpuUsec(): number | null {
    return cpuUsageUsec(this.dir);
  }

  /** memory.current, bytes; null where the memory controller is not enabled for it (or once removed). */
  memoryBytes(): number | null {
    return memoryCurrent(this.dir);
  }

  /** The PIDs in it now (not in cgroups that a member made below it). */
  pids(): number[] {
    return cgroupPids(this.dir) ?? [];
  }

  /**
   * Removes the cgroup once empty; with `evict`, its live members are first moved back to this
   * process's cgroup (leftovers that killLeftovers: false keeps). False while it cannot be removed.
   */
  release(evict = false): boolean {
    if (this.#released) return true;
    for (let round = 0; evict && round < 3 && this.populated(); round++)
      for (const pid of this.pids()) writeCgroupFile(this.#home, 'cgroup.procs', String(pid));
    const r = removeCgroupTree(this.dir);
    if (r !== 'removed' && r !== 'gone') return false;
    this.#released = true;
    if (--live === 0) removeCgroup(this.#subtree);
    return true;
  }
}

/**
 * A new cgroup for the next child, or null where it is to be contained by its process group:
 * 'auto' falls back with one warning; 'cgroup' throws.
 * @throws NurseryError ERR_NURSERY_NO_CGROUP (for 'cgroup'), naming what is missing.
 */
export function childCgroup(mode: 'auto' | 'cgroup'): ChildCgroup | null {
  const s = cgroupSupport();
  let reason = typeof s === 'string' ? s : null;
  if (typeof s !== 'string') {
    const cg = new ChildCgroup(s, `c${++counter}`);
    try {
      mkdirOk(s.subtree);
      makeCgroup(cg.dir);
      live++;
      return cg;
    } catch (error) {
      reason = `cannot create ${cg.dir} (${codeOf(error)})`;
    }
  }
  if (mode === 'cgroup')
    throw new NurseryError('ERR_NURSERY_NO_CGROUP', `containment 'cgroup' is not possible: ${reason}`);
  warnOnce(
    'NURSERY_NO_CGROUP',
    `nursery: containment 'auto' uses process groups (a setsid()'d descendant whose parent died may escape a stop): ` +
      `${reason}`,
  );
  return null;
}

/** At a Nursery's start: probe (and so clean dead owners' leftovers); 'auto' warns now if it must fall back. */
export function prepareContainment(mode: 'auto' | 'cgroup'): void {
  const s = cgroupSupport();
  if (typeof s === 'string' && mode === 'auto')
    warnOnce('NURSERY_NO_CGROUP', `nursery: containment 'auto' uses process groups: ${s}`);
}
