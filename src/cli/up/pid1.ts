// `nursery up` as a container's PID 1: once the services are stopped, wait for all, as
// `nursery init` does (docs/init.md, step 5). Whatever is still running in the PID namespace (an
// orphan whose tree tag was scrubbed, so no service's stop reached it) gets SIGTERM and SIGCONT
// through one kill(-1), which reaches every process of the namespace but PID 1 and which no fork
// can race; SIGKILL at the grace limit. As PID 1 every process of the namespace is ours, so no
// stranger is signalled (docs/design.md, invariant 4). The Nursery's reaper reaps what exits.
import { killAllInNamespace } from '../../os/kill.js';
import { childrenOf, descendantsOf, isDead, readStat } from '../../os/proc.js';
import { SIGCONT, SIGKILL, SIGTERM } from '../../os/signals.js';

const TICK_MS = 20;
const AFTER_KILL_MS = 10_000;

/** Live processes below us (as PID 1: the whole namespace but us). */
function leftBelow(): number[] {
  const out: number[] = [];
  for (const child of childrenOf('self')) {
    const s = readStat(child);
    if (s !== null && !isDead(s)) out.push(child);
    for (const d of descendantsOf(child)) if (!isDead(d)) out.push(d.pid);
  }
  return out;
}

// ESRCH ('gone'): nobody left to signal.
const signalAll = (signal: number): void => void killAllInNamespace(signal);

async function until(cond: () => boolean, ms: number, hurried: () => boolean): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() >= deadline || hurried()) return false;
    await new Promise((r) => setTimeout(r, TICK_MS));
  }
  return true;
}

export interface DrainReport {
  /** Processes that were left and got SIGTERM. */
  termed: number;
  /** Processes still there at the grace limit (or at a second signal), sent SIGKILL. */
  killed: number;
}

/** Only as PID 1: ends everything left in the namespace, gracefully first; resolves when none is left. */
export async function drainNamespace(graceMs: number, hurried: () => boolean): Promise<DrainReport> {
  const left = leftBelow();
  if (left.length === 0) return { termed: 0, killed: 0 };
  signalAll(SIGTERM);
  signalAll(SIGCONT);
  if (await until(() => leftBelow().length === 0, graceMs, hurried)) return { termed: left.length, killed: 0 };
  const killed = leftBelow().length;
  signalAll(SIGKILL);
  await until(
    () => leftBelow().length === 0,
    AFTER_KILL_MS,
    () => false,
  );
  return { termed: left.length, killed };
}
