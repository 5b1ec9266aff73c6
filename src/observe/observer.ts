// The Nursery's window: metrics(), debugHandler() and serveDebug() in one place, over the
// ObserveSource the Nursery hands in. It keeps the servers it started, so close() ends them.
import {
  type DebugHandlerOptions,
  type ServeDebugOptions,
  resolveDebugHandlerOptions,
  resolveServeDebugOptions,
} from '../options/debug.js';
import { type DebugHandler, makeDebugHandler } from './debug/handler.js';
import { type DebugServer, startDebugServer } from './debug/server.js';
import { registerMetrics } from './metrics/index.js';
import type { ObserveSource } from './source.js';

export class Observer {
  #source: ObserveSource;
  #servers = new Set<DebugServer>();

  constructor(source: ObserveSource) {
    this.#source = source;
  }

  metrics(registry: unknown): () => void {
    return registerMetrics(registry, () => this.#source.stats());
  }

  debugHandler(options: DebugHandlerOptions = {}): DebugHandler {
    const { redact } = resolveDebugHandlerOptions(options);
    return makeDebugHandler(this.#source, redact);
  }

  async serveDebug(options: ServeDebugOptions): Promise<DebugServer> {
    const { redact, listen } = resolveServeDebugOptions(options);
    const server = await startDebugServer(makeDebugHandler(this.#source, redact), listen);
    this.#servers.add(server);
    const close = server.close.bind(server);
    return Object.freeze({
      url: server.url,
      port: server.port,
      socketPath: server.socketPath,
      close: () => {
        this.#servers.delete(server);
        return close();
      },
    });
  }

  /** Closes every server serveDebug() started. */
  async close(): Promise<void> {
    const servers = [...this.#servers];
    this.#servers.clear();
    await Promise.all(servers.map((s) => s.close()));
  }
}
