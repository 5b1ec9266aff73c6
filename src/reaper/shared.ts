// The reaper is process-wide (one SIGCHLD listener, one subreaper flag), so every Nursery that
// asks for it shares one instance; the last to close turns it off.
import { isMainThread } from 'node:worker_threads';
import { canWait } from '../os/wait.js';
import { warnOnce } from '../warnings.js';
import { Reaper, type ReaperConfig } from './reaper.js';
import { disableSubreaper, enableSubreaper } from './subreaper.js';

interface Shared {
  reaper: Reaper;
  leases: number;
  subreaperOwned: boolean;
}

let shared: Shared | null = null;

export interface ReaperLease {
  readonly reaper: Reaper;
  release(): void;
}

export function acquireReaper(config: ReaperConfig, subreaper: boolean): ReaperLease | null {
  if (process.platform !== 'linux') {
    warnOnce(
      'NURSERY_NO_REAPER_PLATFORM',
      `nursery: the reaper and subreaper need Linux; on ${process.platform} orphans are not adopted ` +
        'or reaped by nursery.',
    );
    return null;
  }
  // A worker thread sees only its own spawns on diagnostics_channel, so from there the main
  // thread's libuv children would look untracked: the reaper belongs to the main thread alone.
  if (!isMainThread) {
    warnOnce(
      'NURSERY_REAPER_IN_WORKER',
      "nursery: the reaper runs only on the main thread; this worker's Nursery starts none.",
    );
    return null;
  }
  if (!canWait()) return null; // libc() has warned
  if (shared === null) {
    shared = { reaper: new Reaper(), leases: 0, subreaperOwned: false };
  }
  const s = shared;
  s.reaper.addConfig(config);
  if (subreaper && !s.subreaperOwned) s.subreaperOwned = enableSubreaper();
  s.leases++;
  s.reaper.start();
  let released = false;
  return {
    reaper: s.reaper,
    release() {
      if (released) return;
      released = true;
      s.reaper.removeConfig(config);
      s.leases--;
      if (s.leases > 0) return;
      s.reaper.stop();
      if (s.subreaperOwned) disableSubreaper();
      if (shared === s) shared = null;
    },
  };
}
