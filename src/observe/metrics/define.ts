// How a metric of src/observe/metrics/ is declared and registered. Each file there declares one
// metric as data: its name, help, labels, and how to read its samples from stats(). Nothing is
// counted on the spawn path: on each scrape, prom-client calls collect(), which resets the metric
// and fills it from the books (stats() is read once per scrape, shared by every metric).
import type { NurseryStats } from '../../stats.js';
import type { DurationHistogram } from '../../reaper/types.js';
import type { Labels, PromClient, PromRegistry } from './prom.js';

export interface Sample {
  labels: Labels;
  value: number;
}

export interface ValueMetric {
  kind: 'gauge' | 'counter';
  name: string;
  help: string;
  labelNames: readonly string[];
  samples(stats: NurseryStats): Sample[];
}

export interface HistogramMetric {
  kind: 'histogram';
  name: string;
  help: string;
  histogram(stats: NurseryStats): DurationHistogram | null;
}

export type MetricSpec = ValueMetric | HistogramMetric;

export interface MetricContext {
  prom: PromClient;
  registry: PromRegistry;
  /** The books, read at most once per scrape. */
  stats(): NurseryStats;
}

function registerValue(ctx: MetricContext, spec: ValueMetric): void {
  const base = { name: spec.name, help: spec.help, labelNames: spec.labelNames, registers: [ctx.registry] };
  if (spec.kind === 'gauge') {
    new ctx.prom.Gauge({
      ...base,
      collect() {
        this.reset();
        for (const s of spec.samples(ctx.stats())) this.set(s.labels, s.value);
      },
    });
    return;
  }
  new ctx.prom.Counter({
    ...base,
    collect() {
      this.reset();
      for (const s of spec.samples(ctx.stats())) this.inc(s.labels, s.value);
    },
  });
}

// The histogram's buckets are kept by the reaper itself (src/reaper/scan-timing.ts), so it is
// registered as a metric object of its own, in the shape prom-client's Registry reads.
function registerHistogram(ctx: MetricContext, spec: HistogramMetric): void {
  const { name, help } = spec;
  const metric = {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    reset: (): void => undefined,
    get: async () => {
      const h = spec.histogram(ctx.stats());
      const values: { labels: Labels; value: number; metricName: string }[] = [];
      let cumulated = 0;
      const bounds = h?.bounds ?? [];
      for (let i = 0; i <= bounds.length; i++) {
        cumulated += h?.counts[i] ?? 0;
        const le = i < bounds.length ? String(bounds[i]) : '+Inf';
        values.push({ labels: { le }, value: cumulated, metricName: `${name}_bucket` });
      }
      values.push({ labels: {}, value: h?.sum ?? 0, metricName: `${name}_sum` });
      values.push({ labels: {}, value: h?.count ?? 0, metricName: `${name}_count` });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
  };
  ctx.registry.registerMetric(metric);
}

export function registerMetric(ctx: MetricContext, spec: MetricSpec): void {
  if (spec.kind === 'histogram') registerHistogram(ctx, spec);
  else registerValue(ctx, spec);
}
