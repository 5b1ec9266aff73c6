// The only file that sees koffi. It binds the few libc calls Node does not offer and hands the
// rest of nursery plain functions with the kernel's convention: a negative result is -errno.
// koffi is loaded lazily and only on Linux, so importing nursery never fails for want of it.
import { createRequire } from 'node:module';
import { readdirSync } from 'node:fs';
import { warnOnce } from './warn.js';

export const WNOHANG = 1;
// errno values (Linux, every architecture nursery runs on).
export const ESRCH = 3;
export const ECHILD = 10;
const WEXITED = 4;
const WNOWAIT = 0x01000000;
const P_PID = 1;
export const PR_SET_CHILD_SUBREAPER = 36;
export const PR_GET_CHILD_SUBREAPER = 37;
// Since Linux 5.1 new syscalls share one number on every architecture.
const SYS_PIDFD_SEND_SIGNAL = 424;
const SYS_PIDFD_OPEN = 434;

export interface WaitResult {
  /** The reaped PID, 0 when the child has not changed state, or -errno. */
  pid: number;
  /** The raw wait status when pid > 0. */
  status: number;
}

export interface Native {
  /** waitpid(pid, &status, WNOHANG) for one specific PID. There is deliberately no wait-any. */
  waitpidNoHang(pid: number): WaitResult;
  setChildSubreaper(on: boolean): number;
  getChildSubreaper(): boolean | number;
  /** A pidfd for pid (close it with fs.closeSync), or -errno. */
  pidfdOpen(pid: number): number;
  /** 0, or -errno (ESRCH once the process has exited). */
  pidfdSendSignal(pidfd: number, signal: number): number;
  /**
   * waitid(P_PID, pid, WEXITED | WNOHANG | WNOWAIT): 1 when our child pid has exited (a zombie),
   * 0 while it runs, -errno otherwise. WNOWAIT leaves the zombie in place for its real waiter,
   * so this is a look, never a reap; it costs a syscall where a /proc read costs a file.
   */
  hasExited(pid: number): number;
  /** kill(2) returning -errno instead of throwing: for probes (signal 0) on hot paths. */
  kill(pid: number, signal: number): number;
}

let cached: Native | null | undefined;

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

function bind(): Native {
  const require = createRequire(import.meta.url);
  const koffi = require('koffi') as typeof import('koffi');
  const libc = openLibc(koffi);
  const waitpid = libc.func('int waitpid(int pid, _Out_ int *status, int options)');
  const prctl = libc.func(
    'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
  );
  const prctlGet = libc.func('prctl', 'int', ['int', '_Out_ int *', 'unsigned long', 'unsigned long', 'unsigned long']);
  // syscall() is variadic in C; glibc's implementation only moves registers, so a fixed
  // prototype per use is safe and avoids koffi's slower variadic path.
  const sysPidfdOpen = libc.func('syscall', 'long', ['long', 'int', 'unsigned int']);
  const sysPidfdSend = libc.func('syscall', 'long', ['long', 'int', 'int', 'void *', 'unsigned int']);
  const killFn = libc.func('int kill(int pid, int sig)');
  const waitidFn = libc.func('int waitid(int idtype, int id, void *infop, int options)');
  // siginfo_t is 128 bytes on Linux. Its first field, si_signo, is SIGCHLD when a child was
  // waitable and stays 0 (as zeroed) when none was: same offset on every ABI.
  const info = Buffer.alloc(128);
  const errno = (): number => koffi.errno();

  return {
    waitpidNoHang(pid) {
      if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`waitpid needs a positive PID, got ${pid}`);
      const status = [0];
      const r = waitpid(pid, status, WNOHANG) as number;
      return r < 0 ? { pid: -errno(), status: 0 } : { pid: r, status: status[0] ?? 0 };
    },
    setChildSubreaper(on) {
      const r = prctl(PR_SET_CHILD_SUBREAPER, on ? 1 : 0, 0, 0, 0) as number;
      return r < 0 ? -errno() : 0;
    },
    getChildSubreaper() {
      const out = [0];
      const r = prctlGet(PR_GET_CHILD_SUBREAPER, out, 0, 0, 0) as number;
      return r < 0 ? -errno() : out[0] !== 0;
    },
    pidfdOpen(pid) {
      const r = Number(sysPidfdOpen(SYS_PIDFD_OPEN, pid, 0));
      return r < 0 ? -errno() : r;
    },
    hasExited(pid) {
      if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`waitid needs a positive PID, got ${pid}`);
      info.fill(0);
      const r = waitidFn(P_PID, pid, info, WEXITED | WNOHANG | WNOWAIT) as number;
      if (r < 0) return -errno();
      return info.readInt32LE(0) === 0 ? 0 : 1;
    },
    kill(pid, signal) {
      const r = killFn(pid, signal) as number;
      return r < 0 ? -errno() : 0;
    },
    pidfdSendSignal(pidfd, signal) {
      const r = Number(sysPidfdSend(SYS_PIDFD_SEND_SIGNAL, pidfd, signal, null, 0));
      return r < 0 ? -errno() : 0;
    },
  };
}

/** libc bindings, or null (with one warning) where they cannot work. */
export function native(): Native | null {
  if (cached !== undefined) return cached;
  if (process.platform !== 'linux') {
    cached = null;
    return cached;
  }
  try {
    // NURSERY_NO_FFI=1 runs nursery as it would run where koffi cannot load: for tests, and for
    // anyone who wants to rule the FFI out while chasing a problem.
    if (process.env.NURSERY_NO_FFI === '1') throw new Error('disabled by NURSERY_NO_FFI=1');
    cached = bind();
  } catch (error) {
    cached = null;
    warnOnce(
      'NURSERY_NO_FFI',
      `nursery: koffi could not load libc (${(error as Error).message}); pidfd identity checks fall back to start times, and the reaper and subreaper are off.`,
    );
  }
  return cached;
}
