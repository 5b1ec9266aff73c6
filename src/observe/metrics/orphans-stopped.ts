// nursery_orphans_stopped_total: adopted orphans stopped by the orphans policy.
import type { ValueMetric } from './define.js';

export const orphansStopped: ValueMetric = {
  kind: 'counter',
  name: 'nursery_orphans_stopped_total',
  help: 'Live orphans adopted by this process (subreaper or PID 1) and stopped by the orphans policy. Process-wide.',
  labelNames: [],
  samples: (stats) => [{ labels: {}, value: stats.reaper?.orphansKilled ?? 0 }],
};
