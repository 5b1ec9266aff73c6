// nursery_spawn_failures_total: spawns that threw (ENOENT, EACCES, a bad cwd...), by owner.
import type { ValueMetric } from './define.js';

export const spawnFailures: ValueMetric = {
  kind: 'counter',
  name: 'nursery_spawn_failures_total',
  help: 'Spawns that failed to start a child (command not found, not executable, bad cwd...), by owner.',
  labelNames: ['owner'],
  samples: (stats) => Object.entries(stats.owners).map(([owner, o]) => ({ labels: { owner }, value: o.spawnFailed })),
};
