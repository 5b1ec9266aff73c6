// The daemon manager of one Nursery: spawn({ mode: 'daemon' }), daemons(), attach(id) and the
// daemons' part of stopAll(). Daemons are the only processes meant to outlive nursery
// (docs/design.md, invariant 6): stopAll() and close() leave them alone unless asked.
import { NurseryError } from '../errors.js';
import { resolveDaemonSpec } from '../options/daemon.js';
import type { Defaults } from '../options/spawn.js';
import type { StopOptions } from '../options/stop.js';
import { type ProcStat, isDead, readStat } from '../os/proc.js';
import { SIGKILL } from '../os/signals.js';
import type { Reaper } from '../reaper/reaper.js';
import { openRef } from '../terminate/identity.js';
import { warnOnce } from '../warnings.js';
import { DaemonHandle, type DaemonHooks } from './daemon-handle.js';
import { type DaemonEntry, bootId } from './entry.js';
import { launch } from './launcher.js';
import { existsSync } from 'node:fs';
import { Registry, defaultRegistryDir, newDaemonId } from './registry.js';
import type { DaemonExit, DaemonInfo } from './types.js';

export interface DaemonDeps {
  defaults: Defaults;
  registryDir: string | undefined;
  reaper(): Reaper | null;
  tracked(): ReadonlySet<number>;
}

// Still the process the entry names: same boot, same PID and start time, not exited.
function liveStat(entry: DaemonEntry): ProcStat | null {
  const boot = bootId();
  if (boot !== '' && entry.bootId !== '' && boot !== entry.bootId) return null;
  const s = readStat(entry.pid);
  return s === null || s.startTime !== entry.startTime || isDead(s) ? null : s;
}

function infoOf(e: DaemonEntry): DaemonInfo {
  const startedAt = Date.parse(e.startedAt);
  const { id, pid, owner, command, cwd, stdout, stderr } = e;
  return {
    id,
    pid,
    owner,
    command,
    args: [...e.args],
    cwd,
    stdout,
    stderr,
    startedAt,
    uptimeMs: Date.now() - startedAt,
  };
}

export class Daemons {
  #deps: DaemonDeps;
  #registry: Registry | null = null;
  #handles = new Map<string, DaemonHandle>();
  readonly #hooks: DaemonHooks = {
    claim: (pid, startTime, onExit) => this.#deps.reaper()?.claim(pid, startTime, onExit) ?? null,
    reapNow: () => void this.#deps.reaper()?.scan(),
    onEnd: (id) => {
      this.#handles.delete(id);
      this.#registry?.remove(id);
    },
  };

  constructor(deps: DaemonDeps) {
    this.#deps = deps;
  }

  get registry(): Registry {
    this.#registry ??= new Registry(this.#deps.registryDir ?? defaultRegistryDir());
    return this.#registry;
  }

  /** @throws NurseryOptionError; NurseryError ENOENT, EACCES, ERR_NURSERY_REGISTRY, ERR_NURSERY_LAUNCH_* */
  async spawn(spec: unknown): Promise<DaemonHandle> {
    const resolved = resolveDaemonSpec(spec, this.#deps.defaults);
    const registry = this.registry;
    registry.check();
    const made: { handle?: DaemonHandle } = {};
    try {
      await launch(
        resolved,
        this.#deps.tracked,
        (ref) => {
          const entry: DaemonEntry = {
            version: 1,
            id: newDaemonId(),
            pid: ref.pid,
            startTime: ref.startTime,
            bootId: bootId(),
            owner: resolved.owner,
            command: resolved.command,
            args: resolved.args,
            cwd: resolved.cwd ?? process.cwd(),
            stdout: resolved.stdout,
            stderr: resolved.stderr,
            startedAt: new Date().toISOString(),
            killSignal: resolved.killSignal,
            graceMs: resolved.graceMs,
          };
          registry.write(entry);
          made.handle = new DaemonHandle(entry, ref, this.#hooks);
          this.#handles.set(entry.id, made.handle);
        },
        (pid, startTime) => void this.#deps.reaper()?.claim(pid, startTime, () => undefined),
      );
    } catch (error) {
      // The launch killed the daemon with everything else it started: let the handle see it end.
      await made.handle?.stop({ signal: SIGKILL, graceMs: 0 });
      throw error;
    }
    if (!made.handle) throw new NurseryError('ERR_NURSERY_LAUNCH_FAILED', 'The daemon launcher reported no daemon');
    return made.handle;
  }

  /** The live daemons of the registry; entries of dead or recycled PIDs are pruned. Never throws. */
  /** list(), but without creating the registry's directory when there is none yet (stats(), /debug/processes). */
  listIfAny(): DaemonInfo[] {
    return existsSync(this.registry.dir) ? this.list() : [];
  }

  list(): DaemonInfo[] {
    let entries: DaemonEntry[];
    try {
      entries = this.registry.entries();
    } catch (error) {
      warnOnce('NURSERY_REGISTRY_REFUSED', `nursery: daemons() lists nothing: ${(error as Error).message}`);
      return [];
    }
    const out: DaemonInfo[] = [];
    for (const e of entries) {
      // A look at /proc is enough to list it; a pidfd is opened only by attach().
      if (liveStat(e) === null) {
        // Ended: a handle of ours may hold it still, and removes the entry again when it sees that.
        this.registry.remove(e.id);
        continue;
      }
      out.push(infoOf(e));
    }
    return out;
  }

  /** @throws NurseryError ERR_NURSERY_NO_DAEMON (no such entry, or its process is gone), ERR_NURSERY_REGISTRY */
  attach(id: string): DaemonHandle {
    const known = this.#handles.get(id);
    if (known && known.state !== 'exited') return known;
    const entry = typeof id === 'string' ? this.registry.read(id) : null;
    if (entry === null)
      throw new NurseryError('ERR_NURSERY_NO_DAEMON', `No daemon ${JSON.stringify(id)} in the registry`);
    const s = liveStat(entry);
    const ref = s === null ? null : openRef(s);
    if (ref === null) {
      this.registry.remove(id);
      throw new NurseryError('ERR_NURSERY_NO_DAEMON', `Daemon ${id} (pid ${entry.pid}) is no longer running`);
    }
    const handle = new DaemonHandle(entry, ref, this.#hooks);
    this.#handles.set(id, handle);
    return handle;
  }

  /** Stops every live daemon of the registry. */
  async stopAll(options: StopOptions): Promise<DaemonExit[]> {
    const handles: DaemonHandle[] = [];
    for (const d of this.list()) {
      try {
        handles.push(this.attach(d.id));
      } catch {
        // ended meanwhile
      }
    }
    return Promise.all(handles.map((h) => h.stop(options)));
  }
}
