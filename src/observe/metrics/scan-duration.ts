// nursery_reaper_scan_duration_seconds: how long each reaper scan took (a histogram).
import type { HistogramMetric } from './define.js';

export const scanDuration: HistogramMetric = {
  kind: 'histogram',
  name: 'nursery_reaper_scan_duration_seconds',
  help: "Duration of the reaper's scans of this process's children. Process-wide; empty when no reaper runs.",
  histogram: (stats) => stats.reaper?.scanSeconds ?? null,
};
