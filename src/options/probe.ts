// TEMPORARY stub: the probes branch brings the real checks.
import type { HealthSpec, ProbeSpec } from '../supervise/types.js';

export function resolveProbe(value: unknown, _name: string): ProbeSpec {
  return value as ProbeSpec;
}

export function resolveHealth(value: unknown, _name: string): Required<HealthSpec> {
  const h = value as HealthSpec;
  return { intervalMs: 10_000, timeoutMs: 5000, failures: 3, startPeriodMs: 0, ...h } as Required<HealthSpec>;
}
