// nursery_stops_sigkill_total: tree stops whose processes outlived the grace period.
import type { ValueMetric } from './define.js';

export const sigkillStops: ValueMetric = {
  kind: 'counter',
  name: 'nursery_stops_sigkill_total',
  help: 'Tree stops (stop(), timeout, abort, close) that needed SIGKILL after the grace period, by owner.',
  labelNames: ['owner'],
  samples: (stats) =>
    Object.entries(stats.owners).map(([owner, o]) => ({ labels: { owner }, value: o.killedAfterGrace })),
};
