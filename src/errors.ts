// Every error nursery throws carries a stable `code` so callers can branch without parsing text.
// OS codes (ENOENT, EACCES) are kept as they are; nursery's own follow Node's ERR_* scheme.
import type { RunResult } from './types.js';

const BRAND = Symbol.for('nursery.error');

export type NurseryErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'ERR_NURSERY_BAD_CWD'
  | 'ERR_NURSERY_SPAWN_FAILED'
  | 'ERR_NURSERY_CLOSED'
  | 'ERR_NURSERY_MAX_BUFFER'
  | 'ERR_NURSERY_NO_IPC'
  | 'ERR_NURSERY_IPC_CLOSED'
  | 'ERR_NURSERY_IPC_SEND'
  | 'ERR_NURSERY_REGISTRY'
  | 'ERR_NURSERY_NO_DAEMON'
  | 'ERR_NURSERY_LAUNCH_FAILED'
  | 'ERR_NURSERY_LAUNCH_TIMEOUT'
  | 'ERR_NURSERY_NO_PTY'
  | 'ERR_NURSERY_NO_PROM_CLIENT'
  | 'ERR_NURSERY_NO_CGROUP'
  | 'ERR_NURSERY_SERVICE_ENDED'
  | 'ERR_NURSERY_SERVICE_FATAL'
  | 'ERR_NURSERY_INVALID_OPTION'
  | 'ERR_NURSERY_UNKNOWN_OPTION'
  | 'ERR_NURSERY_UNKNOWN_SIGNAL'
  | 'ERR_NURSERY_DEPENDENCY_CYCLE'
  | 'ERR_NURSERY_UNKNOWN_DEPENDENCY'
  | 'ERR_NURSERY_DEPENDENCY_FAILED'
  | 'ERR_NURSERY_BAD_CONFIG';

export interface NurseryErrorDetails {
  cause?: unknown;
  syscall?: string;
  path?: string;
  errno?: number;
}

/** The base class of nursery's runtime errors. */
export class NurseryError extends Error {
  readonly code: NurseryErrorCode;
  readonly syscall?: string;
  readonly path?: string;
  readonly errno?: number;

  constructor(code: NurseryErrorCode, message: string, details: NurseryErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    if (details.syscall !== undefined) this.syscall = details.syscall;
    if (details.path !== undefined) this.path = details.path;
    if (details.errno !== undefined) this.errno = details.errno;
  }
}
Object.defineProperty(NurseryError.prototype, 'name', { value: 'NurseryError' });
Object.defineProperty(NurseryError.prototype, BRAND, { value: true });

/** run() output went past maxBuffer: the tree was stopped, and `result` holds what was kept. */
export class MaxBufferError<Output extends string | Buffer = string | Buffer> extends NurseryError {
  declare readonly code: 'ERR_NURSERY_MAX_BUFFER';
  readonly result: RunResult<Output>;

  constructor(message: string, result: RunResult<Output>) {
    super('ERR_NURSERY_MAX_BUFFER', message);
    this.result = result;
  }
}
Object.defineProperty(MaxBufferError.prototype, 'name', { value: 'MaxBufferError' });

/**
 * A bad option or argument. It is a `TypeError` (as Node and execa throw for bad options) and
 * also a nursery error: `isNurseryError()` is true and `code` is stable.
 */
export class NurseryOptionError extends TypeError {
  readonly code: NurseryErrorCode;
  readonly option: string;

  constructor(code: NurseryErrorCode, option: string, message: string) {
    super(message);
    this.code = code;
    this.option = option;
  }
}
Object.defineProperty(NurseryOptionError.prototype, 'name', { value: 'NurseryOptionError' });
Object.defineProperty(NurseryOptionError.prototype, BRAND, { value: true });

/** True for every error nursery creates (`NurseryError` and `NurseryOptionError`). */
export function isNurseryError(value: unknown): value is NurseryError | NurseryOptionError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

// Describes a received value for error messages: `-1 (number)`, `"x" (string)`.
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `${JSON.stringify(value)} (string)`;
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return `${String(value)} (${typeof value})`;
}

export function invalidOption(option: string, expected: string, value: unknown): NurseryOptionError {
  return new NurseryOptionError(
    'ERR_NURSERY_INVALID_OPTION',
    option,
    `The "${option}" option must be ${expected}. Received ${describeValue(value)}`,
  );
}
