// cleanupOnExit: one process 'exit' listener for every Nursery in this thread (not one each, so
// many Nurseries never trip MaxListenersExceededWarning). It is not a signal handler: it runs when
// the host returns or calls process.exit(), and SIGKILLs the trees of the children still alive,
// synchronously, since nothing asynchronous runs at 'exit'.

export interface ExitCleanup {
  /** SIGKILL every live tree, now. */
  killAllNow(): void;
}

const armed = new Set<ExitCleanup>();

function onExit(): void {
  for (const c of armed) c.killAllNow();
}

export function armExitCleanup(c: ExitCleanup): void {
  if (armed.size === 0) process.on('exit', onExit);
  armed.add(c);
}

export function disarmExitCleanup(c: ExitCleanup): void {
  if (!armed.delete(c)) return;
  if (armed.size === 0) process.removeListener('exit', onExit);
}
