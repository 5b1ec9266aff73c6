// The field checks of `nursery up`'s JSON/YAML file: each takes the value and its path
// (services.web.graceMs) and throws a ConfigError naming both, so validate.ts reads as a schema.
import { ConfigError } from './config-error.js';

export type Path = string;
export type Fail = (field: Path, problem: string) => never;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return JSON.stringify(value) ?? String(value);
}

/** The checks, bound to one file. */
export function fieldChecks(file: string) {
  const fail: Fail = (field, problem) => {
    throw new ConfigError(file, { field }, problem);
  };
  const expected = (field: Path, what: string, value: unknown): never =>
    fail(field, `must be ${what} (got ${describe(value)})`);
  return {
    fail,
    expected,
    object(value: unknown, field: Path, keys: readonly string[]): Record<string, unknown> {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return expected(field, 'an object', value);
      for (const key of Object.keys(value)) {
        if (!keys.includes(key)) fail(`${field}.${key}`, `is not a known field (known: ${keys.join(', ')})`);
      }
      return value as Record<string, unknown>;
    },
    string(value: unknown, field: Path): string {
      if (typeof value !== 'string' || value === '') return expected(field, 'a non-empty string', value);
      return value;
    },
    number(value: unknown, field: Path, min = 0): number {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
        return expected(field, `a number >= ${min}`, value);
      }
      return value;
    },
    integer(value: unknown, field: Path, min = 0): number {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
        return expected(field, `an integer >= ${min}`, value);
      }
      return value;
    },
    oneOf<T extends string>(value: unknown, field: Path, options: readonly T[]): T {
      if (typeof value !== 'string' || !options.includes(value as T)) {
        return expected(
          field,
          options
            .map((o) => JSON.stringify(o))
            .join(', ')
            .replace(/, ([^,]*)$/, ' or $1'),
          value,
        );
      }
      return value as T;
    },
    strings(value: unknown, field: Path): string[] {
      if (!Array.isArray(value)) return expected(field, 'an array of strings', value);
      return value.map((v: unknown, i) => (typeof v === 'string' ? v : expected(`${field}[${i}]`, 'a string', v)));
    },
    integers(value: unknown, field: Path): number[] {
      if (!Array.isArray(value)) return expected(field, 'an array of integers', value);
      return value.map((v: unknown, i) =>
        Number.isInteger(v) ? (v as number) : expected(`${field}[${i}]`, 'an integer', v),
      );
    },
  };
}

export type FieldChecks = ReturnType<typeof fieldChecks>;
