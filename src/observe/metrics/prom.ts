// prom-client, an optional peer dependency, loaded only when metrics() is called: from beside
// nursery first (where npm puts a peer), then from the application's own directory. The types
// here are the few members nursery uses, so nursery's declarations never name prom-client's.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { NurseryError, invalidOption } from '../../errors.js';

export type Labels = Record<string, string>;

/** What metrics() needs of a prom-client Registry. */
export interface PromRegistry {
  registerMetric(metric: unknown): void;
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
}

interface CollectedMetric {
  reset(): void;
}

export interface PromGauge extends CollectedMetric {
  set(labels: Labels, value: number): void;
}

export interface PromCounter extends CollectedMetric {
  inc(labels: Labels, value: number): void;
}

interface MetricConfig<M> {
  name: string;
  help: string;
  labelNames: readonly string[];
  registers: PromRegistry[];
  collect(this: M): void;
}

export interface PromClient {
  Gauge: new (config: MetricConfig<PromGauge>) => PromGauge;
  Counter: new (config: MetricConfig<PromCounter>) => PromCounter;
}

function tryRequire(from: string): PromClient | null {
  try {
    return createRequire(from)('prom-client') as PromClient;
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') return null;
    throw error;
  }
}

let loaded: PromClient | undefined;

/** @throws NurseryError ERR_NURSERY_NO_PROM_CLIENT when prom-client is installed nowhere we can see. */
export function loadPromClient(): PromClient {
  if (loaded) return loaded;
  let cause: unknown;
  try {
    const found = tryRequire(import.meta.url) ?? tryRequire(join(process.cwd(), 'package.json'));
    if (found) return (loaded = found);
  } catch (error) {
    cause = error;
  }
  throw new NurseryError(
    'ERR_NURSERY_NO_PROM_CLIENT',
    'nursery.metrics() needs prom-client, an optional peer dependency of nursery: npm i prom-client',
    cause === undefined ? {} : { cause },
  );
}

/** @throws NurseryOptionError when `registry` is not a prom-client Registry. */
export function checkRegistry(registry: unknown): PromRegistry {
  const r = registry as Partial<PromRegistry> | null;
  const ok =
    typeof r === 'object' &&
    r !== null &&
    typeof r.registerMetric === 'function' &&
    typeof r.getSingleMetric === 'function' &&
    typeof r.removeSingleMetric === 'function';
  if (!ok)
    throw invalidOption('registry', "a prom-client Registry (new Registry(), or prom-client's register)", registry);
  return r as PromRegistry;
}
