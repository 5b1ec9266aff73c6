// What daemons() lists and how a daemon ended. A leaf file: it imports nothing of nursery's.

/** One live daemon of the registry, as daemons() lists it. */
export interface DaemonInfo {
  id: string;
  pid: number;
  owner: string;
  command: string;
  args: string[];
  cwd: string | null;
  /** The files its stdout and stderr are appended to (null: /dev/null). */
  stdout: string | null;
  stderr: string | null;
  /** Epoch milliseconds of the launch. */
  startedAt: number;
  uptimeMs: number;
}

/** How a daemon ended. */
export interface DaemonExit {
  /**
   * True when this process reaped the daemon (our subreaper adopted it), so `code` and `signal`
   * are what it really exited with. False when some other process (init) reaped it: then both are
   * null, since the kernel tells a process's exit status only to its parent.
   */
  known: boolean;
  /** Exit code; null when a signal ended it, or when unknown. */
  code: number | null;
  /** Name of the signal that ended it; null when it exited, or when unknown. */
  signal: string | null;
  /** stop() (or stopAll({ daemons: true })) ended it. */
  stopped: boolean;
}
