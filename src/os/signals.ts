// Signal names and numbers, checked against what this platform knows.
import { constants } from 'node:os';
import { NurseryOptionError, describeValue } from '../errors.js';

const byName = constants.signals as Record<string, number>;
const byNumber = new Map<number, string>(Object.entries(byName).map(([k, v]) => [v, k]));

export const SIGKILL = byName.SIGKILL ?? 9;
export const SIGTERM = byName.SIGTERM ?? 15;
export const SIGHUP = byName.SIGHUP ?? 1;
export const SIGCONT = byName.SIGCONT ?? 18;

export type SignalLike = NodeJS.Signals | number;

// Accepts 'SIGTERM', 'TERM', 'sigterm' or 15; throws a typed error naming the option otherwise.
export function toSignalNumber(value: unknown, option: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && (value === 0 || byNumber.has(value))) return value;
  if (typeof value === 'string') {
    const upper = value.toUpperCase();
    const n = byName[upper] ?? byName[`SIG${upper}`];
    if (n !== undefined) return n;
  }
  throw new NurseryOptionError(
    'ERR_NURSERY_UNKNOWN_SIGNAL',
    option,
    `The "${option}" option must be a signal name such as "SIGTERM" or a signal number. ` +
      `Received ${describeValue(value)}`,
  );
}

export function signalName(n: number): string {
  return byNumber.get(n) ?? String(n);
}
