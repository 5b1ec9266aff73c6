// PR_SET_CHILD_SUBREAPER: orphans of our descendants come to us instead of PID 1.
import { ENOSYS } from './errno.js';
import { libc } from './libc.js';

/** 0, or -errno (-ENOSYS without libc). */
export function setChildSubreaper(on: boolean): number {
  return libc()?.setChildSubreaper(on) ?? -ENOSYS;
}

/** The flag, or -errno. */
export function getChildSubreaper(): boolean | number {
  return libc()?.getChildSubreaper() ?? -ENOSYS;
}

/** True when orphans of our descendants are adopted by us: we are PID 1 or a subreaper. */
export function adoptsOrphans(): boolean {
  return process.pid === 1 || getChildSubreaper() === true;
}
