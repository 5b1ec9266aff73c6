// nursery.metrics(registry): every metric of this folder registered in a prom-client Registry.
// Returns the function that takes them out again.
import type { NurseryStats } from '../../stats.js';
import { children } from './children.js';
import { daemons } from './daemons.js';
import { type MetricSpec, registerMetric } from './define.js';
import { exited } from './exited.js';
import { orphansStopped } from './orphans-stopped.js';
import { checkRegistry, loadPromClient } from './prom.js';
import { reaped } from './reaped.js';
import { restarts } from './restarts.js';
import { scanDuration } from './scan-duration.js';
import { services } from './services.js';
import { sigkillStops } from './sigkill-stops.js';
import { spawnFailures } from './spawn-failures.js';
import { spawned } from './spawned.js';

export const METRICS: readonly MetricSpec[] = [
  children,
  spawned,
  spawnFailures,
  exited,
  sigkillStops,
  reaped,
  orphansStopped,
  scanDuration,
  daemons,
  restarts,
  services,
];

/**
 * @throws NurseryOptionError when `registry` is not a Registry; NurseryError ERR_NURSERY_NO_PROM_CLIENT
 * without prom-client; prom-client's own error when a metric of that name is already registered.
 */
export function registerMetrics(registry: unknown, read: () => NurseryStats): () => void {
  const r = checkRegistry(registry);
  const prom = loadPromClient();
  // One stats() per scrape: prom-client calls every collect() in one synchronous run (Registry.metrics()).
  let cached: NurseryStats | null = null;
  const stats = (): NurseryStats => {
    if (cached === null) {
      cached = read();
      queueMicrotask(() => (cached = null));
    }
    return cached;
  };
  const taken = METRICS.filter((m) => r.getSingleMetric(m.name) !== undefined).map((m) => m.name);
  if (taken.length > 0) throw new Error(`A metric with the name ${taken.join(', ')} has already been registered.`);
  for (const m of METRICS) registerMetric({ prom, registry: r, stats }, m);
  return () => {
    for (const m of METRICS) r.removeSingleMetric(m.name);
  };
}
