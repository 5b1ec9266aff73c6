// PTY children: node-pty behind the same SpawnedChild interface as child.ts, and, like
// node:child_process there, node-pty never leaves this file. node-pty is an optional peer
// dependency: it is loaded here, lazily, the first time PTY mode is used, so `import 'nursery'`
// never loads it (or its native addon).
//
// On Linux node-pty forks with forkpty(3), whose child calls setsid() and takes the terminal as its
// controlling tty: it leads its own session and group (pgid = sid = pid), as child.ts's children
// do, so the same tree stop applies. node-pty's exit thread is the child's one waiter
// (waitpid(pid, 0), docs/design.md, invariant 1): the child is announced on PTY_CHILD_CHANNEL the
// moment it exists, so that the reaper tracks it and never takes that wait.
import diagnosticsChannel from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { NurseryError } from '../errors.js';
import { readStat } from '../os/proc.js';
import { signalName } from '../os/signals.js';
import { diagnoseSpawnFailure, findSpawnProblem } from './diagnose.js';
import { type ExitStatus, PTY_CHILD_CHANNEL, type PtyChild, type PtyChildMessage, type PtyRequest } from './types.js';

// The part of node-pty's API used here, typed in this one file (its own typings are not a
// dependency of nursery's published types).
interface Disposable {
  dispose(): void;
}
interface Terminal {
  readonly pid: number;
  readonly cols: number;
  readonly rows: number;
  onData(listener: (data: string) => void): Disposable;
  onExit(listener: (e: { exitCode: number; signal?: number }) => void): Disposable;
  write(data: string | Buffer): void;
  resize(cols: number, rows: number): void;
  /** The master side closed (all output read). node-pty reports the exit only after it. */
  on(event: 'close', listener: () => void): void;
}
interface NodePty {
  spawn(
    file: string,
    args: string[],
    options: { name: string; cols: number; rows: number; cwd: string; env: NodeJS.ProcessEnv },
  ): Terminal;
}

const PACKAGE = 'node-pty';
let loaded: NodePty | null = null;

function loadNodePty(): NodePty {
  if (loaded !== null) return loaded;
  try {
    loaded = createRequire(import.meta.url)(PACKAGE) as NodePty;
    return loaded;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing = code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(`'${PACKAGE}'`);
    const why = missing ? 'is not installed' : `cannot be loaded (${(error as Error).message.split('\n')[0]})`;
    throw new NurseryError(
      'ERR_NURSERY_NO_PTY',
      `PTY mode needs the optional peer dependency ${PACKAGE}, which ${why}. Install it with: npm i ${PACKAGE}`,
      { cause: error },
    );
  }
}

const announce = diagnosticsChannel.channel(PTY_CHILD_CHANNEL);
// Only Linux lets us tell a reaped child from a live one by /proc (see isReaped()).
const PROC = process.platform === 'linux';

class Pty implements PtyChild {
  readonly pid: number;
  readonly exit: Promise<ExitStatus>;
  readonly stdin = null;
  readonly stdout = null;
  readonly stderr = null;
  readonly ipc = null;
  readonly notify = null;
  #term: Terminal;
  #startTime: number | null;
  #reaped = false;
  #closed = false;

  constructor(term: Terminal) {
    this.#term = term;
    this.pid = term.pid;
    // node-pty's thread may reap the child at any moment, but a child already reaped has no /proc
    // entry, and then isReaped() says so from the start. Only a PID handed to another process
    // within these microseconds could fool this (see isReaped()).
    this.#startTime = PROC ? (readStat(this.pid)?.startTime ?? null) : null;
    term.on('close', () => (this.#closed = true));
    this.exit = new Promise((resolve) => {
      term.onExit(({ exitCode, signal }) => {
        this.#reaped = true;
        this.#closed = true;
        const name = signal ? (signalName(signal) as NodeJS.Signals) : null;
        resolve({ code: name === null ? exitCode : null, signal: name });
      });
    });
    const message: PtyChildMessage = { pid: this.pid, exit: this.exit };
    announce.publish(message);
  }

  get cols(): number {
    return this.#term.cols;
  }
  get rows(): number {
    return this.#term.rows;
  }

  // node-pty reaps on its own thread and tells JavaScript later (after the terminal's output is
  // drained, up to 200 ms), so its exit event alone would leave a window in which the PID is
  // free but looks held, and a group kill could reach a successor. On Linux /proc settles it: no
  // entry, or one with another start time, means the child has been reaped. What remains is the
  // microseconds between this check and the caller's kill(2), in which the PID would also have
  // to be handed to a new process (after every other PID in pid_max was used).
  // node-pty offers no way to let its terminal stop holding the event loop; nursery never asks a
  // PTY child to (only its own helper processes are unref'd).
  unref(): void {}

  isReaped(): boolean {
    if (this.#reaped) return true;
    if (!PROC) return false;
    const s = readStat(this.pid);
    return s === null || s.startTime !== this.#startTime;
  }

  onData(listener: (data: string) => void): () => void {
    const d = this.#term.onData(listener);
    return () => d.dispose();
  }

  write(data: string | Uint8Array): boolean {
    if (this.#closed) return false;
    this.#term.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return true;
  }

  // After the master closes, its fd number may already name another file: never ioctl it then.
  resize(cols: number, rows: number): boolean {
    if (this.#closed) return false;
    this.#term.resize(cols, rows);
    return true;
  }
}

/**
 * Starts `command` on a new pseudo-terminal of `cols` x `rows`, leading its own session.
 * @throws NurseryError ERR_NURSERY_NO_PTY (node-pty missing), ENOENT, EACCES, ERR_NURSERY_BAD_CWD,
 * ERR_NURSERY_SPAWN_FAILED
 */
export function spawnPty(req: PtyRequest): PtyChild {
  const pty = loadNodePty();
  // node-pty's child reports a failed exec only as exit code 1 and a line on the terminal: find
  // the cause first, so a missing command throws as it does in normal mode.
  const problem = findSpawnProblem(req);
  if (problem !== null) throw problem;
  let term: Terminal;
  try {
    term = pty.spawn(req.command, [...req.args], {
      name: req.env.TERM ?? 'xterm',
      cols: req.cols,
      rows: req.rows,
      cwd: req.cwd ?? process.cwd(),
      env: req.env,
    });
  } catch (error) {
    throw diagnoseSpawnFailure(req, error);
  }
  return new Pty(term);
}
