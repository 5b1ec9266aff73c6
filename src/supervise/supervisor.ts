// A Nursery's services: made by supervise() (the spec checked, the Nursery's spawn and run lent
// to each Service), kept until released, counted in the books, and stopped first by stopAll() so
// that none restarts the child stopped under it. The Nursery holds one and delegates to it.
import type { Handle } from '../handle/handle.js';
import { resolveService } from '../options/service.js';
import type { StopOptions } from '../options/stop.js';
import { warnOnce } from '../warnings.js';
import { realClock } from './clock.js';
import { defaultProbeRunner } from './probes/runner.js';
import { Service } from './service.js';
import type { ServiceSpec, SuperviseHooks } from './types.js';
import { type RestartBook, watchService } from './watch.js';

export interface SupervisorDeps {
  spawn(spec: ServiceSpec): Handle;
  run(command: string, args: readonly string[], signal: AbortSignal): Promise<number | null>;
  /** Whether a setsid'd escapee of a dead incarnation can be found: a subreaper, or cgroup containment. */
  contained(spawnSpec: ServiceSpec): boolean;
  book: RestartBook;
}

export class Supervisor {
  #services = new Set<Service>();
  #deps: SupervisorDeps;

  constructor(deps: SupervisorDeps) {
    this.#deps = deps;
  }

  /** @throws NurseryOptionError for a bad spec. */
  supervise(spec: ServiceSpec, hooks: SuperviseHooks): Service {
    const resolved = resolveService(spec);
    if (!this.#deps.contained(resolved.spawn as ServiceSpec)) {
      warnOnce(
        'NURSERY_SUPERVISE_UNCONTAINED',
        "nursery: a supervised service with process-group containment and no subreaper cannot find a setsid'd " +
          "escapee of a crashed incarnation: use new Nursery({ subreaper: true }) or containment: 'cgroup'.",
      );
    }
    const service = new Service(
      resolved,
      {
        spawn: (s) => {
          const handle = this.#deps.spawn(s as ServiceSpec);
          handle.setService(resolved.name);
          return handle;
        },
        exec: (command, args, signal) => this.#deps.run(command, args, signal),
        clock: hooks.clock ?? realClock,
        probes: hooks.probes ?? defaultProbeRunner,
      },
      hooks.random,
    );
    this.#services.add(service);
    watchService(service, this.#deps.book);
    return service;
  }

  /** The services not released (a 'fatal' one stays until its stop()). */
  live(): Service[] {
    for (const s of this.#services) if (s.released) this.#services.delete(s);
    return [...this.#services];
  }

  /** Tells every service to stop (synchronously, before any child is stopped); resolves when all have. */
  stopAll(options: StopOptions): Promise<void[]> {
    return Promise.all([...this.#services].map((s) => s.stop(options)));
  }
}
