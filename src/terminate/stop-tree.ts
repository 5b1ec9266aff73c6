// Stop means the whole tree (docs/design.md, invariant 4): a Handle's tree, as src/terminate/tree.ts
// finds it, through the one escalation loop.
import { SIGKILL } from '../os/signals.js';
import { type EscalateOptions, Escalation, type StopReport } from './escalate.js';
import { Tree, type TreeRoot, hasLeftovers } from './tree.js';

export type { StopReport, TreeRoot };
export { hasLeftovers };

/** A tree stop in flight: `done` settles with the report; `tighten` makes it harsher (Escalation.tighten). */
export interface TreeStop {
  readonly done: Promise<StopReport>;
  tighten(signal: number, graceMs: number): void;
}

export function stopTree(root: TreeRoot, options: EscalateOptions): TreeStop {
  const tree = new Tree(root);
  const escalation = new Escalation(tree, options);
  const done = escalation.done.finally(() => tree.close());
  return { done, tighten: (signal, graceMs) => escalation.tighten(signal, graceMs) };
}

// For process 'exit' (where nothing async can run): SIGKILL the tree at once, without waiting.
export function killTreeNow(root: TreeRoot): number {
  const tree = new Tree(root);
  try {
    tree.collect();
    return tree.signalAll(SIGKILL);
  } finally {
    tree.close();
  }
}
