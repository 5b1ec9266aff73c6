// A raw wait status, decoded for the init, and the exit code the init passes on: the child's code,
// or 128 + n for a death by signal n (as a shell reports it), then --remap-exit.

export type ChildStatus =
  | { kind: 'exited'; code: number }
  | { kind: 'signaled'; signal: number }
  | { kind: 'stopped'; signal: number }
  | { kind: 'continued' };

export function decodeStatus(status: number): ChildStatus {
  const low = status & 0x7f;
  if (low === 0) return { kind: 'exited', code: (status >> 8) & 0xff };
  if (low === 0x7f) return { kind: 'stopped', signal: (status >> 8) & 0xff };
  if (status === 0xffff) return { kind: 'continued' };
  return { kind: 'signaled', signal: low };
}

export function exitCodeOf(status: ChildStatus, remap: ReadonlyMap<number, number>): number {
  const raw = status.kind === 'exited' ? status.code : status.kind === 'signaled' ? 128 + status.signal : 1;
  return remap.get(raw) ?? raw;
}
