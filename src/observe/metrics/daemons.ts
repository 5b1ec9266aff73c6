// nursery_daemons: live daemons of the registry.
import type { ValueMetric } from './define.js';

export const daemons: ValueMetric = {
  kind: 'gauge',
  name: 'nursery_daemons',
  help: "Live daemons in this nursery's daemon registry (started by this process or an earlier one).",
  labelNames: [],
  samples: (stats) => [{ labels: {}, value: stats.daemons }],
};
