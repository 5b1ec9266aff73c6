// A raw wait status, decoded for the init; the exit code the init passes on (the child's code, or
// 128 + n for a death by signal n, as a shell reports it, then --remap-exit); and the words the
// init's log uses for it.
import { constants } from 'node:os';

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

// Not os/signals.ts's signalName: that module loads errors.ts, and the init's start-up is every
// container's; this map is all the log needs.
const names = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));
const signalName = (n: number): string => names.get(n) ?? `signal ${n}`;

export function describe(status: ChildStatus): string {
  switch (status.kind) {
    case 'exited':
      return `exited with code ${status.code}`;
    case 'signaled':
      return `was killed by ${signalName(status.signal)}`;
    case 'stopped':
      return `was stopped by ${signalName(status.signal)}`;
    case 'continued':
      return 'was continued';
  }
}
