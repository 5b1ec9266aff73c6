// One way to say how a process ended, for the init's log.
import { constants } from 'node:os';
import type { ChildStatus } from './status.js';

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
