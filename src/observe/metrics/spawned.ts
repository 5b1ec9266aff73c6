// nursery_children_spawned_total: children started, by owner.
import type { ValueMetric } from './define.js';

export const spawned: ValueMetric = {
  kind: 'counter',
  name: 'nursery_children_spawned_total',
  help: 'Children started by this nursery, by owner.',
  labelNames: ['owner'],
  samples: (stats) => Object.entries(stats.owners).map(([owner, o]) => ({ labels: { owner }, value: o.spawned })),
};
