// Live orphans: processes adopted by us (as subreaper or PID 1) that still run. The policy
// decides whether they are left alone (default) or stopped, as seed 004 did for the chrome,
// node and esbuild processes its agents left behind.
import { SIGKILL, SIGTERM } from '../os/signals.js';
import { descendantsOf, readStat } from '../os/proc.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from '../terminate/identity.js';
import { invalidOption } from '../errors.js';

export interface OrphanInfo {
  pid: number;
  comm: string;
  cmdline: string;
  /** How long it has been seen as our orphan. */
  orphanedMs: number;
  /** A native addon that may fork (node-pty, ...) is loaded, so this may be its child rather than an orphan. */
  addonsLoaded: boolean;
}

export type OrphanPolicy = 'keep' | 'kill' | { kill: (info: OrphanInfo) => boolean; graceMs?: number };

export interface ResolvedOrphanPolicy {
  decide: ((info: OrphanInfo) => boolean) | null;
  /** How long an orphan is left before the policy is asked. */
  afterMs: number;
}

export const DEFAULT_ORPHAN_GRACE_MS = 1000;

export function resolveOrphanPolicy(value: unknown): ResolvedOrphanPolicy {
  if (value === undefined || value === 'keep') return { decide: null, afterMs: DEFAULT_ORPHAN_GRACE_MS };
  // 'kill' stays away from what may be a native addon's own child.
  if (value === 'kill') return { decide: (info) => !info.addonsLoaded, afterMs: DEFAULT_ORPHAN_GRACE_MS };
  if (typeof value === 'object' && value !== null && typeof (value as { kill?: unknown }).kill === 'function') {
    const v = value as { kill: (info: OrphanInfo) => boolean; graceMs?: unknown };
    const afterMs = v.graceMs === undefined ? DEFAULT_ORPHAN_GRACE_MS : v.graceMs;
    if (typeof afterMs !== 'number' || !Number.isFinite(afterMs) || afterMs < 0)
      throw invalidOption('orphans.graceMs', 'a finite number of milliseconds >= 0', afterMs);
    return { decide: v.kill, afterMs };
  }
  throw invalidOption('orphans', '"keep", "kill" or { kill(info) => boolean, graceMs? }', value);
}

// SIGTERM to the orphan and its descendants, SIGKILL to what is left after graceMs. The orphan is
// our unreaped child, but its descendants are not: every one is held by a ProcRef.
export async function stopOrphan(pid: number, graceMs: number): Promise<boolean> {
  const refs: ProcRef[] = [];
  const self = readStat(pid);
  const root = self ? openRef(self) : null;
  if (!root) return false;
  refs.push(root);
  for (const s of descendantsOf(pid)) {
    const r = openRef(s);
    if (r) refs.push(r);
  }
  try {
    for (const r of refs) signalRef(r, SIGTERM);
    const deadline = Date.now() + graceMs;
    let delay = 2;
    while (refs.some(isAlive)) {
      if (Date.now() >= deadline) {
        for (const r of refs) if (isAlive(r)) signalRef(r, SIGKILL);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
    return true;
  } finally {
    for (const r of refs) closeRef(r);
  }
}
