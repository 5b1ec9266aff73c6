// Stop means the whole tree (docs/design.md, invariant 4): a Handle's tree, as src/terminate/tree.ts
// finds it (and, under cgroup containment, everything in its cgroup: cgroup-tree.ts), through the
// one escalation loop.
import { killCgroup } from '../os/cgroup.js';
import { SIGKILL } from '../os/signals.js';
import type { ChildCgroup } from './cgroup.js';
import { CgroupTree } from './cgroup-tree.js';
import { type EscalateOptions, Escalation, type StopReport } from './escalate.js';
import { Tree, type TreeRoot, hasLeftovers as treeHasLeftovers } from './tree.js';

export type { StopReport, TreeRoot };
export type { ChildCgroup };

/** A tree stop in flight: `done` settles with the report; `tighten` makes it harsher (Escalation.tighten). */
export interface TreeStop {
  readonly done: Promise<StopReport>;
  tighten(signal: number, graceMs: number): void;
}

/** With a cgroup, the cgroup is removed once the stop is over and it is empty. */
export function stopTree(root: TreeRoot, options: EscalateOptions, cgroup: ChildCgroup | null = null): TreeStop {
  const tree = new Tree(root);
  const target = cgroup ? new CgroupTree(tree, cgroup) : tree;
  const escalation = new Escalation(target, options);
  const done = escalation.done.finally(() => {
    target.close();
    cgroup?.release();
  });
  return { done, tighten: (signal, graceMs) => escalation.tighten(signal, graceMs) };
}

/** What a child that exited by itself left: see tree.ts; under containment, anyone in its cgroup. */
export function hasLeftovers(root: TreeRoot, cgroup: ChildCgroup | null = null): boolean {
  return (cgroup?.populated() ?? false) || treeHasLeftovers(root);
}

// For process 'exit' (where nothing async can run): SIGKILL the tree at once, without waiting. The
// cgroup stays (its members die after we do): the next nursery's start removes it.
export function killTreeNow(root: TreeRoot, cgroup: ChildCgroup | null = null): number {
  if (cgroup?.canKill) killCgroup(cgroup.dir);
  const tree = new Tree(root);
  try {
    tree.collect();
    return tree.signalAll(SIGKILL);
  } finally {
    tree.close();
  }
}
