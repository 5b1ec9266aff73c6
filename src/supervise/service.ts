// A supervised service (issue 14): incarnation after incarnation of one spawn spec, restarted by
// its policy through a backoff, declared 'fatal' on a crash loop, and stopped as a whole tree.
// The rule no other supervisor keeps: an incarnation's `ended` settles only once its whole tree
// is gone (src/supervise/incarnation.ts), and the next is spawned only after that.
import { NurseryError, NurseryOptionError } from '../errors.js';
import type { ResolvedService } from '../options/service.js';
import type { StopOptions } from '../options/stop.js';
import type { SignalLike } from '../os/signals.js';
import { Backoff, DeathTally } from './backoff.js';
import { EventStream, bufferedIterator } from './event-stream.js';
import { Incarnation, type IncarnationDeps, type IncarnationEnd } from './incarnation.js';
import { endedInFailure, shouldRestart } from './policy.js';
import type { LogLine, ServiceEvent, ServiceExit, ServiceInfo, ServiceLike, ServiceState } from './types.js';

/** Exits kept for the 'fatal' event and info(). */
const HISTORY = 20;

export class Service implements ServiceLike {
  readonly name: string;
  readonly ready: Promise<void>;
  #spec: ResolvedService;
  #deps: IncarnationDeps;
  #state: ServiceState = 'starting';
  #current: Incarnation | null = null;
  #incarnation = 0;
  #restarts = 0;
  #lastExit: ServiceExit | null = null;
  #history: ServiceExit[] = [];
  #backoff: Backoff;
  #tally: DeathTally;
  #events = new EventStream();
  #cancelTimer: (() => void) | null = null;
  #cancelReset: (() => void) | null = null;
  #stopRequested = false;
  /** The delay of the last backoff and when it ends (clock time), for info() while in 'backoff'. */
  #pause: { delayMs: number; until: number } | null = null;
  #released = false;
  #restartRequested = false;
  #stopped: Promise<void>;
  #settleStopped!: () => void;
  #readySettle!: { resolve: () => void; reject: (error: Error) => void; done: boolean };

  /** @internal Services come from nursery.supervise(). @throws NurseryOptionError for a bad spawn field. */
  constructor(spec: ResolvedService, deps: IncarnationDeps, random: () => number = Math.random) {
    this.name = spec.name;
    this.#spec = spec;
    this.#deps = deps;
    this.#backoff = new Backoff(spec.backoff, random);
    this.#tally = new DeathTally(spec.crashLoop);
    this.ready = new Promise((resolve, reject) => {
      this.#readySettle = { resolve, reject, done: false };
    });
    // Awaited by whoever wants it; not an unhandled rejection when nobody does.
    this.ready.catch(() => undefined);
    this.#stopped = new Promise((resolve) => (this.#settleStopped = resolve));
    this.#spawnNext(true);
  }

  get state(): ServiceState {
    return this.#state;
  }
  get pid(): number | null {
    return this.#current?.handle.pid ?? null;
  }
  get restarts(): number {
    return this.#restarts;
  }
  get lastExit(): ServiceExit | null {
    return this.#lastExit;
  }
  /** @internal stop() has been called: a 'fatal' service stays in nursery.services() until then. */
  get released(): boolean {
    return this.#released || this.#state === 'stopped';
  }

  on(listener: (event: ServiceEvent) => void): () => void {
    return this.#events.on(listener);
  }

  events(): AsyncIterableIterator<ServiceEvent> {
    return this.#events.iterate();
  }

