// TEMPORARY stub: the probes branch brings the real runner.
import type { ProbeRunner } from '../types.js';

export const defaultProbeRunner: ProbeRunner = {
  ready: () => Promise.reject(new Error('probes not built yet')),
  check: () => Promise.reject(new Error('probes not built yet')),
};
