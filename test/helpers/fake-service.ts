// A ServiceLike that runs no process: a test moves it from state to state and it emits the events
// a Service would, so the group's ordering is judged exactly, without processes or sleeps. Its
// stop() can be held open (hold: true) to see what the group does meanwhile.
import type { StopOptions } from '../../src/options/stop.js';
import type {
  ServiceEvent,
  ServiceExit,
  ServiceInfo,
  ServiceLike,
  ServiceSpec,
  ServiceState,
} from '../../src/supervise/types.js';

export class FakeService implements ServiceLike {
  readonly name: string;
  readonly spec: ServiceSpec;
  state: ServiceState = 'starting';
  pid: number | null = null;
  restarts = 0;
  lastExit: ServiceExit | null = null;
  readonly ready: Promise<void>;
  /** Every stop() call's options, in order. */
  readonly stopCalls: (StopOptions | undefined)[] = [];
  /** Set to hold the next stop() open until release() is called. */
  hold = false;
  #release: (() => void) | null = null;
  #readyDone: ((error?: Error) => void) | null = null;
  readonly #listeners = new Set<(event: ServiceEvent) => void>();
  readonly #log: string[];
  #incarnation = 0;

  constructor(name: string, spec: ServiceSpec, log: string[]) {
    this.name = name;
    this.spec = spec;
    this.#log = log;
    this.ready = new Promise((resolve, reject) => {
      this.#readyDone = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => {});
    log.push(`make ${name}`);
  }

  #emit(event: ServiceEvent): void {
    for (const l of this.#listeners) l(event);
  }

  #at(): { service: string; incarnation: number; pid: number; at: number } {
    return { service: this.name, incarnation: this.#incarnation, pid: this.pid ?? 0, at: Date.now() };
  }

  spawn(): this {
    this.#incarnation += 1;
    this.pid = 1000 + this.#incarnation;
    this.state = 'running';
    this.#emit({ type: 'spawn', ...this.#at() });
    if (this.spec.ready === undefined) this.#settleReady();
    return this;
  }

  becomeReady(): this {
    this.state = 'ready';
    this.#emit({ type: 'ready', ...this.#at() });
    this.#settleReady();
    return this;
  }

  healthy(): this {
    this.#emit({ type: 'healthy', ...this.#at() });
    return this;
  }

  /** An exit; then the state moves to `next` ('exited': no restart, 'backoff': one follows), as a Service may. */
  exit(failed: boolean, next: 'exited' | 'backoff'): this {
    const exit: ServiceExit = {
      ...{ code: failed ? 1 : 0, signal: null, durationMs: 1, stopped: false, timedOut: false, aborted: false },
      ...{ unverified: false, service: this.name, incarnation: this.#incarnation, pid: this.pid ?? 0 },
      ...{ reason: 'exit', failed, lastLines: [], at: Date.now() },
    };
    this.lastExit = exit;
    this.pid = null;
    this.#emit({ type: 'exit', service: this.name, exit, at: Date.now() });
    this.state = next;
    return this;
  }

  fatal(reason: string): this {
    this.state = 'fatal';
    this.pid = null;
    this.#settleReady(new Error(`${this.name} went fatal`));
    this.#emit({ type: 'fatal', service: this.name, reason, history: [], at: Date.now() });
    return this;
  }

  #settleReady(error?: Error): void {
    this.#readyDone?.(error);
    this.#readyDone = null;
  }

  release(): void {
    this.#release?.();
  }

  on(listener: (event: ServiceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  events(): AsyncIterableIterator<ServiceEvent> {
    throw new Error('not used by the group');
  }

  async stop(options?: StopOptions): Promise<void> {
    this.stopCalls.push(options);
    if (this.stopCalls.length > 1) return;
    this.#log.push(`stop ${this.name}`);
    this.state = 'stopping';
    if (this.hold) await new Promise<void>((resolve) => (this.#release = resolve));
    this.state = 'stopped';
    this.pid = null;
    this.#settleReady(new Error(`${this.name} was stopped`));
    this.#log.push(`stopped ${this.name}`);
    this.#emit({ type: 'stopped', service: this.name, at: Date.now() });
  }

  async restart(): Promise<void> {}

  signal(): boolean {
    return false;
  }

  info(): ServiceInfo {
    const { name, state, pid, restarts, lastExit } = this;
    return { name, state, pid, restarts, incarnation: this.#incarnation, lastExit, backoffMs: null, nextStartAt: null };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}

/** A `make` for ServiceGroup that records each made fake in `made` and its moves in `log`. */
export function fakeMaker(): {
  make: (name: string, spec: ServiceSpec) => FakeService;
  made: Map<string, FakeService>;
  log: string[];
} {
  const made = new Map<string, FakeService>();
  const log: string[] = [];
  const make = (name: string, spec: ServiceSpec): FakeService => {
    const s = new FakeService(name, spec, log);
    made.set(name, s);
    return s;
  };
  return { make, made, log };
}
