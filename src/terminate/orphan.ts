// Stopping a live orphan (a process adopted by us as subreaper or PID 1) with its descendants,
// when the orphan policy says so. The orphan is our unreaped child, but its descendants are not:
// every one is held by a ProcRef (a RefTree), and the stop goes through the one escalation loop.
// The orphan itself is held by one too, checked against the start time the policy judged: the
// policy is user code, and the stop must hit the process it was asked about or nobody.
import { readStat } from '../os/proc.js';
import { type StopReport, escalate } from './escalate.js';
import { openRef } from './identity.js';
import { RefTree } from './ref-tree.js';

/**
 * `signal` to the orphan and its descendants, SIGKILL to what is left after graceMs. Null if it
 * is already gone, or if `pid` now names a process with another start time than `startTime`.
 */
export async function stopOrphan(
  pid: number,
  startTime: number,
  graceMs: number,
  signal: number,
): Promise<StopReport | null> {
  const self = readStat(pid);
  const root = self?.startTime === startTime ? openRef(self) : null;
  if (!root) return null;
  const tree = new RefTree(root, { session: false, ownsRoot: true });
  try {
    return await escalate(tree, { signal, graceMs });
  } finally {
    tree.close();
  }
}
