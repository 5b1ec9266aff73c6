// The one spawn site (docs/design.md, invariant 1). Only this folder imports node:child_process; the
// ChildProcess never leaves it. libuv owns the child's waitpid, and nursery learns of the exit
// from libuv's 'exit' event, so no exit code can be stolen or lost.
/* eslint-disable nursery/no-raw-child-process -- the spawn module is the one allowed place */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { diagnoseSpawnFailure, findSpawnProblem } from './diagnose.js';
import { Channel } from './ipc-channel.js';
import type { ExitStatus, IpcChannel, SpawnRequest, SpawnedChild } from './types.js';

class Child implements SpawnedChild {
  readonly pid: number;
  readonly exit: Promise<ExitStatus>;
  readonly ipc: IpcChannel | null;
  #cp: ChildProcess;
  #reaped = false;

  constructor(cp: ChildProcess, pid: number, ipc: boolean) {
    this.#cp = cp;
    this.pid = pid;
    this.ipc = ipc ? new Channel(cp) : null;
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
    for (const stream of [cp.stdin, cp.stdout, cp.stderr]) (stream as Partial<Socket> | null)?.unref?.();
    cp.channel?.unref();
  }
}

function ignore(): void {}

// A child that exits or closes its stdin while the host is still writing makes the pipe fail with
// EPIPE (or ECONNRESET): an 'error' on a stream the host may never have thought to watch, which
// kills the host when nobody listens. That only means the child wants no more input, and its
// exit is reported by the Handle: drop it. Any other error, unhandled by the caller, is rethrown
// as if nursery had not listened.
function dropPipeGone(stream: Writable | null): void {
  stream?.on('error', function onError(this: Writable, error: NodeJS.ErrnoException) {
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

/**
 * Starts a child that leads its own session and process group (setsid, through libuv's
 * `detached`), so the whole tree can be signalled as one group.
 * @throws NurseryError (ENOENT, EACCES, ERR_NURSERY_BAD_CWD, ERR_NURSERY_SPAWN_FAILED)
 */
export function spawnChild(req: SpawnRequest): SpawnedChild {
  let cp: ChildProcess;
  const { command, args } = req.cgroupProcs === undefined ? req : throughCgroup(req, req.cgroupProcs);
  try {
    cp = spawn(command, args, {
      cwd: req.cwd,
      env: req.env,
      stdio: req.ipc ? [...req.stdio, 'ipc'] : [...req.stdio],
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
  if (pid === undefined) {
    cp.stdin?.destroy();
    cp.stdout?.destroy();
    cp.stderr?.destroy();
    if (cp.connected) cp.disconnect();
    throw diagnoseSpawnFailure(req, undefined);
  }
  dropPipeGone(cp.stdin);
  return new Child(cp, pid, req.ipc !== undefined);
}
