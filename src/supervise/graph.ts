// The dependency graph of a group (issue 14): every `dependsOn` checked once, cycles refused with
// the cycle named, and the start layers (services whose dependencies are all in earlier layers,
// so a layer may start together) with their reverse for the stop. Pure: no service, no process.
import { NurseryError, NurseryOptionError, invalidOption } from '../errors.js';
import type { DependencyCondition } from './types.js';

export const DEPENDENCY_CONDITIONS: readonly DependencyCondition[] = ['started', 'ready', 'healthy', 'completed'];

/** What the graph needs of a member spec. */
export interface GraphMember {
  dependsOn?: Readonly<Record<string, DependencyCondition>> | undefined;
}

export interface DependencyGraph {
  /** The services, in the order of the specs. */
  readonly names: readonly string[];
  /** name → (dependency → condition), in the order given. */
  readonly dependencies: ReadonlyMap<string, ReadonlyMap<string, DependencyCondition>>;
  /** name → the services that depend on it, in spec order. */
  readonly dependents: ReadonlyMap<string, readonly string[]>;
  /** Layer 0 depends on nothing; layer k on layers < k only, at least one service of layer k - 1. */
  readonly startLayers: readonly (readonly string[])[];
  /** startLayers reversed: dependents before their dependencies. */
  readonly stopLayers: readonly (readonly string[])[];
}

function checkDependsOn(name: string, member: unknown): Map<string, DependencyCondition> {
  const out = new Map<string, DependencyCondition>();
  if (typeof member !== 'object' || member === null) throw invalidOption(name, 'a service spec (an object)', member);
  const raw = (member as GraphMember).dependsOn;
  if (raw === undefined) return out;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidOption(`${name}.dependsOn`, 'an object of { service: condition }', raw);
  }
  for (const [dep, condition] of Object.entries(raw)) {
    if (!DEPENDENCY_CONDITIONS.includes(condition)) {
      throw invalidOption(`${name}.dependsOn.${dep}`, `one of ${DEPENDENCY_CONDITIONS.join(', ')}`, condition);
    }
    out.set(dep, condition);
  }
  return out;
}

// Depth-first, in spec order, so the cycle reported is the same on every run. A back edge to a
// service still on the path closes a cycle: the path from that service on is the cycle.
function findCycle(names: readonly string[], deps: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[] | null {
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (name: string): string[] | null => {
    if (onPath.has(name)) return [...path.slice(path.indexOf(name)), name];
    if (done.has(name)) return null;
    path.push(name);
    onPath.add(name);
    for (const dep of deps.get(name)?.keys() ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    path.pop();
    onPath.delete(name);
    done.add(name);
    return null;
  };
  for (const name of names) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return null;
}

/**
 * Checks the group's dependencies and orders it.
 * @throws NurseryOptionError ERR_NURSERY_INVALID_OPTION for a malformed dependsOn,
 *   ERR_NURSERY_UNKNOWN_DEPENDENCY for a name that is not in the group.
 * @throws NurseryError ERR_NURSERY_DEPENDENCY_CYCLE naming the cycle (`a -> b -> a`: a depends on b).
 */
export function dependencyGraph(specs: Readonly<Record<string, GraphMember>>): DependencyGraph {
  if (typeof specs !== 'object' || specs === null || Array.isArray(specs)) {
    throw invalidOption('specs', 'an object of { name: spec }', specs);
  }
  const names = Object.keys(specs);
  const dependencies = new Map<string, ReadonlyMap<string, DependencyCondition>>();
  for (const name of names) dependencies.set(name, checkDependsOn(name, specs[name]));
  const known = names.map((n) => JSON.stringify(n)).join(', ');
  for (const [name, deps] of dependencies) {
    for (const dep of deps.keys()) {
      if (dependencies.has(dep)) continue;
      throw new NurseryOptionError(
        'ERR_NURSERY_UNKNOWN_DEPENDENCY',
        `${name}.dependsOn.${dep}`,
        `Service "${name}" depends on "${dep}", which is not in the group (services: ${known})`,
      );
    }
  }
  const cycle = findCycle(names, dependencies);
  if (cycle) {
    throw new NurseryError('ERR_NURSERY_DEPENDENCY_CYCLE', `Dependency cycle in the group: ${cycle.join(' -> ')}`);
  }
  const dependents = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const name of names) for (const dep of dependencies.get(name)?.keys() ?? []) dependents.get(dep)?.push(name);

  // A service's layer is one more than its deepest dependency's; with no cycle this terminates.
  const layerOf = new Map<string, number>();
  const layer = (name: string): number => {
    const known = layerOf.get(name);
    if (known !== undefined) return known;
    let l = 0;
    for (const dep of dependencies.get(name)?.keys() ?? []) l = Math.max(l, layer(dep) + 1);
    layerOf.set(name, l);
    return l;
  };
  const startLayers: string[][] = [];
  for (const name of names) (startLayers[layer(name)] ??= []).push(name);
  return { names, dependencies, dependents, startLayers, stopLayers: [...startLayers].reverse() };
}
