// A group of services with dependencies (issue 14): each service starts as soon as every one of its
// dependencies meets its condition (independent ones together), none starts once a dependency has
// failed or the group is stopping, and the stop runs in reverse: a service is stopped only after
// everything that depends on it has stopped. Built on ServiceLike and a `make` function alone, so
// it is tested with fakes, and the Nursery hands it `(name, spec) => this.supervise(spec)`.
import { NurseryError } from '../errors.js';
import type { StopOptions } from '../options/stop.js';
import { ConditionFailed, meetCondition } from './conditions.js';
import { bufferedIterator } from './event-stream.js';
import { type DependencyGraph, dependencyGraph } from './graph.js';
import type { GroupMemberSpec, ServiceEvent, ServiceInfo, ServiceLike, ServiceSpec } from './types.js';

/** A service of the group that did not start, and why. */
export class DependencyError extends NurseryError {
  declare readonly code: 'ERR_NURSERY_DEPENDENCY_FAILED';
  /** The service that did not start. */
  readonly service: string;
  /** The dependency that failed it (null: the group was stopped first, or `make` threw). */
  readonly dependency: string | null;

  constructor(service: string, dependency: string | null, why: string, cause?: unknown) {
    super('ERR_NURSERY_DEPENDENCY_FAILED', `Service "${service}" did not start: ${why}`, { cause });
    this.service = service;
    this.dependency = dependency;
  }
}
Object.defineProperty(DependencyError.prototype, 'name', { value: 'DependencyError' });

export interface GroupInfo {
  /** The started services, in the order they were started. */
  services: ServiceInfo[];
  /** Waiting for a dependency. */
  pending: string[];
  /** Will never start, and why. */
  failed: { name: string; reason: string }[];
}

export type MakeService = (name: string, spec: ServiceSpec) => ServiceLike;

export class ServiceGroup implements AsyncDisposable {
  readonly graph: DependencyGraph;
  /** The started services, by name, in the order they were started. */
  readonly services: ReadonlyMap<string, ServiceLike>;
  /**
   * Resolves once every service has been started (all its dependencies met; its own readiness is
   * not awaited); rejects with a DependencyError when one never will.
   */
  readonly started: Promise<void>;

  readonly #specs: Readonly<Record<string, GroupMemberSpec>>;
  readonly #make: MakeService;
  readonly #made = new Map<string, ServiceLike>();
  readonly #failed = new Map<string, DependencyError>();
  // dependent → how many of its conditions are still unmet
  readonly #unmet = new Map<string, number>();
  readonly #listeners = new Set<(event: ServiceEvent) => void>();
  // Services that emitted 'stopped' or 'fatal': nothing more comes from them.
  readonly #ended = new Set<string>();
  readonly #endWatchers = new Set<() => void>();
  #stopping: Promise<void> | null = null;
  #stopOptions: StopOptions | undefined;
  readonly #stops = new Map<string, Promise<void>>();
  // Services whose own stop() has been called (their dependents are all stopped).
  readonly #stopIssued = new Set<string>();
  #settleStarted: ((error?: DependencyError) => void) | null = null;

  /**
   * @throws NurseryOptionError for a bad dependsOn or an unknown dependency (ERR_NURSERY_UNKNOWN_DEPENDENCY).
   * @throws NurseryError ERR_NURSERY_DEPENDENCY_CYCLE naming the cycle. Nothing is started then.
   */
  constructor(specs: Readonly<Record<string, GroupMemberSpec>>, make: MakeService) {
    this.graph = dependencyGraph(specs);
    this.#specs = specs;
    this.#make = make;
    this.services = this.#made;
    this.started = new Promise<void>((resolve, reject) => {
      this.#settleStarted = (error) => (error ? reject(error) : resolve());
    });
    // Nobody may be listening: the failure is also in info() and on the services' events.
    this.started.catch(() => {});
    for (const name of this.graph.names) this.#unmet.set(name, this.graph.dependencies.get(name)?.size ?? 0);
    for (const name of this.graph.startLayers[0] ?? []) this.#start(name);
    this.#checkAllStarted();
  }

