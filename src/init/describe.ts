// One way to say how a process ended, for the init's log.
import { signalName } from '../os/signals.js';
import type { ChildStatus } from './status.js';

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