  /**
   * The lines of every incarnation from now on, as an async iterator (buffered until read); it
   * ends with the service.
   */
  lines(): AsyncIterableIterator<LogLine> {
    return bufferedIterator<LogLine>((push, end) => {
      const offLines = this.#lineTap(push);
      const offEvents = this.#events.on((e) => {
        if (e.type === 'stopped' || e.type === 'fatal') end();
      });
      if (this.#events.ended) end();
      return () => {
        offLines();
        offEvents();
      };
    });
  }

  #lineListeners = new Set<(line: LogLine) => void>();
  #lineTap(listener: (line: LogLine) => void): () => void {
    this.#lineListeners.add(listener);
    return () => this.#lineListeners.delete(listener);
  }

  stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'fatal' || this.#state === 'stopped') {
      this.#released = true;
      return this.#stopped;
    }
    this.#stopRequested = true;
    this.#clearTimers();
    if (this.#current !== null) {
      this.#setState('stopping');
      void this.#current.end('stop', options);
    } else {
      this.#finish('stopped');
    }
    return this.#stopped;
  }

  /** @throws NurseryError ERR_NURSERY_SERVICE_ENDED once stopped or fatal (supervise it again instead). */
  async restart(): Promise<void> {
    if (this.#state === 'fatal' || this.#state === 'stopped' || this.#stopRequested)
      throw new NurseryError(
        'ERR_NURSERY_SERVICE_ENDED',
        `Service "${this.name}" is ${this.#state}: it restarts no more`,
      );
    if (this.#current !== null) {
      this.#restartRequested = true;
      await this.#current.end('restart');
      return;
    }
    this.#clearTimers();
    this.#spawnNext(false);
  }

  signal(signal: SignalLike): boolean {
    return this.#current?.handle.signal(signal) ?? false;
  }

  info(): ServiceInfo {
    return {
      name: this.name,
      state: this.#state,
      pid: this.pid,
      restarts: this.#restarts,
      incarnation: this.#incarnation,
      lastExit: this.#lastExit,
      backoffMs: this.#state === 'backoff' ? (this.#pause?.delayMs ?? null) : null,
      nextStartAt: this.#state === 'backoff' ? (this.#pause?.until ?? null) : null,
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #setState(state: ServiceState): void {
    this.#state = state;
  }

  #emit(event: ServiceEvent, last = false): void {
    this.#events.emit(event, last);
  }

  #spawnNext(first: boolean): void {
    this.#cancelTimer = null;
    const number = ++this.#incarnation;
    if (!first) this.#restarts++;
    const now = (): number => this.#deps.clock.now();
    let incarnation: Incarnation;
    try {
      incarnation = new Incarnation(number, this.#spec, this.#deps, {
        ready: () => this.#onReady(incarnation),
        healthy: () =>
          this.#emit({
            type: 'healthy',
            service: this.name,
            incarnation: number,
            pid: incarnation.handle.pid,
            at: now(),
          }),
        unready: (reason) => {
          if (this.#current !== incarnation || this.#state === 'stopping') return;
          this.#setState('unready');
          this.#emit({
            type: 'unready',
            service: this.name,
            incarnation: number,
            pid: incarnation.handle.pid,
            reason,
            at: now(),
          });
        },
        line: (line) => {
          this.#spec.onLine?.(line.stream, line.line);
          for (const listener of this.#lineListeners) listener(line);
        },
      });
    } catch (error) {
      // A bad spawn field is the caller's mistake, said at supervise(); an OS refusal is a death.
      if (first && error instanceof NurseryOptionError) throw error;
      const fail = (): void => this.#onEnd(null, number, { reason: 'spawn-failed', error: error as Error });
      // As for the first 'spawn' event: the caller of supervise() subscribes before it hears.
      if (first) queueMicrotask(fail);
      else fail();
      return;
    }
    this.#current = incarnation;
    this.#setState(this.#spec.ready === null ? 'running' : 'starting');
    void incarnation.ended.then((end) => this.#onEnd(incarnation, number, end));
    const announce = (): void => {
      this.#emit({ type: 'spawn', service: this.name, incarnation: number, pid: incarnation.handle.pid, at: now() });
      incarnation.begin();
    };
    // The first spawn happens inside supervise(), before the caller can subscribe: its event waits
    // for the caller's synchronous code (an events() or on() right after supervise() sees it).
    if (first) queueMicrotask(announce);
    else announce();
  }

  #onReady(incarnation: Incarnation): void {
    if (this.#current !== incarnation || this.#state === 'stopping') return;
    this.#setState('ready');
    this.#emit({
      type: 'ready',
      service: this.name,
      incarnation: incarnation.number,
      pid: incarnation.handle.pid,
      at: this.#deps.clock.now(),
    });
    if (!this.#readySettle.done) {
      this.#readySettle.done = true;
      this.#readySettle.resolve();
    }
    // Up long enough: the next death starts the delays over.
    this.#cancelReset = this.#deps.clock.setTimeout(() => this.#backoff.reset(), this.#backoff.resetAfterMs);
  }

  #onEnd(
    incarnation: Incarnation | null,
    number: number,
    end: IncarnationEnd | { reason: 'spawn-failed'; error: Error },
  ): void {
    this.#cancelReset?.();
    this.#cancelReset = null;
    if (incarnation !== null && this.#current === incarnation) this.#current = null;
    const at = this.#deps.clock.now();
    const base =
      'info' in end
        ? end.info
        : {
            code: null,
            signal: null,
            durationMs: 0,
            stopped: false,
            timedOut: false,
            aborted: false,
            unverified: false,
          };
    const exit: ServiceExit = {
      ...base,
      service: this.name,
      incarnation: number,
      pid: incarnation?.handle.pid ?? 0,
      reason: end.reason,
      failed: false,
      lastLines: 'lastLines' in end ? end.lastLines : [],
      at,
      ...('error' in end ? { error: end.error } : {}),
    };
    exit.failed = endedInFailure(exit, this.#spec.successCodes);
    this.#lastExit = exit;
    this.#history.push(exit);
    if (this.#history.length > HISTORY) this.#history.shift();
    this.#emit({ type: 'exit', service: this.name, exit, at });
    this.#decide(exit, at);
  }

  #decide(exit: ServiceExit, at: number): void {
    if (this.#stopRequested) return this.#finish('stopped');
    if (this.#restartRequested) {
      this.#restartRequested = false;
      return this.#spawnNext(false);
    }
    if (!shouldRestart(exit, this.#spec)) {
      this.#setState('exited');
      this.#rejectReady(`exited (${describe(exit)}) before it was ready`);
      return;
    }
    if (exit.failed && this.#tally.record(at)) {
      const reason = `${this.#spec.crashLoop.deaths} failures within ${this.#spec.crashLoop.windowMs} ms`;
      return this.#finish('fatal', reason);
    }
    const delayMs = this.#backoff.next();
    this.#pause = { delayMs, until: at + delayMs };
    this.#setState('backoff');
    this.#emit({ type: 'backoff', service: this.name, delayMs, restarts: this.#restarts + 1, at });
    // No delay: no timer either (Node's shortest is a millisecond). A failed spawn still takes the
    // timer, so that a command that cannot start does not recurse through spawn after spawn.
    if (delayMs === 0 && exit.reason !== 'spawn-failed') {
      if (this.#state === 'backoff') this.#spawnNext(false);
      return;
    }
    this.#cancelTimer = this.#deps.clock.setTimeout(() => this.#spawnNext(false), delayMs);
  }

  #finish(state: 'stopped' | 'fatal', reason = ''): void {
    this.#clearTimers();
    this.#setState(state);
    const at = this.#deps.clock.now();
    if (state === 'fatal') {
      this.#rejectReady(`went fatal: ${reason}`, 'ERR_NURSERY_SERVICE_FATAL');
      this.#emit({ type: 'fatal', service: this.name, reason, history: [...this.#history], at }, true);
    } else {
      this.#rejectReady('was stopped before it was ready', 'ERR_NURSERY_SERVICE_ENDED');
      this.#emit({ type: 'stopped', service: this.name, at }, true);
    }
    this.#settleStopped();
  }

  #rejectReady(
    why: string,
    code: 'ERR_NURSERY_SERVICE_ENDED' | 'ERR_NURSERY_SERVICE_FATAL' = 'ERR_NURSERY_SERVICE_ENDED',
  ): void {
    if (this.#readySettle.done) return;
    this.#readySettle.done = true;
    this.#readySettle.reject(new NurseryError(code, `Service "${this.name}" ${why}`));
  }

  #clearTimers(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    this.#cancelReset?.();
    this.#cancelReset = null;
  }
}

function describe(exit: ServiceExit): string {
  if (exit.reason === 'spawn-failed') return `could not spawn: ${exit.error?.message ?? 'unknown error'}`;
  return exit.signal !== null ? `signal ${exit.signal}` : `code ${String(exit.code)}`;
}
