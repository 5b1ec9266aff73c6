// User code the reaper calls inside a scan (the orphan policy, log, onReap): one that throws must
// not stop the scan or reach the host as an uncaught exception. It is said once, and ignored.
import type { OrphanInfo } from '../options/orphans.js';
import { warnOnce } from '../warnings.js';

export function guarded(fn: () => void, what: 'log' | 'onReap'): void {
  try {
    fn();
  } catch (error) {
    warnOnce(
      what === 'log' ? 'NURSERY_LOG_THREW' : 'NURSERY_ONREAP_THREW',
      `nursery: the reaper's ${what} callback threw (${String(error)}); ignored.`,
    );
  }
}

/** The policy's answer; a policy that throws keeps the orphan. */
export function askPolicy(decide: ((info: OrphanInfo) => boolean) | null, info: OrphanInfo): boolean {
  try {
    return decide?.(info) === true;
  } catch (error) {
    warnOnce(
      'NURSERY_ORPHAN_POLICY_THREW',
      `nursery: the orphans policy threw (${String(error)}); orphans it is asked about are kept.`,
    );
    return false;
  }
}
