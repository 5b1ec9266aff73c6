// Warnings: one per cause for the life of the process, through process.emitWarning (type
// 'NurseryWarning', so `process.on('warning')` and --no-warnings work as for Node's own). A missing
// kernel feature is said once, then the part that needs it quietly becomes a no-op
// (docs/design.md, invariant 5). Every code is listed here and in the README's table.

export type NurseryWarningCode =
  /** koffi could not load libc (or NURSERY_NO_FFI=1): no pidfds, no reaper, no subreaper. */
  | 'NURSERY_NO_FFI'
  /** Not Linux: no reaper, no subreaper. */
  | 'NURSERY_NO_REAPER_PLATFORM'
  /** A Nursery in a worker thread asked for the reaper, which runs on the main thread only. */
  | 'NURSERY_REAPER_IN_WORKER'
  /** prctl(PR_SET_CHILD_SUBREAPER) failed. */
  | 'NURSERY_NO_SUBREAPER'
  /** An orphans policy was given, but no reaper runs to act on it. */
  | 'NURSERY_ORPHANS_WITHOUT_REAPER'
  /** The orphans policy threw; the orphans it was asked about are kept. */
  | 'NURSERY_ORPHAN_POLICY_THREW'
  /** The reaper's log callback threw. */
  | 'NURSERY_LOG_THREW'
  /** The reaper's onReap callback threw. */
  | 'NURSERY_ONREAP_THREW'
  /** waitpid() failed with an unexpected errno. */
  | 'NURSERY_WAITPID'
  /** A zombie stayed a minute under a thread other than the main one (left to that thread). */
  | 'NURSERY_THREAD_ZOMBIE'
  /** stop() failed on an OS error it could not classify; the Handle still settles. */
  | 'NURSERY_STOP_FAILED'
  /** A stop could not read /proc (out of file descriptors?), so it cannot say that the whole tree is gone. */
  | 'NURSERY_STOP_UNVERIFIED'
  /** A file in the daemon registry is not a valid entry: skipped. */
  | 'NURSERY_REGISTRY_SKIPPED'
  /** daemons() found the registry directory unusable (a symlink, someone else's, open to others). */
  | 'NURSERY_REGISTRY_REFUSED'
  /** The dieWithParent watcher could not start: such children will not die with a killed host. */
  | 'NURSERY_NO_PARENT_WATCH'
  /** serveDebug() listens on an address that is not loopback (an explicit `host`). */
  | 'NURSERY_DEBUG_EXPOSED'
  /** containment: 'auto' found no usable cgroup v2 (the message says why): process groups contain the children. */
  | 'NURSERY_NO_CGROUP'
  /**
   * supervise() with process-group containment and no subreaper: a setsid'd escapee of a dead
   * incarnation can be missed.
   */
  | 'NURSERY_SUPERVISE_UNCONTAINED';

const said = new Set<NurseryWarningCode>();

export function warnOnce(code: NurseryWarningCode, message: string): void {
  if (said.has(code)) return;
  said.add(code);
  process.emitWarning(message, { type: 'NurseryWarning', code });
}
