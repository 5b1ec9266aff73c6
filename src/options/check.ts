// The primitive checks every option goes through. Each bad value becomes a NurseryOptionError
// (a TypeError) naming the option, what was expected and what was received, before any process
// exists.
import { NurseryOptionError, invalidOption } from '../errors.js';
import { toSignalNumber } from '../os/signals.js';

export function checkKeys(value: object, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      const known = [...allowed].join(', ');
      throw new NurseryOptionError(
        'ERR_NURSERY_UNKNOWN_OPTION',
        key,
        `Unknown ${where} option "${key}". Known options: ${known}`,
      );
    }
  }
}

export function checkObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidOption(name, 'an object', value);
}

/** A plain object (literal or null-prototype): a Map, whose entries Object.entries() cannot see, is refused. */
export function checkPlainObject(value: unknown, name: string): asserts value is Record<string, unknown> {
  checkObject(value, name);
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const hint = value instanceof Map ? ' (for a Map, pass Object.fromEntries(map))' : '';
    throw invalidOption(name, `a plain object${hint}`, value);
  }
}

// A NUL byte cannot cross execve(): the kernel would cut the string there.
export function checkString(value: unknown, name: string, allowEmpty = false): string {
  if (typeof value !== 'string') throw invalidOption(name, 'a string', value);
  if (!allowEmpty && value.length === 0) throw invalidOption(name, 'a non-empty string', value);
  if (value.includes('\0')) throw invalidOption(name, 'a string without NUL bytes', value);
  return value;
}

/** A finite number of milliseconds >= 0 (the one duration check of nursery). */
export function checkDuration(value: unknown, name: string, fallback: number): number {
  return checkAmount(value, name, fallback, 'milliseconds');
}

/** A finite number >= 0 of `unit`. */
export function checkAmount(value: unknown, name: string, fallback: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidOption(name, `a finite number of ${unit} >= 0`, value);
  }
  return value;
}

export function checkBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw invalidOption(name, 'a boolean', value);
  return value;
}

export function checkAbortSignal(value: unknown, name: string): AbortSignal | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof AbortSignal)) throw invalidOption(name, 'an AbortSignal', value);
  return value;
}

export function checkSignal(value: unknown, name: string, fallback: number): number {
  return value === undefined ? fallback : toSignalNumber(value, name);
}

/** A signal that a stop can send: 0 (which delivers nothing, so the grace would be waited out) is refused. */
export function checkStopSignal(value: unknown, name: string, fallback: number): number {
  const n = checkSignal(value, name, fallback);
  if (n === 0) throw invalidOption(name, 'a signal that can end a process (not 0)', value);
  return n;
}

export function checkOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw invalidOption(name, allowed.map((a) => JSON.stringify(a)).join(' or '), value);
  }
  return value as T;
}

export function checkFunction<F>(value: unknown, name: string): F {
  if (typeof value !== 'function') throw invalidOption(name, 'a function', value);
  return value as F;
}
