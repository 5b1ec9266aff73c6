// PTY mode's part of the spawn spec: the terminal's size, the spawn options a terminal makes
// meaningless, and the first signal of a stop (a hang-up, as when a terminal closes).
import { invalidOption } from '../errors.js';
import { SIGHUP } from '../os/signals.js';
import type { TerminalSize } from './spawn-spec.js';

export const DEFAULT_COLS = 80;
export const DEFAULT_ROWS = 24;
export const PTY_KILL_SIGNAL = SIGHUP;
/** Spawn options that a terminal replaces: its one device is the child's stdin, stdout and stderr. */
const NOT_FOR_PTY = ['stdio', 'ipc', 'serialization'] as const;
// The kernel keeps a terminal's size in unsigned shorts (struct winsize).
const MAX_SIZE = 0xffff;

/** A terminal dimension: an integer from 1 to 65535 (`fallback` when absent, if given). @throws NurseryOptionError */
export function checkTerminalSize(value: unknown, name: string, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_SIZE) {
    throw invalidOption(name, `an integer from 1 to ${MAX_SIZE}`, value);
  }
  return value;
}

/**
 * The terminal of a PTY spec, or undefined in normal mode, where cols and rows make no sense.
 * @throws NurseryOptionError for an option a terminal makes meaningless, or a bad size.
 */
export function resolveTerminal(spec: Record<string, unknown>, pty: boolean): TerminalSize | undefined {
  if (!pty) {
    for (const name of ['cols', 'rows'] as const)
      if (spec[name] !== undefined) throw invalidOption(name, "given only with mode: 'pty'", spec[name]);
    return undefined;
  }
  for (const name of NOT_FOR_PTY) {
    if (spec[name] !== undefined)
      throw invalidOption(name, "absent with mode: 'pty' (the terminal is stdin, stdout and stderr)", spec[name]);
  }
  return {
    cols: checkTerminalSize(spec.cols, 'cols', DEFAULT_COLS),
    rows: checkTerminalSize(spec.rows, 'rows', DEFAULT_ROWS),
  };
}

// The size the environment claims must not contradict the terminal's: programs read COLUMNS and
// LINES before they ask the terminal. Inherited values go; values the caller set stay.
export function dropInheritedSize(env: NodeJS.ProcessEnv, given: Readonly<Record<string, unknown>> | undefined): void {
  for (const name of ['COLUMNS', 'LINES']) if (given?.[name] === undefined) delete env[name];
}
