// PR_SET_CHILD_SUBREAPER: orphans of our descendants come to us instead of PID 1, so escaped
// grandchildren can be found, reaped and, by policy, stopped.
import { getChildSubreaper, setChildSubreaper } from '../os/prctl.js';
import { warnOnce } from '../warnings.js';

// Returns true when this call turned the flag on (so release may turn it off again).
export function enableSubreaper(): boolean {
  if (getChildSubreaper() === true) return false;
  const r = setChildSubreaper(true);
  if (r < 0) {
    warnOnce(
      'NURSERY_NO_SUBREAPER',
      `nursery: prctl(PR_SET_CHILD_SUBREAPER) failed (errno ${-r}); orphans of our children go to PID 1 ` +
        'and cannot be reaped or stopped by nursery.',
    );
    return false;
  }
  return true;
}

export function disableSubreaper(): void {
  setChildSubreaper(false);
}
