// Stop means the whole tree (docs/design.md, invariant 4): a Handle's tree, as src/terminate/tree.ts
// finds it, through the one escalation loop.
import { SIGKILL } from '../os/signals.js';
import { type EscalateOptions, type StopReport, escalate } from './escalate.js';
import { Tree, type TreeRoot } from './tree.js';

export type { StopReport, TreeRoot };

export async function stopTree(root: TreeRoot, options: EscalateOptions): Promise<StopReport> {
  const tree = new Tree(root);
  try {
    return await escalate(tree, options);
  } finally {
    tree.close();
  }
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
