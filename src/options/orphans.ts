// The orphan policy: what the reaper does with live processes adopted by us (as subreaper or
// PID 1). Kept by default; stopped with their descendants when the policy says so.
import { invalidOption } from '../errors.js';
import { checkDuration } from './check.js';

/** What the orphan policy is told about one live orphan. */
export interface OrphanInfo {
  pid: number;
  comm: string;
  cmdline: string;
  /** How long it has been seen as our orphan. */
  orphanedMs: number;
  /** A native addon that may fork (node-pty, ...) is loaded, so this may be its child rather than an orphan. */
  addonsLoaded: boolean;
}

/**
 * 'keep' (default): live orphans are left to run and reaped when they exit. 'kill': each is
 * stopped with its descendants after graceMs. Or a function that decides for each one.
 */
export type OrphanPolicy = 'keep' | 'kill' | { kill: (info: OrphanInfo) => boolean; graceMs?: number };

export interface ResolvedOrphanPolicy {
  decide: ((info: OrphanInfo) => boolean) | null;
  /** How long an orphan is left before the policy is asked. */
  afterMs: number;
}

export const DEFAULT_ORPHAN_GRACE_MS = 1000;

/** @throws NurseryOptionError */
export function resolveOrphanPolicy(value: unknown): ResolvedOrphanPolicy {
  if (value === undefined || value === 'keep') return { decide: null, afterMs: DEFAULT_ORPHAN_GRACE_MS };
  // 'kill' stays away from what may be a native addon's own child.
  if (value === 'kill') return { decide: (info) => !info.addonsLoaded, afterMs: DEFAULT_ORPHAN_GRACE_MS };
  if (typeof value === 'object' && value !== null && typeof (value as { kill?: unknown }).kill === 'function') {
    const v = value as { kill: (info: OrphanInfo) => boolean; graceMs?: unknown };
    return { decide: v.kill, afterMs: checkDuration(v.graceMs, 'orphans.graceMs', DEFAULT_ORPHAN_GRACE_MS) };
  }
  throw invalidOption('orphans', '"keep", "kill" or { kill(info) => boolean, graceMs? }', value);
}
