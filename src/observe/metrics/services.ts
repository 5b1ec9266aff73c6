// nursery_services: this nursery's supervised services now, by state (a gauge, from the live set).
import type { ValueMetric } from './define.js';

export const services: ValueMetric = {
  kind: 'gauge',
  name: 'nursery_services',
  help:
    'Supervised services of this nursery now, by state (starting, running, ready, unready, backoff, stopping, ' +
    'exited, fatal). A fatal service counts until it is stopped.',
  labelNames: ['state'],
  samples: (stats) => Object.entries(stats.services.states).map(([state, value]) => ({ labels: { state }, value })),
};
