// The plain objects a Handle and run() hand back. A leaf file: it imports nothing of nursery's,
// so errors.ts (MaxBufferError.result) and the Handle can both name them.

export type ChildState = 'running' | 'stopping' | 'exited';

/** How a child's stdio is set up: 'normal' (pipes, files, inherited) or 'pty' (one terminal for all three). */
export type ChildMode = 'normal' | 'pty';

/** How a child ended. */
export interface ExitInfo {
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  /** Name of the signal that ended it, or null. */
  signal: NodeJS.Signals | null;
  /** From spawn to exit of the child itself. */
  durationMs: number;
  /**
   * stop() (or dispose, stopAll, close, timeout, abort) ended it, and its whole tree is known to
   * be gone (never true while `unverified` is).
   */
  stopped: boolean;
  timedOut: boolean;
  aborted: boolean;
  /**
   * A stop of the tree (or of its leftovers) could not make sure that all of it is gone: /proc
   * could not be read (the host out of file descriptors or memory), or processes outlived SIGKILL
   * (D state, or not ours to kill). Processes of the tree may still run.
   */
  unverified: boolean;
}

/** One live child, as list() shows it. */
export interface ChildInfo {
  pid: number;
  pgid: number;
  owner: string;
  /** The service it is an incarnation of (nursery.supervise()), or null for a plain child. */
  service: string | null;
  mode: ChildMode;
  state: ChildState;
  command: string;
  args: string[];
  /** Epoch milliseconds. */
  startedAt: number;
  uptimeMs: number;
  /** 'cgroup' when the child has a cgroup of its own (containment 'cgroup', or 'auto' where it works). */
  containment: 'cgroup' | 'group';
  /** CPU time used so far by the child's whole tree, in µs (its cgroup's cpu.stat); null without a cgroup. */
  cpuUsec: number | null;
  /**
   * Memory charged to the child's cgroup, in bytes (memory.current); null without a cgroup or where
   * the memory controller is not enabled in cgroup v2 (a hybrid host keeps it in v1).
   */
  memoryBytes: number | null;
}

/** What run() resolves to: strings by default, Buffers with `encoding: 'buffer'`. */
export interface RunResult<Output extends string | Buffer = string> {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Output;
  stderr: Output;
  durationMs: number;
  /** As ExitInfo.stopped: a timeout, an abort, maxBuffer or a stop() of its handle ended it, tree and all. */
  stopped: boolean;
  timedOut: boolean;
  aborted: boolean;
  /** As ExitInfo.unverified: a stop could not make sure that the whole tree is gone. */
  unverified: boolean;
}
