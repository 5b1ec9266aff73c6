// Starting the command. posix_spawn (src/os/init-libc.ts) gives the child a process group of its
// own without a new session, hands it the terminal when the init holds one, empties its signal
// mask and sets every signal back to its default action, except those the init itself inherited
// as ignored: those stay ignored, for the init and for the child, as a shell's `trap '' SIG` means.
import { constants } from 'node:os';
import type { InitLibc } from '../os/init-libc.js';

/** Set by bin/nursery, which reads its own SigIgn before Node resets every disposition. */
export const SIGIGN_ENV = 'NURSERY_INIT_SIGIGN';
const SIGKILL = 9;
const SIGSTOP = 19;
const SIGCHLD = 17;
const LAST_SIGNAL = 64;

/** The signals the init inherited as ignored, from the mask bin/nursery recorded (none without it), but SIGCHLD. */
export function inheritedIgnored(env: NodeJS.ProcessEnv): Set<number> {
  const text = env[SIGIGN_ENV];
  const out = new Set<number>();
  if (text === undefined || !/^[0-9a-fA-F]{1,16}$/.test(text)) return out;
  const mask = BigInt(`0x${text}`);
  for (let n = 1; n <= LAST_SIGNAL; n++) if ((mask >> BigInt(n - 1)) & 1n) out.add(n);
  out.delete(SIGKILL);
  out.delete(SIGSTOP);
  // Never SIGCHLD: ignored, the kernel would reap the command itself and its exit code would be
  // lost. So the command starts with SIGCHLD at its default too (tini and catatonit, which keep
  // it ignored, never learn that their command exited).
  out.delete(SIGCHLD);
  return out;
}

export interface Launched {
  pid: number;
  /** The terminal was handed to the child's group. */
  terminal: boolean;
}

export type LaunchFailure = { errno: number; name: string; exitCode: 126 | 127 | 1 };

const NOT_FOUND = new Set(['ENOENT', 'ENOTDIR']);
const CANNOT_RUN = new Set(['EACCES', 'ENOEXEC', 'EPERM', 'EISDIR', 'ELOOP', 'ETXTBSY', 'ENAMETOOLONG']);

function errnoName(errno: number): string {
  for (const [name, n] of Object.entries(constants.errno)) if (n === errno) return name;
  return `errno ${errno}`;
}

/** stdin is a terminal whose foreground group is the init's own: only then is it handed on. */
function holdsTerminal(c: InitLibc): boolean {
  return c.canHandTerminal && c.foreground(0) === c.ownGroup();
}

export function launch(
  c: InitLibc,
  command: string,
  args: string[],
  ignored: ReadonlySet<number>,
): Launched | LaunchFailure {
  for (const s of ignored) c.ignore(s);
  const env: string[] = [];
  for (const [k, v] of Object.entries(process.env)) if (k !== SIGIGN_ENV && v !== undefined) env.push(`${k}=${v}`);
  const defaults: number[] = [];
  for (let n = 1; n <= LAST_SIGNAL; n++) if (n !== SIGKILL && n !== SIGSTOP && !ignored.has(n)) defaults.push(n);
  const terminal = holdsTerminal(c);
  const pid = c.spawn({
    file: command,
    argv: [command, ...args],
    env,
    ownGroup: true,
    terminalFd: terminal ? 0 : null,
    defaultSignals: defaults,
  });
  if (pid > 0) return { pid, terminal };
  const name = errnoName(-pid);
  return { errno: -pid, name, exitCode: NOT_FOUND.has(name) ? 127 : CANNOT_RUN.has(name) ? 126 : 1 };
}
