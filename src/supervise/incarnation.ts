// One incarnation of a service: one spawn, its output, its readiness and its health, until it ends.
// It ends one way only, through the Handle: an exit by itself (the Handle stops what is left of the
// tree before `exited` settles) or a stop of the whole tree. `ended` settles once the tree is gone
// and the output has been read to EOF, so the Service never starts the next incarnation beside a
// survivor of this one, and never reports an exit before its last line.
import type { Handle } from '../handle/handle.js';
import { PtyHandle } from '../handle/pty-handle.js';
import type { ResolvedService } from '../options/service.js';
import type { StopOptions } from '../options/stop.js';
import type { ExitInfo } from '../types.js';
import { HealthLoop } from './health.js';
import { LineReader } from './lines.js';
import type { Clock, EndReason, LogLine, ProbeContext, ProbeRunner } from './types.js';

export interface IncarnationDeps {
  spawn(spec: ResolvedService['spawn']): Handle;
  exec(command: string, args: readonly string[], signal: AbortSignal): Promise<number | null>;
  clock: Clock;
  probes: ProbeRunner;
}

/** What the incarnation tells its Service as it goes. */
export interface IncarnationEvents {
  ready(): void;
  healthy(): void;
  unready(reason: string): void;
  line(line: LogLine): void;
}

export interface IncarnationEnd {
  info: ExitInfo;
  reason: EndReason;
  lastLines: LogLine[];
}

export class Incarnation {
  readonly handle: Handle;
  readonly number: number;
  readonly ended: Promise<IncarnationEnd>;
  #reason: EndReason = 'exit';
  #lineListeners = new Set<(line: LogLine) => void>();
  #abort = new AbortController();
  #health: HealthLoop | null = null;
  #service: ResolvedService;
  #deps: IncarnationDeps;
  #events: IncarnationEvents;

  /** @throws what spawn() throws (ENOENT, EACCES, a bad spawn option). */
  constructor(number: number, service: ResolvedService, deps: IncarnationDeps, events: IncarnationEvents) {
    this.number = number;
    this.#service = service;
    this.#deps = deps;
    this.#events = events;
    const handle = deps.spawn(service.spawn);
    this.handle = handle;
    const deliver = (line: LogLine): void => {
      events.line(line);
      for (const listener of this.#lineListeners) listener(line);
    };
    const reader =
      handle instanceof PtyHandle
        ? new LineReader(number, service.keepLast, deliver, (onData) => {
            const off = handle.onData(onData);
            return handle.exited.then(() => new Promise((r) => setImmediate(r))).then(off);
          })
        : new LineReader(number, service.keepLast, deliver, { stdout: handle.stdout, stderr: handle.stderr });
    this.ended = Promise.all([handle.exited, reader.drained]).then(([info]) => {
      this.#abort.abort();
      this.#health?.stop();
      return { info, reason: this.#reason, lastLines: reader.last };
    });
  }

  /** Starts waiting for readiness (at once without a ready probe). Called once the 'spawn' event is out. */
  begin(): void {
    if (this.#service.ready === null) this.#onReady();
    else this.#waitReady();
  }

  /** Ends the incarnation (whole tree) for `reason`; the first reason given is the one reported. */
  end(reason: EndReason, options?: StopOptions): Promise<IncarnationEnd> {
    if (this.#reason === 'exit' && this.handle.state !== 'exited') this.#reason = reason;
    this.#abort.abort();
    this.#health?.stop();
    void this.handle.stop(options);
    return this.ended;
  }

  #context(signal: AbortSignal): ProbeContext {
    const handle = this.handle;
    return {
      service: this.#service.name,
      pid: handle.pid,
      signal,
      onLine: (listener) => {
        this.#lineListeners.add(listener);
        return () => this.#lineListeners.delete(listener);
      },
      notify: handle.notify,
      onMessage: handle.connected ? (listener) => handle.onMessage(listener) : null,
      exec: (command, args, s) => this.#deps.exec(command, args, s),
    };
  }

  /** An AbortSignal that aborts at `timeoutMs` (by the service's clock) or when the incarnation ends. */
  #deadline(timeoutMs: number): { signal: AbortSignal; timedOut: () => boolean; done: () => void } {
    const controller = new AbortController();
    let timedOut = false;
    const cancel = this.#deps.clock.setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const onEnd = (): void => controller.abort(new Error('the incarnation ended'));
    this.#abort.signal.addEventListener('abort', onEnd, { once: true });
    return {
      signal: controller.signal,
      timedOut: () => timedOut,
      done: () => {
        cancel();
        this.#abort.signal.removeEventListener('abort', onEnd);
      },
    };
  }

  #waitReady(): void {
    const spec = this.#service.ready!;
    const deadline = this.#deadline(spec.timeoutMs);
    this.#deps.probes.ready(spec, this.#context(deadline.signal)).then(
      () => {
        deadline.done();
        if (!this.#abort.signal.aborted) this.#onReady();
      },
      () => {
        deadline.done();
        // A readiness timeout is a failed start, never a silent success.
        if (deadline.timedOut() && !this.#abort.signal.aborted) void this.end('ready-timeout');
      },
    );
  }

  #onReady(): void {
    if (this.#abort.signal.aborted || this.handle.state === 'exited') return;
    this.#events.ready();
    const health = this.#service.health;
    if (health === null) return;
    this.#health = new HealthLoop(health, this.#deps.clock, {
      check: (timeoutMs) => {
        const deadline = this.#deadline(timeoutMs);
        return this.#deps.probes.check(health.probe, this.#context(deadline.signal)).finally(() => deadline.done());
      },
      healthy: () => this.#events.healthy(),
      unready: (reason) => this.#events.unready(reason),
      failed: () => void this.end('health'),
    });
  }
}
