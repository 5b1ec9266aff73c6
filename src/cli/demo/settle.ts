// Waiting for a condition, never for a fixed time: what the demo counts must not depend on how
// fast the machine is. Each wait has a generous deadline; past it the demo fails loudly rather
// than report what it did not see.

/** Polls `cond` (without blocking the event loop) until it holds; false if `deadlineMs` passes first. */
export async function pollUntil(cond: () => boolean, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  let delay = 1;
  while (!cond()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 25);
  }
  return true;
}

/**
 * Polls `cond` with this thread's event loop blocked, so that no timer of this process (a
 * timeout the scenario is about) can fire before `cond` holds, however slow the machine.
 */
export function holdUntil(cond: () => boolean, deadlineMs: number, what: string): void {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`demo: gave up after ${deadlineMs} ms waiting for ${what}`);
    Atomics.wait(nap, 0, 0, 1);
  }
}

// A shell prints $! right after fork, before the background `setsid` has run: wait until the
// process really leads its own session, so the scenario is what it claims to be.
export async function untilSessionLeader(pid: number, readSession: (pid: number) => number | undefined): Promise<void> {
  if (!(await pollUntil(() => readSession(pid) === pid, 30_000)))
    throw new Error(`demo: process ${pid} did not call setsid() within 30 s`);
}
