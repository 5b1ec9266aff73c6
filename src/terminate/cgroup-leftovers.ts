// Leftover nursery subtrees of a run that died without removing them (a host SIGKILLed, or one
// that exited while a tree still ran): at start, every subtree under this process's cgroup whose
// owner (nursery.<pid>.<start time>...) is dead is killed (cgroup.kill, else freeze, SIGKILL each,
// thaw) and removed once empty. A live owner's subtree, or one of this process, is never touched.
import { join } from 'node:path';
import {
  type CgroupLocation,
  cgroupPids,
  freezeCgroup,
  isPopulated,
  killCgroup,
  removeCgroupTree,
  subCgroups,
} from '../os/cgroup.js';
import { cgroupV2Of, isDead, readStat } from '../os/proc.js';
import { SIGKILL } from '../os/signals.js';
import { closeRef, openRef, signalRef } from './identity.js';

const OWNED = /^nursery\.(\d+)\.(\d+)(?:\.\d+)?$/;
const EMPTY_WAIT_MS = 5000;

/** True when the subtree's owner, named by PID and start time, is a live process. */
function ownerLives(pid: number, startTime: number): boolean {
  const s = readStat(pid);
  return s !== null && !isDead(s) && s.startTime === startTime;
}

// Without cgroup.kill: SIGKILL to each member, held by identity and checked to be in the cgroup
// after its reference was taken, so a recycled PID is never signalled. Frozen meanwhile, so that
// it cannot fork much while we look; thawed, since a frozen process dies only once thawed.
function killEach(dir: string, path: (d: string) => string): void {
  freezeCgroup(dir, true);
  const visit = (d: string): void => {
    for (const pid of cgroupPids(d) ?? []) {
      const s = readStat(pid);
      const ref = s && openRef(s);
      if (!ref) continue;
      if (cgroupV2Of(pid) === path(d)) signalRef(ref, SIGKILL);
      closeRef(ref);
    }
    for (const sub of subCgroups(d)) visit(join(d, sub));
  };
  visit(dir);
  freezeCgroup(dir, false);
}

async function emptied(dir: string): Promise<boolean> {
  const deadline = Date.now() + EMPTY_WAIT_MS;
  let delay = 1;
  while (isPopulated(dir) === true) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay).unref());
    delay = Math.min(delay * 2, 50);
  }
  return true;
}

/** Cleans every dead owner's subtree under loc; resolves with how many were removed. Never rejects. */
export async function cleanLeftovers(loc: CgroupLocation, ownStartTime: number, kill: boolean): Promise<number> {
  let removed = 0;
  const toPath = (d: string): string => (loc.path === '/' ? '' : loc.path) + d.slice(loc.dir.length);
  for (const name of subCgroups(loc.dir)) {
    const m = OWNED.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    const startTime = Number(m[2]);
    if (pid === process.pid && startTime === ownStartTime) continue;
    if (ownerLives(pid, startTime)) continue;
    const dir = join(loc.dir, name);
    try {
      if (isPopulated(dir) === true && !(kill && killCgroup(dir))) killEach(dir, toPath);
      if ((await emptied(dir)) && removeCgroupTree(dir) === 'removed') removed++;
    } catch {
      // another run cleaning the same subtree, or it went away: nothing to do
    }
  }
  return removed;
}
