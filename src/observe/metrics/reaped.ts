// nursery_zombies_reaped_total: untracked zombies the reaper reaped (the leak detector).
import type { ValueMetric } from './define.js';

export const reaped: ValueMetric = {
  kind: 'counter',
  name: 'nursery_zombies_reaped_total',
  help:
    'Untracked zombies reaped by the reaper, by path (immediate: an adopted orphan; grace: after the grace ' +
    'window). Process-wide. Outside PID 1 and subreapers, any increase is a leak: see /debug/processes.',
  labelNames: ['path'],
  samples: (stats) => [
    { labels: { path: 'immediate' }, value: stats.reaper?.reapedImmediately ?? 0 },
    { labels: { path: 'grace' }, value: stats.reaper?.reapedAfterGrace ?? 0 },
  ],
};
