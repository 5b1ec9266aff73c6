// With src/os/init-libc.ts, the only files that see koffi (only src/os/ may import it; the lint
// config says so). It binds the few libc calls Node does not offer and hands src/os/ plain functions with the kernel's
// convention: a negative result is -errno. koffi is loaded lazily and only on Linux, so importing
// nursery never fails for want of it; a load that failed is tried again on the next call, since
// the cause (a burst of open files, say) may have passed.
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { warnOnce } from '../warnings.js';

const WNOHANG = 1;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const P_PID = 1;
const POLLIN = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
// Since Linux 5.1 new syscalls share one number on every architecture.
const SYS_PIDFD_SEND_SIGNAL = 424;
const SYS_PIDFD_OPEN = 434;
const RETRY_AFTER_MS = 1000;

export interface WaitResult {
  /** The reaped PID, 0 when the child has not changed state, or -errno. */
  pid: number;
  /** The raw wait status when pid > 0. */
  status: number;
}

export interface Libc {
  /** waitpid(pid, &status, WNOHANG) for one positive PID. There is deliberately no wait-any. */
  waitpidNoHang(pid: number): WaitResult;
  /** waitid(P_PID, pid, WEXITED | WNOHANG | WNOWAIT): 1 when our child has exited, 0 while it runs, or -errno. */
  hasExited(pid: number): number;
  setChildSubreaper(on: boolean): number;
  getChildSubreaper(): boolean | number;
  pidfdOpen(pid: number): number;
  pidfdSendSignal(pidfd: number, signal: number): number;
  kill(pid: number, signal: number): number;
  /** poll(fd, POLLIN, 0): 1 when readable (for a pidfd: the process has exited), 0 if not, or -errno. */
  readable(fd: number): number;
}

let cached: Libc | null = null;
let failedAt = -Infinity;

function openLibc(koffi: typeof import('koffi')): ReturnType<typeof koffi.load> {
  const names = ['libc.so.6'];
  try {
    // musl keeps libc in its dynamic loader (/lib/ld-musl-<arch>.so.1).
    for (const f of readdirSync('/lib')) if (/^ld-musl-.*\.so\.1$/.test(f)) names.push(`/lib/${f}`);
  } catch {
    // no /lib: only the glibc name is tried
  }
  let last: unknown;
  for (const name of names) {
    try {
      return koffi.load(name);
    } catch (error) {
      last = error;
    }
  }
  throw last;
}

function positive(pid: number, call: string): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`${call} needs a positive PID, got ${pid}`);
}

export interface LoadedLibc {
  koffi: typeof import('koffi');
  lib: ReturnType<(typeof import('koffi'))['load']>;
}

let loaded: LoadedLibc | null = null;

/** koffi and libc, loaded once (throws where they cannot load). For src/os/ only. */
export function loadLibc(): LoadedLibc {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof import('koffi');
  loaded = { koffi, lib: openLibc(koffi) };
  return loaded;
}

function bind(): Libc {
  const { koffi, lib } = loadLibc();
  const waitpid = lib.func('int waitpid(int pid, _Out_ int *status, int options)');
  const prctl = lib.func(
    'int prctl(int option, unsigned long a2, unsigned long a3, unsigned long a4, unsigned long a5)',
  );
  const prctlGet = lib.func('prctl', 'int', ['int', '_Out_ int *', 'unsigned long', 'unsigned long', 'unsigned long']);
  // syscall() is variadic in C; glibc's implementation only moves registers, so a fixed
  // prototype per use is safe and avoids koffi's slower variadic path.
  const sysPidfdOpen = lib.func('syscall', 'long', ['long', 'int', 'unsigned int']);
  const sysPidfdSend = lib.func('syscall', 'long', ['long', 'int', 'int', 'void *', 'unsigned int']);
  const killFn = lib.func('int kill(int pid, int sig)');
  const waitidFn = lib.func('int waitid(int idtype, int id, void *infop, int options)');
  const pollFn = lib.func('int poll(void *fds, unsigned long nfds, int timeout)');
  // struct pollfd { int fd; short events; short revents; }: 8 bytes on every ABI.
  const pollfd = Buffer.alloc(8);
  // siginfo_t is 128 bytes on Linux. Its first field, si_signo, is SIGCHLD when a child was
  // waitable and stays 0 (as zeroed) when none was: same offset on every ABI.
  const info = Buffer.alloc(128);
  const errno = (): number => koffi.errno();
  const result = (r: number): number => (r < 0 ? -errno() : r);

  return {
    waitpidNoHang(pid) {
      positive(pid, 'waitpid');
      const status = [0];
      const r = waitpid(pid, status, WNOHANG) as number;
      return r < 0 ? { pid: -errno(), status: 0 } : { pid: r, status: status[0] ?? 0 };
    },
    hasExited(pid) {
      positive(pid, 'waitid');
      info.fill(0);
      const r = waitidFn(P_PID, pid, info, WEXITED | WNOHANG | WNOWAIT) as number;
      if (r < 0) return -errno();
      return info.readInt32LE(0) === 0 ? 0 : 1;
    },
    setChildSubreaper: (on) => Math.min(0, result(prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) as number)),
    getChildSubreaper() {
      const out = [0];
      const r = prctlGet(PR_GET_CHILD_SUBREAPER, out, 0, 0, 0) as number;
      return r < 0 ? -errno() : out[0] !== 0;
    },
    pidfdOpen: (pid) => result(Number(sysPidfdOpen(SYS_PIDFD_OPEN, pid, 0))),
    pidfdSendSignal: (pidfd, signal) => result(Number(sysPidfdSend(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, null, 0))),
    kill: (pid, signal) => result(killFn(pid, signal) as number),
    readable(fd) {
      pollfd.writeInt32LE(fd, 0);
      pollfd.writeInt16LE(POLLIN, 4);
      pollfd.writeInt16LE(0, 6);
      const r = pollFn(pollfd, 1, 0) as number;
      if (r < 0) return -errno();
      return (pollfd.readInt16LE(6) & POLLIN) !== 0 ? 1 : 0;
    },
  };
}

/** libc bindings, or null (with one warning) where they cannot work now. */
export function libc(): Libc | null {
  if (cached !== null) return cached;
  if (process.platform !== 'linux') return null;
  // NURSERY_NO_FFI=1 runs nursery as it would run where koffi cannot load: for tests, and for
  // anyone who wants to rule the FFI out while chasing a problem.
  if (process.env.NURSERY_NO_FFI === '1') {
    warnOnce('NURSERY_NO_FFI', `nursery: koffi could not load libc (disabled by NURSERY_NO_FFI=1); ${LOST}`);
    return null;
  }
  if (performance.now() - failedAt < RETRY_AFTER_MS) return null;
  try {
    cached = bind();
  } catch (error) {
    failedAt = performance.now();
    warnOnce('NURSERY_NO_FFI', `nursery: koffi could not load libc (${(error as Error).message}); ${LOST}`);
  }
  return cached;
}

const LOST = 'pidfd identity checks fall back to start times, and the reaper and subreaper are off.';
