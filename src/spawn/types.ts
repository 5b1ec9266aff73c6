// What the spawn module hands out: plain interfaces, no ChildProcess. A leaf file (it imports
// nothing of nursery's), so the spawner, its diagnosis and the Handle can all name these types without
// importing one another. A PTY backend will return the same SpawnedChild.
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
  /** Settles when the child's one waiter (libuv) has reaped it. */
  readonly exit: Promise<ExitStatus>;
  /** True once the child is reaped: until then its PID cannot name anyone else. */
  isReaped(): boolean;
  /** The IPC channel, when the request asked for one. */
  readonly ipc: IpcChannel | null;
  /**
   * From now on neither the child nor its pipes keep the host's event loop alive (a helper
   * process that must not hold the host open). Its exit is still observed while the loop runs.
   */
  unref(): void;
}
