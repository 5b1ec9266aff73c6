// A stand-in for the lead's Service (src/supervise/service.ts), for `nursery up`'s tests until it
// lands: one incarnation over nursery.spawn(), no restart, readiness by a logLine probe only, the
// output delivered line by line to logs.onLine. Enough to run the group and `up` on real
// processes; the real Service replaces it at the merge (test/cli/up.test.ts says where).
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Handle, Nursery } from '../../src/index.js';
import type { StopOptions } from '../../src/options/stop.js';
import type {
  ServiceEvent,
  ServiceExit,
  ServiceInfo,
  ServiceLike,
  ServiceSpec,
  ServiceState,
} from '../../src/supervise/types.js';

export class SpawnService implements ServiceLike {
  readonly name: string;
  state: ServiceState = 'starting';
  pid: number | null = null;
  readonly restarts = 0;
  lastExit: ServiceExit | null = null;
  readonly ready: Promise<void>;
  readonly #handle: Handle;
  readonly #listeners = new Set<(event: ServiceEvent) => void>();
  readonly #done: Promise<void>;
  #stopAsked = false;
  #readyDone: ((error?: Error) => void) | null = null;

  constructor(nursery: Nursery, spec: ServiceSpec) {
    const name = spec.name ?? spec.command;
    this.name = name;
    this.ready = new Promise((resolve, reject) => (this.#readyDone = (e) => (e ? reject(e) : resolve())));
    this.ready.catch(() => {});
    const { command, args, env, cwd, graceMs, owner } = spec as ServiceSpec & { mode?: 'normal' };
    this.#handle = nursery.spawn({ command, args, env, cwd, graceMs, owner, stdio: ['ignore', 'pipe', 'pipe'] });
    this.pid = this.#handle.pid;
    this.state = 'running';
    const at = () => ({ service: name, incarnation: 1, pid: this.#handle.pid, at: Date.now() });
    // After the caller has subscribed, as a Service emits after its spawn.
    queueMicrotask(() => {
      this.#emit({ type: 'spawn', ...at() });
      if (spec.ready === undefined) this.#settleReady();
    });
    const probe = spec.ready !== undefined && 'logLine' in spec.ready ? spec.ready.logLine : null;
    const read = (stream: Readable | null, which: 'stdout' | 'stderr'): Promise<void> =>
      new Promise((resolve) => {
        if (!stream) return resolve();
        const lines = createInterface({ input: stream, crlfDelay: Infinity });
        lines.on('line', (line) => {
          spec.logs?.onLine?.(which, line);
          if (probe?.test(line) && this.state === 'running') {
            this.state = 'ready';
            this.#emit({ type: 'ready', ...at() });
            this.#settleReady();
          }
        });
        lines.on('close', resolve);
      });
    // Every line is read before the exit is told, as the Service promises.
    const streams = Promise.all([read(this.#handle.stdout, 'stdout'), read(this.#handle.stderr, 'stderr')]);
    this.#done = Promise.all([this.#handle.exited, streams]).then(([info]) => {
      const failed = !this.#stopAsked && info.code !== 0;
      const reason = this.#stopAsked ? 'stop' : 'exit';
      const exit: ServiceExit = {
        ...info,
        service: name,
        incarnation: 1,
        pid: this.#handle.pid,
        reason,
        failed,
        lastLines: [],
        at: Date.now(),
      };
      this.lastExit = exit;
      this.pid = null;
      this.#emit({ type: 'exit', service: name, exit, at: Date.now() });
      this.state = this.#stopAsked ? 'stopped' : 'exited';
      this.#settleReady(new Error(`${name} ended before it was ready`));
      if (this.#stopAsked) this.#emit({ type: 'stopped', service: name, at: Date.now() });
    });
  }

  #emit(event: ServiceEvent): void {
    for (const l of this.#listeners) l(event);
  }

  #settleReady(error?: Error): void {
    this.#readyDone?.(error);
    this.#readyDone = null;
  }

  on(listener: (event: ServiceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  events(): AsyncIterableIterator<ServiceEvent> {
    throw new Error('not needed by nursery up');
  }

  async stop(options?: StopOptions): Promise<void> {
    if (this.state === 'exited') return;
    this.#stopAsked = true;
    if (this.state !== 'stopped') this.state = 'stopping';
    await this.#handle.stop(options);
    await this.#done;
  }

  async restart(): Promise<void> {
    throw new Error('SpawnService does not restart');
  }

  signal(): boolean {
    return false;
  }

  info(): ServiceInfo {
    const { name, state, pid, restarts, lastExit } = this;
    return { name, state, pid, restarts, incarnation: 1, lastExit };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
