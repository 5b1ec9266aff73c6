// nursery_restarts_total: restarts of each supervised service, kept after the service stops.
import type { ValueMetric } from './define.js';

export const restarts: ValueMetric = {
  kind: 'counter',
  name: 'nursery_restarts_total',
  help:
    'Restarts of supervised services (nursery.supervise()), by service: after a death (through the backoff) ' +
    'or by service.restart(). Kept after the service stops.',
  labelNames: ['service'],
  samples: (stats) =>
    Object.entries(stats.services.restarts).map(([service, value]) => ({ labels: { service }, value })),
};
