// The one spawn site (docs/design.md, invariant 1). Only this folder imports node:child_process; the
// ChildProcess never leaves it. libuv owns the child's waitpid, and nursery learns of the exit
// from libuv's 'exit' event, so no exit code can be stolen or lost.
/* eslint-disable nursery/no-raw-child-process -- the spawn module is the one allowed place */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { diagnoseSpawnFailure, findSpawnProblem } from './diagnose.js';
import { Channel } from './ipc-channel.js';
import type { ExitStatus, IpcChannel, SpawnRequest, SpawnedChild } from './types.js';

class Child implements SpawnedChild {
  readonly pid: number;
  readonly exit: Promise<ExitStatus>;
  readonly ipc: IpcChannel | null;
  readonly notify: Readable | null;
  #cp: ChildProcess;
  #reaped = false;

  constructor(cp: ChildProcess, pid: number, ipc: boolean, notify: Readable | null) {
    this.#cp = cp;
    this.pid = pid;
    this.ipc = ipc ? new Channel(cp) : null;
    this.notify = notify;
    // The 'exit' callback runs in the same libuv callback as its waitpid, so no JavaScript can
    // observe a reaped child whose #reaped is still false.
    this.exit = new Promise((resolve) => {
      cp.once('exit', (code, signal) => {
        this.#reaped = true;
        resolve({ code, signal });
      });
    });
  }

  get stdin(): Writable | null {
    return this.#cp.stdin;
  }
  get stdout(): Readable | null {
    return this.#cp.stdout;
  }
  get stderr(): Readable | null {
    return this.#cp.stderr;
  }
  isReaped(): boolean {
    return this.#reaped || this.#cp.exitCode !== null || this.#cp.signalCode !== null;
  }
  unref(): void {
    const cp = this.#cp;
    cp.unref();
    // The stdio pipes are net.Sockets at run time; each holds the loop by itself.
    for (const stream of [cp.stdin, cp.stdout, cp.stderr, this.notify]) (stream as Partial<Socket> | null)?.unref?.();
    cp.channel?.unref();
  }
}

function ignore(): void {}

// A child that exits or closes its stdin while the host is still writing makes the pipe fail with
// EPIPE (or ECONNRESET): an 'error' on a stream the host may never have thought to watch, which
// kills the host when nobody listens. That only means the child wants no more input, and its
// exit is reported by the Handle: drop it. Any other error, unhandled by the caller, is rethrown
// as if nursery had not listened.
// The notification pipe gets the same treatment: a child that dies with it open is no error of the
// host's.
function dropPipeGone(stream: Writable | Readable | null): void {
  stream?.on('error', function onError(this: Writable | Readable, error: NodeJS.ErrnoException) {
    if (error.code === 'EPIPE' || error.code === 'ECONNRESET') return;
    if (this.listenerCount('error') > 1) return;
    throw error;
  });
}

// Node has no CLONE_INTO_CGROUP: the child is a shell that writes 0 to the cgroup's cgroup.procs,
// which moves the writer itself (the kernel reads PID 0 as "current"; echo is a builtin, so the
// writer is the shell), then execs the command in the same process. The command's first
// instruction, and so its first fork, runs in the cgroup. If the move fails, the command never
// runs: exit code 125.
const INTO_CGROUP = 'echo 0 >"$1" || exit 125; shift; exec "$@"';

function throughCgroup(req: SpawnRequest, procs: string): { command: string; args: string[] } {
  // The shell would report a missing command only as exit code 127: find it first, and throw
  // the same typed errors as a direct spawn (ENOENT, EACCES, ERR_NURSERY_BAD_CWD).
  const problem = findSpawnProblem(req);
  if (problem !== null) throw problem;
  return { command: '/bin/sh', args: ['-c', INTO_CGROUP, 'sh', procs, req.command, ...req.args] };
}

// The child's fd table, past stdin, stdout and stderr. The notification pipe sits at notifyFd, and
// the fds between 3 and it are 'ignore' (libuv leaves an ignored fd >= 3 closed in the child, so a
// gap costs nothing). Node tells the child where its IPC channel is by NODE_CHANNEL_FD, set to the
// index of 'ipc' in this array, so the channel may take any free index: 3, unless the notification
// pipe is there.
function stdioLayout(req: SpawnRequest): { stdio: StdioOptions; notifyAt: number | null } {
  const stdio: (SpawnRequest['stdio'][number] | 'ipc')[] = [...req.stdio];
  const notifyAt = req.notifyFd ?? null;
  if (notifyAt !== null) {
    while (stdio.length < notifyAt) stdio.push('ignore');
    stdio[notifyAt] = 'pipe';
  }
  if (req.ipc) {
    const free = notifyAt === 3 ? 4 : 3;
    while (stdio.length < free) stdio.push('ignore');
    stdio[free] = 'ipc';
  }
  return { stdio, notifyAt };
}

/**
 * Starts a child that leads its own session and process group (setsid, through libuv's
 * `detached`), so the whole tree can be signalled as one group.
 * @throws NurseryError (ENOENT, EACCES, ERR_NURSERY_BAD_CWD, ERR_NURSERY_SPAWN_FAILED)
 */
export function spawnChild(req: SpawnRequest): SpawnedChild {
  let cp: ChildProcess;
  const { command, args } = req.cgroupProcs === undefined ? req : throughCgroup(req, req.cgroupProcs);
  const { stdio, notifyAt } = stdioLayout(req);
  try {
    cp = spawn(command, args, {
      cwd: req.cwd,
      env: req.env,
      stdio,
      detached: true,
      windowsHide: true,
      ...(req.ipc ? { serialization: req.ipc.serialization } : {}),
    });
  } catch (error) {
    throw diagnoseSpawnFailure(req, error);
  }
  // Node reports a failed exec on the next tick as 'error'; with a listener here it can never
  // crash the host, and the error is thrown synchronously below instead.
  cp.on('error', ignore);
  const pid = cp.pid;
  const notify = notifyAt === null ? null : ((cp.stdio[notifyAt] ?? null) as Readable | null);
  if (pid === undefined) {
    cp.stdin?.destroy();
    cp.stdout?.destroy();
    cp.stderr?.destroy();
    notify?.destroy();
    if (cp.connected) cp.disconnect();
    throw diagnoseSpawnFailure(req, undefined);
  }
  dropPipeGone(cp.stdin);
  dropPipeGone(notify);
  return new Child(cp, pid, req.ipc !== undefined, notify);
}
