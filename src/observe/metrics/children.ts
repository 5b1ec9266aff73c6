// nursery_children: children alive now, by owner and mode (a gauge, read from the live set).
import type { ValueMetric } from './define.js';

export const children: ValueMetric = {
  kind: 'gauge',
  name: 'nursery_children',
  help: 'Children of this nursery alive now (started, not yet exited), by owner and mode.',
  labelNames: ['owner', 'mode'],
  samples: (stats) =>
    Object.entries(stats.owners).flatMap(([owner, o]) =>
      Object.entries(o.running).map(([mode, value]) => ({ labels: { owner, mode }, value })),
    ),
};
