// The one escalation loop (docs/design.md, invariant 4): the first signal to every member (then
// SIGCONT, so that a stopped member sees it), polling until all are gone, SIGKILL to whatever is
// left when the grace period ends, and a bounded wait for the SIGKILLed to vanish. The grace
// period is a ceiling, never a wait: the loop returns the moment everything is gone. A stop in
// flight can be made harsher (tighten(): a second stop with SIGKILL, a shorter grace or another
// signal), never milder. Every stop in nursery (a Handle's tree, an orphan's, a daemon's) goes
// through here; what differs is only who the members are.
import { performance } from 'node:perf_hooks';
import { SIGCONT, SIGKILL } from '../os/signals.js';

/** A set of processes to stop. */
export interface Escalatable {
  /** Looks (again) for members: before the first signal and before SIGKILL. */
  collect(): void;
  /** Sends `signal` to every live member; returns how many it was aimed at. */
  signalAll(signal: number): number;
  /** True when every member is gone; may signal members found late with `currentSignal` (and resumeAfter()). */
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

/**
 * What a stop sends after `signal`: SIGCONT, so that a stopped process (SIGSTOP, SIGTSTP, a
 * debugger) runs its handler now rather than meet SIGKILL at the end of the grace, as systemd
 * does; null where none is needed.
 */
export function resumeAfter(signal: number): number | null {
  return signal === SIGKILL || signal === SIGCONT || signal === 0 ? null : SIGCONT;
}

/** One stop in flight. */
export class Escalation {
  /** Settles with the report once everything is gone or the loop gave up. */
  readonly done: Promise<StopReport>;
  #target: Escalatable;
  #start = performance.now();
  #graceEnd: number;
  #signal: number;
  #pending: number[] = [];
  #poke: (() => void) | null = null;
  #killWaitMs: number;
  #killAt = -1;

  constructor(target: Escalatable, options: EscalateOptions) {
    this.#target = target;
    this.#signal = options.signal;
    this.#graceEnd = this.#start + options.graceMs;
    this.#killWaitMs = options.killWaitMs ?? KILL_WAIT_MS;
    this.done = this.#run();
  }

  /**
   * A later stop of the same tree: SIGKILL or a shorter grace takes effect at once (the sooner
   * deadline wins); another signal is sent to every member now. A milder demand changes nothing.
   */
  tighten(signal: number, graceMs: number): void {
    if (this.#killAt >= 0) return;
    const end = signal === SIGKILL ? -Infinity : performance.now() + graceMs;
    if (end < this.#graceEnd) this.#graceEnd = end;
    if (signal !== SIGKILL && signal !== this.#signal && !this.#pending.includes(signal)) this.#pending.push(signal);
    this.#poke?.();
  }

  #send(signal: number): number {
    const n = this.#target.signalAll(signal);
    const resume = resumeAfter(signal);
    if (resume !== null) this.#target.signalAll(resume);
    return n;
  }

  // Sleeps up to `ms`, waking early when the target says so or a later stop tightens this one.
  #pause(ms: number): Promise<void> {
    const wake = this.#target.wake();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        this.#poke = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      this.#poke = done;
      wake?.then(done, () => undefined);
    });
  }

  async #run(): Promise<StopReport> {
    const target = this.#target;
    const report: StopReport = { signalled: 0, killedAfterGrace: 0, survivors: 0, unverified: false, durationMs: 0 };
    target.collect();
    report.signalled = this.#send(this.#signal);
    if (this.#signal === SIGKILL) this.#killAt = this.#start;
    let delay = 1;
    for (;;) {
      for (const s of this.#pending.splice(0)) {
        this.#signal = s;
        this.#send(s);
      }
      if (target.gone(this.#signal)) break;
      const now = performance.now();
      if (this.#killAt < 0 && now >= this.#graceEnd) {
        target.collect();
        this.#signal = SIGKILL;
        report.killedAfterGrace = target.signalAll(SIGKILL);
        this.#killAt = now;
      } else if (this.#killAt >= 0 && now - this.#killAt >= this.#killWaitMs) {
        report.survivors = target.aliveCount();
        break;
      }
      const untilGrace = this.#killAt < 0 ? Math.max(0, this.#graceEnd - now) : MAX_POLL_MS;
      await this.#pause(Math.min(delay, untilGrace, MAX_POLL_MS));
      delay = Math.min(delay * 2, MAX_POLL_MS);
    }
    report.unverified = target.blind?.() ?? false;
    report.durationMs = performance.now() - this.#start;
    return report;
  }
}

export function escalate(target: Escalatable, options: EscalateOptions): Promise<StopReport> {
  return new Escalation(target, options).done;
}
