// When libuv cannot start a child, Node hands the reason over only on the next tick. Spawning
// stays synchronous (so `await using c = nursery.spawn(...)` works), and the cause is found
// again here instead: this costs nothing on the successful path.
import { accessSync, closeSync, constants, openSync, statSync } from 'node:fs';
import { constants as os } from 'node:os';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { NurseryError } from '../errors.js';
import { softLimit } from '../os/proc.js';
import type { SpawnRequest } from './types.js';

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function findCommand(command: string, cwd: string, pathVar: string | undefined): string | null {
  if (command.includes('/')) return isAbsolute(command) ? command : resolve(cwd, command);
  for (const dir of (pathVar ?? '').split(delimiter)) {
    const candidate = join(dir === '' ? cwd : resolve(cwd, dir), command);
    try {
      statSync(candidate);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return null;
}

type Target = Pick<SpawnRequest, 'command' | 'cwd' | 'env'>;

export function diagnoseSpawnFailure(req: Target, thrown: unknown): NurseryError {
  const problem = findSpawnProblem(req, thrown);
  if (problem !== null) return problem;
  if (thrown === undefined) return limitHit(req);
  const hint =
    errnoOf(thrown) === 'E2BIG' ? ' (the arguments and environment together are larger than the kernel accepts)' : '';
  return new NurseryError(
    'ERR_NURSERY_SPAWN_FAILED',
    `spawn ${req.command} failed${thrown ? `: ${(thrown as Error).message}` : ''}${hint}`,
    {
      syscall: 'spawn',
      path: findCommand(req.command, req.cwd ?? process.cwd(), req.env.PATH) ?? req.command,
      cause: thrown,
    },
  );
}

const limitText = (n: number | null): string => (n === null ? '' : `, now ${n === Infinity ? 'unlimited' : n}`);

// Node defers EMFILE, ENFILE, EAGAIN, ENOENT and EACCES to a later 'error' event and gives no pid.
// With the command found and executable, it was a limit: open files if one more descriptor cannot
// be opened now (the OS error is the cause), else the fork itself (EAGAIN: processes).
function limitHit(req: Target): NurseryError {
  const base = {
    syscall: 'spawn',
    path: findCommand(req.command, req.cwd ?? process.cwd(), req.env.PATH) ?? req.command,
  };
  try {
    closeSync(openSync('/dev/null', 'r'));
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'EMFILE' || code === 'ENFILE') {
      const which =
        code === 'EMFILE'
          ? `this process's limit of open files was hit (ulimit -n${limitText(softLimit('Max open files'))})`
          : "the system's limit of open files was hit (fs.file-max)";
      return new NurseryError('ERR_NURSERY_SPAWN_FAILED', `spawn ${req.command} failed: ${code}: ${which}`, {
        ...base,
        errno: -(os.errno[code] ?? 0),
        cause: error,
      });
    }
  }
  const errno = -(os.errno.EAGAIN ?? 11);
  const cause = Object.assign(new Error(`spawn ${req.command} EAGAIN`), { code: 'EAGAIN', errno, syscall: 'spawn' });
  const limit = limitText(softLimit('Max processes'));
  return new NurseryError(
    'ERR_NURSERY_SPAWN_FAILED',
    `spawn ${req.command} failed: EAGAIN: the limit of processes was hit (this user's: ulimit -u${limit}; ` +
      "or the system's: kernel.threads-max, kernel.pid_max, a cgroup's pids.max)",
    { ...base, errno, cause },
  );
}

/**
 * What would make exec fail: a bad cwd, a command not found or not executable; null when none
 * is found. The PTY backend asks before it forks, since node-pty's child reports a failed exec
 * only as exit code 1.
 */
export function findSpawnProblem(req: Target, thrown?: unknown): NurseryError | null {
  const cwd = req.cwd ?? process.cwd();
  if (req.cwd !== undefined) {
    try {
      if (!statSync(req.cwd).isDirectory()) {
        return new NurseryError('ERR_NURSERY_BAD_CWD', `cwd ${JSON.stringify(req.cwd)} is not a directory`, {
          path: req.cwd,
          cause: thrown,
        });
      }
    } catch (error) {
      return new NurseryError(
        'ERR_NURSERY_BAD_CWD',
        `cwd ${JSON.stringify(req.cwd)} does not exist (${errnoOf(error)})`,
        {
          path: req.cwd,
          cause: error,
        },
      );
    }
  }
  const found = findCommand(req.command, cwd, req.env.PATH);
  if (found === null) {
    return new NurseryError('ENOENT', `spawn ${req.command} ENOENT: command not found`, {
      syscall: 'spawn',
      path: req.command,
      errno: -2,
      cause: thrown,
    });
  }
  try {
    if (statSync(found).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EACCES' });
    accessSync(found, constants.X_OK);
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT') {
      return new NurseryError('ENOENT', `spawn ${req.command} ENOENT: no such file`, {
        syscall: 'spawn',
        path: found,
        errno: -2,
        cause: error,
      });
    }
    return new NurseryError('EACCES', `spawn ${req.command} EACCES: not executable`, {
      syscall: 'spawn',
      path: found,
      errno: -13,
      cause: error,
    });
  }
  return null;
}
