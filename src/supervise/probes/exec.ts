// A command that exits 0: the most general probe (pg_isready, redis-cli ping, curl -f, a script).
// It runs through ctx.exec, that is under the service's nursery, so a probe command that hangs or
// forks is stopped with its whole tree when the signal aborts, like any child of nursery's: a
// health check can never leave a process behind.
import type { ProbeContext } from '../types.js';
import { ProbeAbortError, describe, retry } from './wait.js';

export type ExecCommand = readonly [string, ...string[]];

function label(command: ExecCommand): string {
  return `exec ${command.map((part) => (/^[\w@%+=:,./-]+$/.test(part) ? part : JSON.stringify(part))).join(' ')}`;
}

/**
 * One run: resolves when the command exits 0; rejects with its exit code or signal, with the
 * spawn's error (ENOENT...), or with a ProbeAbortError once `signal` aborts (ctx.exec stops the
 * command's tree then).
 */
export async function execAttempt(
  command: ExecCommand,
  ctx: ProbeContext,
  signal: AbortSignal,
  what = label(command),
): Promise<void> {
  if (signal.aborted) throw new ProbeAbortError(what, signal);
  const [file, ...args] = command;
  let code: number | null;
  try {
    code = await ctx.exec(file, args, signal);
  } catch (error) {
    if (signal.aborted) throw new ProbeAbortError(what, signal);
    throw new Error(`${what}: ${describe(error)}`, { cause: error });
  }
  if (signal.aborted) throw new ProbeAbortError(what, signal);
  if (code === 0) return;
  throw new Error(`${what}: ${code === null ? 'ended by a signal' : `exit code ${code}`}`);
}

/**
 * Runs the command until it exits 0 (see retry() for the pace); rejects when ctx.signal aborts. A
 * command that cannot start (ENOENT) is retried like one that fails: it may be installed, or
 * become executable, while the service starts; the readiness timeout bounds the wait.
 */
export function execReady(command: ExecCommand, ctx: ProbeContext): Promise<void> {
  return retry(`ready probe ${label(command)} of ${ctx.service}`, ctx.signal, () =>
    execAttempt(command, ctx, ctx.signal),
  );
}

/** One health check: the command exits 0 within the time the Service gives it (ctx.signal). */
export function execCheck(command: ExecCommand, ctx: ProbeContext): Promise<void> {
  return execAttempt(command, ctx, ctx.signal, `health check ${label(command)} of ${ctx.service}`);
}
