// A supervised service (issue 14): incarnation after incarnation of one spawn spec, restarted by
// its policy through a backoff, declared 'fatal' on a crash loop, and stopped as a whole tree.
// The rule no other supervisor keeps: an incarnation's `ended` settles only once its whole tree
// is gone (src/supervise/incarnation.ts), and the next is spawned only after that.
import { NurseryError, NurseryOptionError } from '../errors.js';
import { ReadyLatch } from './ready-latch.js';
import type { ResolvedService } from '../options/service.js';
import type { StopOptions } from '../options/stop.js';
import type { SignalLike } from '../os/signals.js';
import { Backoff, DeathTally } from './backoff.js';
import { EventStream } from './event-stream.js';
import { LineFanout } from './lines.js';
import { type EndOf, describeExit, exitRecord } from './exit-record.js';
import { Incarnation, type IncarnationDeps } from './incarnation.js';
import { shouldRestart } from './policy.js';
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
  #lines = new LineFanout();
  #cancelTimer: (() => void) | null = null;
  #cancelReset: (() => void) | null = null;
  #stopRequested = false;
  /** The delay of the last backoff and when it ends (clock time), for info() while in 'backoff'. */
  #pause: { delayMs: number; until: number } | null = null;
  #released = false;
  #restartRequested = false;
  #stopped: Promise<void>;
  #settleStopped!: () => void;
  #ready: ReadyLatch;

  /** @internal Services come from nursery.supervise(). @throws NurseryOptionError for a bad spawn field. */
  constructor(spec: ResolvedService, deps: IncarnationDeps, random: () => number = Math.random) {
    this.name = spec.name;
    this.#spec = spec;
    this.#deps = deps;
    this.#backoff = new Backoff(spec.backoff, random);
    this.#tally = new DeathTally(spec.crashLoop);
    this.#ready = new ReadyLatch(spec.name);
    this.ready = this.#ready.promise;
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
    return this.#lines.iterate((end) => {
      if (this.#events.ended) end();
      return this.#events.on((e) => {
        if (e.type === 'stopped' || e.type === 'fatal') end();
      });
    });
  }

  stop(options: StopOptions = {}): Promise<void> {
    if (this.#state === 'fatal' || this.#state === 'stopped') {
      this.#released = true;
      return this.#stopped;
    }
    this.#stopRequested = true;
    this.#clearTimers();
    if (this.#current !== null) {
      this.#state = 'stopping';
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

  #emit(event: ServiceEvent, last = false): void {
    this.#events.emit(event, last);
  }

  /** The fields every event about one incarnation carries. */
  #about(incarnation: Incarnation): { service: string; incarnation: number; pid: number; at: number } {
    return {
      service: this.name,
      incarnation: incarnation.number,
      pid: incarnation.handle.pid,
      at: this.#deps.clock.now(),
    };
  }

  #spawnNext(first: boolean): void {
    this.#cancelTimer = null;
    const number = ++this.#incarnation;
    if (!first) this.#restarts++;
    let incarnation: Incarnation;
    try {
      incarnation = new Incarnation(number, this.#spec, this.#deps, {
        ready: () => this.#onReady(incarnation),
        healthy: () => this.#emit({ type: 'healthy', ...this.#about(incarnation) }),
        unready: (reason) => {
          if (this.#current !== incarnation || this.#state === 'stopping') return;
          this.#state = 'unready';
          this.#emit({ type: 'unready', ...this.#about(incarnation), reason });
        },
        line: (line) => {
          this.#spec.onLine?.(line.stream, line.line);
          this.#lines.deliver(line);
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
    this.#state = this.#spec.ready === null ? 'running' : 'starting';
    void incarnation.ended.then((end) => this.#onEnd(incarnation, number, end));
    const announce = (): void => {
      this.#emit({ type: 'spawn', ...this.#about(incarnation) });
      incarnation.begin();
    };
    // The first spawn happens inside supervise(), before the caller can subscribe: its event waits
    // for the caller's synchronous code (an events() or on() right after supervise() sees it).
    if (first) queueMicrotask(announce);
    else announce();
  }

  #onReady(incarnation: Incarnation): void {
    if (this.#current !== incarnation || this.#state === 'stopping') return;
    this.#state = 'ready';
    this.#emit({ type: 'ready', ...this.#about(incarnation) });
    this.#ready.resolve();
    // Up long enough: the next death starts the delays over.
    this.#cancelReset = this.#deps.clock.setTimeout(() => this.#backoff.reset(), this.#backoff.resetAfterMs);
  }

  #onEnd(incarnation: Incarnation | null, number: number, end: EndOf): void {
    this.#cancelReset?.();
    this.#cancelReset = null;
    if (incarnation !== null && this.#current === incarnation) this.#current = null;
    const at = this.#deps.clock.now();
    const exit = exitRecord(this.name, number, incarnation?.handle.pid ?? 0, end, at, this.#spec.successCodes);
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
      this.#state = 'exited';
      this.#ready.reject(`exited (${describeExit(exit)}) before it was ready`);
      return;
    }
    if (exit.failed && this.#tally.record(at)) {
      const reason = `${this.#spec.crashLoop.deaths} failures within ${this.#spec.crashLoop.windowMs} ms`;
      return this.#finish('fatal', reason);
    }
    const delayMs = this.#backoff.next();
    this.#pause = { delayMs, until: at + delayMs };
    this.#state = 'backoff';
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
    this.#state = state;
    const at = this.#deps.clock.now();
    if (state === 'fatal') {
      this.#ready.reject(`went fatal: ${reason}`, 'ERR_NURSERY_SERVICE_FATAL');
      this.#emit({ type: 'fatal', service: this.name, reason, history: [...this.#history], at }, true);
    } else {
      this.#ready.reject('was stopped before it was ready', 'ERR_NURSERY_SERVICE_ENDED');
      this.#emit({ type: 'stopped', service: this.name, at }, true);
    }
    this.#settleStopped();
  }

  #clearTimers(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    this.#cancelReset?.();
    this.#cancelReset = null;
  }
}
