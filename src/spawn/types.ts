// What the spawn module hands out: plain interfaces, no ChildProcess. A leaf file (it imports
// nothing of nursery's), so the spawner, its diagnosis and the Handle can all name these types without
// importing one another. The PTY backend (pty.ts) returns the same SpawnedChild, with a terminal.
import type { Readable, Writable } from 'node:stream';

export type Serialization = 'json' | 'advanced';

export interface SpawnRequest {
  command: string;
  args: readonly string[];
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  /** stdin, stdout, stderr: a keyword or an open file descriptor each. */
  stdio: readonly ('pipe' | 'inherit' | 'ignore' | number)[];
  /** Open Node's IPC channel (an extra fd the child finds through NODE_CHANNEL_FD). */
  ipc?: { serialization: Serialization };
  /**
   * Give the child a pipe's write end at this fd (>= 3): s6's notification-fd protocol, in which the
   * child writes a newline there once it is ready. The read end is SpawnedChild.notify.
   */
  notifyFd?: number;
  /**
   * Start the command in this cgroup (the path of its cgroup.procs): a shell moves itself there,
   * then execs the command, so the command runs in the cgroup from its first instruction.
   */
  cgroupProcs?: string;
}

/** The IPC channel to a Node child, without the ChildProcess behind it. */
export interface IpcChannel {
  readonly connected: boolean;
  /** Settles once the message is handed to the channel; rejects with the error Node reports. */
  send(message: unknown): Promise<void>;
  onMessage(listener: (message: unknown) => void): () => void;
  /** Called once, when the channel closes (disconnect, or the child's exit). */
  onDisconnect(listener: () => void): () => void;
  disconnect(): void;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface SpawnedChild {
  readonly pid: number;
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Settles when the child's one waiter (libuv, or node-pty's exit thread) has reaped it. */
  readonly exit: Promise<ExitStatus>;
  /** True once the child is reaped: until then its PID cannot name anyone else. */
  isReaped(): boolean;
  /** The IPC channel, when the request asked for one. */
  readonly ipc: IpcChannel | null;
  /** The read end of the notification pipe, when the request gave notifyFd; else null. */
  readonly notify: Readable | null;
  /**
   * From now on neither the child nor its pipes keep the host's event loop alive (a helper
   * process that must not hold the host open). Its exit is still observed while the loop runs.
   */
  unref(): void;
}

/** A child on a pseudo-terminal: what PTY mode asks of node-pty. */
export interface PtyRequest {
  command: string;
  args: readonly string[];
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  cols: number;
  rows: number;
}

/** A child whose stdin, stdout and stderr are one terminal: its output arrives as text, input is written to it. */
export interface PtyChild extends SpawnedChild {
  readonly stdin: null;
  readonly stdout: null;
  readonly stderr: null;
  readonly ipc: null;
  readonly notify: null;
  readonly cols: number;
  readonly rows: number;
  /** Calls `listener` with each piece of output (UTF-8 text); returns a function that removes it. */
  onData(listener: (data: string) => void): () => void;
  /** Queues input for the terminal; false once the terminal has closed. */
  write(data: string | Uint8Array): boolean;
  /** Sets the terminal's size (the child gets SIGWINCH); false once the terminal has closed. */
  resize(cols: number, rows: number): boolean;
}

/**
 * The diagnostics channel on which src/spawn/pty.ts announces each PTY child the moment it exists,
 * as Node announces each ChildProcess on 'child_process': the reaper tracks it until `exit` settles.
 */
export const PTY_CHILD_CHANNEL = 'nursery:pty-child';

export interface PtyChildMessage {
  readonly pid: number;
  /** Settles once node-pty has reaped the child and reported its exit. */
  readonly exit: Promise<unknown>;
}
