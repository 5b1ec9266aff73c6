// What `nursery up` says of its services under its own name, and what it keeps for the exit code:
// which services have ended (nothing more will come from them) and which failed for good.
import type { ServiceEvent, ServiceExit, ServiceLike } from '../../supervise/types.js';

function exitText(exit: ServiceExit): string {
  if (exit.reason === 'spawn-failed') return `could not be started (${exit.error?.message ?? 'spawn failed'})`;
  const how = exit.signal !== null ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  if (exit.reason === 'ready-timeout') return `${how}: it did not become ready in time`;
  if (exit.reason === 'health') return `${how}: its health checks failed`;
  return how;
}

/** The system line for an event, or null for one not worth a line. */
export function describeEvent(e: ServiceEvent): string | null {
  switch (e.type) {
    case 'spawn':
      return `${e.service} started (pid ${e.pid})`;
    case 'ready':
      return `${e.service} is ready`;
    case 'unready':
      return `${e.service} is not ready: ${e.reason}`;
    case 'exit':
      return e.exit.reason === 'stop' ? null : `${e.service} ${exitText(e.exit)}`;
    case 'backoff':
      return `${e.service} restarts in ${Math.round(e.delayMs)} ms (restart ${e.restarts})`;
    case 'fatal':
      return `${e.service} is given up: ${e.reason}`;
    case 'stopped':
      return `${e.service} stopped`;
    case 'healthy':
      return null;
  }
}

/** Which services are over and which failed, from their events and states. */
export class Outcome {
  readonly #names: readonly string[];
  readonly #ended = new Set<string>();
  readonly failures: string[] = [];

  constructor(names: readonly string[]) {
    this.#names = names;
  }

  /** A service that will never start. */
  neverStarted(name: string, why: string): void {
    if (this.#ended.has(name)) return;
    this.#ended.add(name);
    this.failures.push(why);
  }

  /**
   * Judges a service after one of its events (called once the emit is over, so its state says
   * whether a restart follows). Returns true when it has just failed for good.
   */
  judge(event: ServiceEvent, service: ServiceLike, stopping: boolean): boolean {
    if (this.#ended.has(event.service)) return false;
    const state = service.state;
    if (state !== 'fatal' && state !== 'stopped' && state !== 'exited') return false;
    this.#ended.add(event.service);
    const exit = service.lastExit;
    if (state === 'fatal') {
      this.failures.push(`${event.service} went fatal${event.type === 'fatal' ? ` (${event.reason})` : ''}`);
      return true;
    }
    // A service the requested stop ended, or that completed (success, no restart), did its job.
    if (state === 'exited' && exit?.failed === true && !(stopping && exit.reason === 'stop')) {
      this.failures.push(`${event.service} ${exitText(exit)}`);
      return true;
    }
    return false;
  }

  /** Every service has ended: by itself, by the stop, or by never starting. */
  get allEnded(): boolean {
    return this.#names.every((n) => this.#ended.has(n));
  }
}
