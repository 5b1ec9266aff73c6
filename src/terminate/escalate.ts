// The one escalation loop (docs/design.md, invariant 4): the first signal to every member, then
// polling until all are gone, SIGKILL to whatever is left when the grace period ends, and a
// bounded wait for the SIGKILLed to vanish. The grace period is a ceiling, never a wait: the loop
// returns the moment everything is gone. Every stop in nursery (a Handle's tree, an orphan's)
// goes through here; what differs is only who the members are.
import { performance } from 'node:perf_hooks';
import { SIGKILL } from '../os/signals.js';

/** A set of processes to stop. */
export interface Escalatable {
  /** Looks (again) for members: before the first signal and before SIGKILL. */
  collect(): void;
  /** Sends `signal` to every live member; returns how many it was aimed at. */
  signalAll(signal: number): number;
  /** True when every member is gone; may signal members found late with `currentSignal`. */
  gone(currentSignal: number): boolean;
  aliveCount(): number;
  /** Settles when waiting may end early (the leader reaped), or null. */
  wake(): Promise<unknown> | null;
  /** True while the last look for members failed (/proc unreadable): members may be unseen. */
  blind?(): boolean;
}

export interface EscalateOptions {
  signal: number;
  graceMs: number;
  /** How long to wait for SIGKILLed processes to vanish before reporting them as survivors. */
  killWaitMs?: number;
}

export interface StopReport {
  /** Processes alive when the first signal was sent. */
  signalled: number;
  /** Processes still alive when the grace period ended, and so sent SIGKILL. */
  killedAfterGrace: number;
  /** Processes still alive when the loop gave up waiting after SIGKILL (D state, or not ours to kill). */
  survivors: number;
  /**
   * True when the loop could not make sure that the whole tree is gone: /proc could not be read
   * (the host out of file descriptors or memory), so members it never saw may still run.
   */
  unverified: boolean;
  durationMs: number;
}

const MAX_POLL_MS = 20;
const KILL_WAIT_MS = 2000;

// Sleeps up to `ms`, waking early when `wake` settles.
function pause(ms: number, wake: Promise<unknown> | null): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    wake?.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      () => undefined,
    );
  });
}

export async function escalate(target: Escalatable, options: EscalateOptions): Promise<StopReport> {
  const start = performance.now();
  const report: StopReport = { signalled: 0, killedAfterGrace: 0, survivors: 0, unverified: false, durationMs: 0 };
  target.collect();
  let signal = options.signal;
  report.signalled = target.signalAll(signal);
  let killAt = signal === SIGKILL ? start : -1;
  let delay = 1;
  for (;;) {
    if (target.gone(signal)) break;
    const now = performance.now();
    if (killAt < 0 && now - start >= options.graceMs) {
      target.collect();
      signal = SIGKILL;
      report.killedAfterGrace = target.signalAll(SIGKILL);
      killAt = now;
    } else if (killAt >= 0 && now - killAt >= (options.killWaitMs ?? KILL_WAIT_MS)) {
      report.survivors = target.aliveCount();
      break;
    }
    const untilGrace = killAt < 0 ? Math.max(0, options.graceMs - (now - start)) : MAX_POLL_MS;
    await pause(Math.min(delay, untilGrace, MAX_POLL_MS), target.wake());
    delay = Math.min(delay * 2, MAX_POLL_MS);
  }
  report.unverified = target.blind?.() ?? false;
  report.durationMs = performance.now() - start;
  return report;
}
