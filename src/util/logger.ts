// The `logger` option: pino, or any object with debug/info/warn/error(obj, msg). nursery always
// passes a plain object first (an `event` name and the facts) and a short message second, so a
// structured logger keeps the fields and a plain one still prints a sentence.
// The default is quiet where nothing is wrong: debug and info go nowhere, warn and error are one
// line on stderr each (docs/design.md, invariant 5).
import { warnOnce } from '../warnings.js';

export type LogFn = (obj: Record<string, unknown>, msg: string) => void;

/** What the `logger` option takes: pino's shape (its child loggers, bunyan and others fit). */
export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

export type LogLevel = keyof Logger;
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

function field(value: unknown): string {
  if (typeof value === 'string') return /^[\w./:@+-]*$/.test(value) && value !== '' ? value : JSON.stringify(value);
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) return JSON.stringify(value);
  return String(value);
}

/** `nursery: <msg> (key=value ...)`: the line the default logger writes for a warning or an error. */
export function formatLine(obj: Record<string, unknown>, msg: string): string {
  const facts = Object.entries(obj)
    .filter(([k, v]) => k !== 'event' && v !== undefined)
    .map(([k, v]) => `${k}=${field(v)}`);
  return `nursery: ${msg}${facts.length > 0 ? ` (${facts.join(' ')})` : ''}`;
}

const quiet: LogFn = () => undefined;
const toStderr: LogFn = (obj, msg) => void process.stderr.write(`${formatLine(obj, msg)}\n`);

/** The default: silent for debug and info, one stderr line for warn and error. */
export const defaultLogger: Logger = Object.freeze({ debug: quiet, info: quiet, warn: toStderr, error: toStderr });

/** A logger that says nothing (`logger: false`). */
export const silentLogger: Logger = Object.freeze({ debug: quiet, info: quiet, warn: quiet, error: quiet });

/**
 * Calls one level of a user's logger. A logger that throws must not break a reaper scan or a
 * request: it is said once (NURSERY_LOG_THREW), and ignored.
 */
export function logTo(logger: Logger, level: LogLevel, obj: Record<string, unknown>, msg: string): void {
  try {
    logger[level](obj, msg);
  } catch (error) {
    warnOnce('NURSERY_LOG_THREW', `nursery: the logger's ${level}() threw (${String(error)}); ignored.`);
  }
}

/** Every logger hears every event (several Nurseries share one reaper). */
export function fanOut(loggers: readonly Logger[]): Logger {
  const unique = [...new Set(loggers)];
  if (unique.length === 1 && unique[0]) return unique[0];
  const out = {} as Logger;
  for (const level of LOG_LEVELS) out[level] = (obj, msg) => unique.forEach((l) => logTo(l, level, obj, msg));
  return out;
}
