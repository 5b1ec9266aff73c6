// Whether an incarnation's end was a failure, and whether it is followed by a restart: systemd's
// Restart=, SuccessExitStatus= and RestartPreventExitStatus=, in one place.
import type { ResolvedService } from '../options/service.js';
import type { ServiceExit } from './types.js';

/** A failed start or health check, a spawn error, a signal death, or an exit code not in successCodes. */
export function endedInFailure(exit: ServiceExit, successCodes: ReadonlySet<number>): boolean {
  switch (exit.reason) {
    case 'stop':
    case 'restart':
      return false;
    case 'ready-timeout':
    case 'health':
    case 'spawn-failed':
      return true;
    case 'exit':
      return exit.code === null || !successCodes.has(exit.code);
  }
}

/** Whether the service comes back after this exit (a stop or a restart() is decided elsewhere). */
export function shouldRestart(exit: ServiceExit, spec: Pick<ResolvedService, 'restart' | 'preventCodes'>): boolean {
  if (exit.code !== null && spec.preventCodes.has(exit.code)) return false;
  const policy = spec.restart;
  if (typeof policy === 'function') return policy(exit) === true;
  if (policy === 'always') return true;
  if (policy === 'never') return false;
  return exit.failed;
}
