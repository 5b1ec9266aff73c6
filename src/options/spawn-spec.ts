// The spawn spec's types: what a caller may ask of a child (normal or PTY mode, or fork), and what
// it resolves to. A leaf file (it imports only types), so the spec's checks (spawn.ts, pty.ts) can
// all name these without importing one another.
import type { SignalLike } from '../os/signals.js';
import type { ChildMode } from '../types.js';

/**
 * How a child's tree is held together for stop(): 'group' (its process group and session, plus a
 * walk of /proc), 'cgroup' (a cgroup v2 of its own, which nothing in the tree can leave: throws
 * ERR_NURSERY_NO_CGROUP where it cannot be had), 'auto' (cgroup where it works, else group, with
 * one warning). Daemons are never contained; PTY children always by their group.
 */
export type Containment = 'auto' | 'cgroup' | 'group';

export type StdioValue = 'pipe' | 'inherit' | 'ignore';
/** One of the three: a keyword, or an open file descriptor of this process (a log file, say). */
export type StdioEntry = StdioValue | number;
export type StdioSpec = StdioValue | readonly [StdioEntry?, StdioEntry?, StdioEntry?];

/** What to start. Everything but `command` is optional. */
export interface SpawnSpec {
  /** 'normal' (the default): pipes, files or the parent's stdio. For a terminal, see PtySpawnSpec. */
  mode?: 'normal';
  command: string;
  args?: readonly string[];
  /** Who asked for this child: shown by list(), in errors, and in the debug page. Default: the nursery's owner. */
  owner?: string;
  cwd?: string;
  /** Variables added to (or, with extendEnv: false, replacing) the parent's environment. */
  env?: Readonly<Record<string, string | undefined>>;
  extendEnv?: boolean;
  /** Default 'pipe' for all three. */
  stdio?: StdioSpec;
  /** First signal of stop(). Default: the nursery's, else SIGTERM. */
  killSignal?: SignalLike;
  /** How long stop() waits after killSignal before SIGKILL. Default: the nursery's, else 5000. */
  graceMs?: number;
  /** Stop the whole tree after this long. 0 or absent: never. */
  timeoutMs?: number;
  /** Stop the whole tree when aborted. */
  signal?: AbortSignal;
  /** When the child exits by itself, stop what is left of its group and session. Default true. */
  killLeftovers?: boolean;
  /**
   * Open Node's IPC channel to the child (what `fork()` does): `handle.send()`, `onMessage()`,
   * `messages()`. The child must be a Node program; it talks back with `process.send()`.
   */
  ipc?: boolean;
  /** How IPC messages are encoded: 'json' (default) or 'advanced' (structured clone). Needs `ipc: true`. */
  serialization?: 'json' | 'advanced';
  /**
   * SIGKILL the child's process group if the host process dies, however it dies (SIGKILL, a
   * crash, an OOM kill), within milliseconds. Costs one small `sh` watcher per host thread,
   * started by the first such child. Default false.
   */
  dieWithParent?: boolean;
  /** Default: the nursery's, else 'group'. See Containment. */
  containment?: Containment;
  /**
   * An extra pipe at this fd in the child; its read end is handle.notify. For s6's
   * notification-fd protocol (the child writes a newline there once it is ready). An integer from
   * 3 to 1023; not in PTY mode.
   */
  notifyFd?: number;
}

export interface ResolvedSpec {
  mode: ChildMode;
  /** The terminal's size, in PTY mode only. */
  pty: TerminalSize | undefined;
  command: string;
  args: string[];
  owner: string;
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  stdio: [StdioEntry, StdioEntry, StdioEntry];
  killSignal: number;
  graceMs: number;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  killLeftovers: boolean;
  ipc: { serialization: 'json' | 'advanced' } | undefined;
  dieWithParent: boolean;
  /** Always 'group' in PTY mode. */
  containment: Containment;
  /** TREE_TAG_NAME=<unique id>, also present in env. */
  tag: string;
  /** The child's fd of the notification pipe; always undefined in PTY mode. */
  notifyFd: number | undefined;
}

export interface Defaults {
  /** "<pid>.<thread>.<n>": names the Nursery in its children's NURSERY_TREE tags. */
  scope: string;
  owner: string;
  killSignal: number;
  graceMs: number;
  containment: Containment;
}

/** A child on its own pseudo-terminal (node-pty): its stdin, stdout and stderr are the terminal. */
export interface PtySpawnSpec extends Omit<
  SpawnSpec,
  'mode' | 'stdio' | 'ipc' | 'serialization' | 'killSignal' | 'containment' | 'notifyFd'
> {
  mode: 'pty';
  /** Columns of the terminal. Default 80. */
  cols?: number;
  /** Rows of the terminal. Default 24. */
  rows?: number;
  /** First signal of stop(). Default SIGHUP (a terminal hang-up), whatever the nursery's default. */
  killSignal?: SpawnSpec['killSignal'];
}

export interface TerminalSize {
  cols: number;
  rows: number;
}

/** Options of `nursery.fork()`: those of spawn() but mode, command, args and ipc, plus two of Node's fork(). */
export interface ForkOptions extends Omit<SpawnSpec, 'mode' | 'command' | 'args' | 'ipc'> {
  /** The Node binary. Default: process.execPath. */
  execPath?: string;
  /** Node's own flags, before the module. Default: none (child_process.fork passes the parent's). */
  execArgv?: readonly string[];
}
