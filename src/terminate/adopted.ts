// Orphans of our trees that our subreaper (or PID 1) adopted: our own children now, untracked,
// linked to their tree only by the NURSERY_TREE tag they inherited. A finished command's detached
// daemon (`setsid -f`, `git gc --auto`) is one: no group, no session and no walk reaches it.
import { EMPTY_ENVIRON, environValue, isDead, mainThreadChildren, readStat, type ProcStat } from '../os/proc.js';
import { adoptsOrphans } from '../os/prctl.js';
import { type EscalateOptions, type StopReport, escalate } from './escalate.js';
import { openRef } from './identity.js';
import { RefTree } from './ref-tree.js';

const TAG = 'NURSERY_TREE';

/** Longest synchronous wait for an adopted child to finish its execve(). */
const EXEC_WAIT_MS = 200;
const nap = new Int32Array(new SharedArrayBuffer(4));
/** Live children whose environment stayed empty past EXEC_WAIT_MS (`env -i`), "pid:startTime": waited for once. */
const emptyForGood = new Set<string>();

// An escapee forked just before its parent died is often caught inside execve() (the parent's
// `setsid cmd &` then `exit`): its environment reads empty until the new image has one. Taking it
// for a stranger would leave it running, so wait for the exec to finish (a millisecond or so; 200 at
// most, after which a process with a truly empty environment, `env -i`, is not ours). Only a live
// process is waited for: a zombie's environment reads empty for good.
function settledTag(s: ProcStat): string | null {
  const key = `${s.pid}:${s.startTime}`;
  const deadline = performance.now() + EXEC_WAIT_MS;
  for (;;) {
    const value = environValue(s.pid, TAG);
    if (value !== EMPTY_ENVIRON) return value;
    if (emptyForGood.has(key)) return null;
    const now = readStat(s.pid);
    if (now === null || isDead(now) || now.startTime !== s.startTime) return null;
    if (performance.now() > deadline) {
      if (emptyForGood.size > 1000) emptyForGood.clear();
      emptyForGood.add(key);
      return null;
    }
    Atomics.wait(nap, 0, 0, 0.2);
  }
}

/** Our adopted, live, untracked children whose tag value passes `match` ([] when we adopt nothing). */
export function adoptedTagged(match: (value: string) => boolean, tracked?: ReadonlySet<number>): ProcStat[] {
  if (!adoptsOrphans()) return [];
  const out: ProcStat[] = [];
  for (const pid of mainThreadChildren(process.pid)) {
    if (tracked?.has(pid)) continue;
    const s = readStat(pid);
    if (s === null || isDead(s)) continue;
    const value = settledTag(s);
    if (value !== null && match(value)) out.push(s);
  }
  return out;
}

/**
 * Stops every adopted orphan whose tag is in `scope` (a Nursery's "<pid>.<thread>.<n>"), each
 * with its descendants, through the one escalation loop. Resolves with one report per orphan.
 */
export async function stopAdoptedInScope(
  scope: string,
  tracked: ReadonlySet<number>,
  options: EscalateOptions,
): Promise<StopReport[]> {
  const prefix = `${scope}.`;
  const stops = adoptedTagged((v) => v.startsWith(prefix), tracked).map(async (s) => {
    const root = openRef(s);
    if (!root) return null;
    const tree = new RefTree(root, { session: true, ownsRoot: true });
    try {
      return await escalate(tree, options);
    } finally {
      tree.close();
    }
  });
  return (await Promise.all(stops)).filter((r): r is StopReport => r !== null);
}