  #start(name: string): void {
    if (this.#stopping) {
      this.#fail(name, null, 'the group was stopped first');
      return;
    }
    let service: ServiceLike;
    try {
      // The key names the service; dependsOn is the group's business, not the service's.
      const { dependsOn: _, ...spec } = this.#specs[name] as GroupMemberSpec;
      service = this.#make(name, { ...spec, name } as ServiceSpec);
    } catch (error) {
      this.#fail(name, null, `it could not be made: ${error instanceof Error ? error.message : String(error)}`, error);
      return;
    }
    this.#made.set(name, service);
    service.on((event) => {
      if (event.type === 'stopped' || event.type === 'fatal') this.#ended.add(name);
      for (const l of this.#listeners) l(event);
      if (this.#ended.has(name)) for (const w of this.#endWatchers) w();
    });
    // Watch for every dependent at once, before `service` can emit anything.
    for (const dependent of this.graph.dependents.get(name) ?? []) {
      const condition = this.graph.dependencies.get(dependent)?.get(name) ?? 'started';
      const hasHealth = (this.#specs[name] as GroupMemberSpec).health !== undefined;
      meetCondition(service, condition, hasHealth).then(
        () => {
          const left = (this.#unmet.get(dependent) ?? 0) - 1;
          this.#unmet.set(dependent, left);
          if (left === 0 && !this.#failed.has(dependent)) this.#start(dependent);
          this.#checkAllStarted();
        },
        (error: unknown) => {
          const why = error instanceof ConditionFailed ? error.message : String(error);
          this.#fail(dependent, name, `its dependency "${name}" (${condition}) ${why}`, error);
        },
      );
    }
  }

  // The service never starts, nor does anything that depends on it, directly or not.
  #fail(name: string, dependency: string | null, why: string, cause?: unknown): void {
    if (this.#failed.has(name) || this.#made.has(name)) return;
    const error = new DependencyError(name, dependency, why, cause);
    this.#failed.set(name, error);
    this.#settleStarted?.(error);
    this.#settleStarted = null;
    for (const dependent of this.graph.dependents.get(name) ?? []) {
      this.#fail(dependent, name, `its dependency "${name}" did not start`, error);
    }
    for (const w of this.#endWatchers) w();
  }

  #checkAllStarted(): void {
    if (this.#made.size === this.graph.names.length) {
      this.#settleStarted?.();
      this.#settleStarted = null;
    }
  }

  /** Calls listener with every event of every service of the group from now on; returns the unsubscribe. */
  on(listener: (event: ServiceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Every service's events, merged, from now on; it ends once no service can emit any more. */
  events(): AsyncIterableIterator<ServiceEvent> {
    return bufferedIterator<ServiceEvent>((push, end) => {
      const check = (): void => {
        if (this.#ended.size + this.#failed.size === this.graph.names.length) end();
      };
      const offEvents = this.on(push);
      this.#endWatchers.add(check);
      check();
      return () => {
        offEvents();
        this.#endWatchers.delete(check);
      };
    });
  }

  /**
   * Stops the group: services not yet started never start; each started one is stopped once every
   * service that depends on it has stopped (independent ones together). A later call while the stop
   * runs passes its options on (say SIGKILL, to hurry it) and resolves with the first.
   */
  stop(options?: StopOptions): Promise<void> {
    if (this.#stopping) {
      if (options !== undefined) {
        this.#stopOptions = options;
        // Those already stopping get the new options now; those still waiting will use them.
        for (const name of this.#stopIssued)
          void this.#made
            .get(name)
            ?.stop(options)
            .catch(() => {});
      }
      return this.#stopping;
    }
    this.#stopOptions = options;
    for (const name of this.graph.names)
      if (!this.#made.has(name)) this.#fail(name, null, 'the group was stopped first');
    this.#stopping = Promise.allSettled([...this.#made.keys()].map((n) => this.#stopAfterDependents(n))).then(
      (results) => {
        const failure = results.find((r) => r.status === 'rejected');
        if (failure) throw failure.reason;
      },
    );
    return this.#stopping;
  }

  #stopAfterDependents(name: string): Promise<void> {
    let stop = this.#stops.get(name);
    if (stop) return stop;
    const dependents = (this.graph.dependents.get(name) ?? []).filter((d) => this.#made.has(d));
    // Memoized before the dependents are asked, which never come back to `name`: no cycle.
    stop = Promise.allSettled(dependents.map((d) => this.#stopAfterDependents(d))).then(async () => {
      this.#stopIssued.add(name);
      await this.#made.get(name)?.stop(this.#stopOptions);
    });
    this.#stops.set(name, stop);
    return stop;
  }

  info(): GroupInfo {
    return {
      services: [...this.#made.values()].map((s) => s.info()),
      pending: this.graph.names.filter((n) => !this.#made.has(n) && !this.#failed.has(n)),
      failed: [...this.#failed].map(([name, e]) => ({ name, reason: e.message })),
    };
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }
}
