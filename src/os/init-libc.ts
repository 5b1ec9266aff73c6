// The libc calls only `nursery init` may make (the lint config lets only src/init/ import this
// file). The init is the one process where nursery is the only spawner: no libuv child, no addon,
// so it may wait for any child, and it starts its command with posix_spawn, which can do what
// child_process cannot: a new process group without a new session, the terminal handed to that
// group, and signal dispositions chosen one by one (docs/init.md).
import { endianness } from 'node:os';
import { loadLibc } from './libc.js';

const WNOHANG = 1;
const WUNTRACED = 2;
const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const SIG_IGN = 1;
const PR_SET_PDEATHSIG = 1;
// glibc's posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80, sigset_t 128, on
// every 64-bit ABI; the buffers leave room to spare.
const ATTR_BYTES = 1024;
const ACTIONS_BYTES = 256;
const SIGSET_BYTES = 256;

export interface SpawnRequest {
  file: string;
  argv: string[];
  /** `KEY=value` strings. */
  env: string[];
  /** Put the child in a process group of its own (setpgid(0, 0)). */
  ownGroup: boolean;
  /** Make the child's group the foreground group of this terminal fd, or null. */
  terminalFd: number | null;
  /** Signals set back to their default action in the child. */
  defaultSignals: number[];
}

export interface InitLibc {
  /** The new PID, or -errno (ENOENT: no such command; EACCES/ENOEXEC: cannot be run). */
  spawn(req: SpawnRequest): number;
  /** waitpid(-1, WNOHANG | WUNTRACED): pid 0 when nothing changed, -errno on error. */
  waitAny(): { pid: number; status: number };
  /** signal(sig, SIG_IGN): 0 or -errno. */
  ignore(signal: number): number;
  /** getpgrp(): this process's group. */
  ownGroup(): number;
  /** tcgetpgrp(fd), or -errno (-ENOTTY when fd is not a terminal). */
  foreground(fd: number): number;
  /** tcsetpgrp(fd, pgrp): 0 or -errno. */
  setForeground(fd: number, pgrp: number): number;
  /** kill(pid, sig): 0 or -errno (pid -1: every process we may signal but ourselves). */
  kill(pid: number, signal: number): number;
  /** prctl(PR_SET_PDEATHSIG, signal): 0 or -errno. */
  parentDeathSignal(signal: number): number;
  /** Whether posix_spawn can hand the terminal over (glibc >= 2.35). */
  readonly canHandTerminal: boolean;
}

let cached: InitLibc | null = null;

// sigset_t on Linux: an array of unsigned longs, signal n at bit n - 1.
function setBit(set: Buffer, signal: number): void {
  const offset = ((signal - 1) >> 6) * 8;
  const bit = 1n << BigInt((signal - 1) & 63);
  if (endianness() === 'LE') set.writeBigUInt64LE(set.readBigUInt64LE(offset) | bit, offset);
  else set.writeBigUInt64BE(set.readBigUInt64BE(offset) | bit, offset);
}

/** The bindings; throws (with koffi's reason) where libc cannot be loaded. */
export function initLibc(): InitLibc {
  if (cached) return cached;
  const { koffi, lib } = loadLibc();
  const spawnp = lib.func(
    'int posix_spawnp(_Out_ int *pid, const char *file, void *fa, void *attr, const char **argv, const char **envp)',
  );
  const attrInit = lib.func('int posix_spawnattr_init(void *attr)');
  const attrDestroy = lib.func('int posix_spawnattr_destroy(void *attr)');
  const setFlags = lib.func('int posix_spawnattr_setflags(void *attr, short flags)');
  const setPgroup = lib.func('int posix_spawnattr_setpgroup(void *attr, int pgroup)');
  const setSigDefault = lib.func('int posix_spawnattr_setsigdefault(void *attr, void *set)');
  const setSigMask = lib.func('int posix_spawnattr_setsigmask(void *attr, void *set)');
  const actionsInit = lib.func('int posix_spawn_file_actions_init(void *fa)');
  const actionsDestroy = lib.func('int posix_spawn_file_actions_destroy(void *fa)');
  const addDup2 = lib.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)');
  let addTcsetpgrp: ((fa: Buffer, fd: number) => number) | null = null;
  try {
    const fn = lib.func('int posix_spawn_file_actions_addtcsetpgrp_np(void *fa, int fd)');
    addTcsetpgrp = (fa, fd) => fn(fa, fd) as number;
  } catch {
    // musl, or glibc before 2.35: the terminal stays with the init's group
  }
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  // SIG_IGN is the pointer value 1; a pointer and an intptr_t travel in the same register.
  const signalFn = lib.func('intptr_t signal(int sig, intptr_t handler)');
  const tcgetpgrp = lib.func('int tcgetpgrp(int fd)');
  const getpgrp = lib.func('int getpgrp()');
  const tcsetpgrp = lib.func('int tcsetpgrp(int fd, int pgrp)');
  const killFn = lib.func('int kill(int pid, int sig)');
  const prctl = lib.func(
    'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
  );
  const errno = (): number => koffi.errno();
  const status = [0];

  cached = {
    canHandTerminal: addTcsetpgrp !== null,
    spawn(req) {
      const attr = Buffer.alloc(ATTR_BYTES);
      const actions = Buffer.alloc(ACTIONS_BYTES);
      const defaults = Buffer.alloc(SIGSET_BYTES);
      const empty = Buffer.alloc(SIGSET_BYTES);
      attrInit(attr);
      actionsInit(actions);
      try {
        // Set bit by bit: sigaddset refuses the two signals glibc keeps for its threads, and
        // posix_spawn would then leave them ignored in the child, where no other parent would.
        for (const s of req.defaultSignals) setBit(defaults, s);
        let flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK;
        if (req.ownGroup) {
          flags |= POSIX_SPAWN_SETPGROUP;
          setPgroup(attr, 0);
        }
        setFlags(attr, flags);
        setSigDefault(attr, defaults);
        setSigMask(attr, empty);
        // Node marks fds 0-2 close-on-exec; dup2 of an fd onto itself clears the flag.
        for (const fd of [0, 1, 2]) addDup2(actions, fd, fd);
        if (req.terminalFd !== null && addTcsetpgrp) addTcsetpgrp(actions, req.terminalFd);
        const out = [0];
        const r = spawnp(out, req.file, actions, attr, [...req.argv, null], [...req.env, null]) as number;
        return r === 0 ? (out[0] ?? 0) : -r;
      } finally {
        actionsDestroy(actions);
        attrDestroy(attr);
      }
    },
    waitAny() {
      const pid = waitpid(-1, status, WNOHANG | WUNTRACED) as number;
      return pid < 0 ? { pid: -errno(), status: 0 } : { pid, status: status[0] ?? 0 };
    },
    ignore: (signal) => (Number(signalFn(signal, SIG_IGN)) === -1 ? -errno() : 0),
    ownGroup: () => getpgrp() as number,
    foreground(fd) {
      const r = tcgetpgrp(fd) as number;
      return r < 0 ? -errno() : r;
    },
    setForeground: (fd, pgrp) => ((tcsetpgrp(fd, pgrp) as number) < 0 ? -errno() : 0),
    parentDeathSignal: (signal) => ((prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0) as number) < 0 ? -errno() : 0),
    kill: (pid, signal) => ((killFn(pid, signal) as number) < 0 ? -errno() : 0),
  };
  return cached;
}
