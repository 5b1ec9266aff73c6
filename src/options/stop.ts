// stop()'s options.
import type { SignalLike } from '../os/signals.js';
import { checkBoolean, checkDuration, checkKeys, checkObject, checkStopSignal } from './check.js';

export interface StopOptions {
  /** First signal; default the spec's killSignal. */
  signal?: SignalLike;
  /** Grace before SIGKILL; default the spec's graceMs. */
  graceMs?: number;
}

export interface ResolvedStop {
  signal: number;
  graceMs: number;
}

const STOP_KEYS = new Set(['signal', 'graceMs']);

/** @throws NurseryOptionError */
export function resolveStopOptions(options: unknown, defaults: ResolvedStop): ResolvedStop {
  checkObject(options, 'options');
  checkKeys(options, STOP_KEYS, 'stop');
  return {
    signal: checkStopSignal(options.signal, 'signal', defaults.signal),
    graceMs: checkDuration(options.graceMs, 'graceMs', defaults.graceMs),
  };
}

/** Options of `nursery.stopAll()`. */
export interface StopAllOptions extends StopOptions {
  /** Stop the registry's daemons too (never by default: daemons are meant to outlive us). */
  daemons?: boolean;
}

/** @throws NurseryOptionError */
export function splitStopAllOptions(options: unknown): { daemons: boolean; stop: StopOptions } {
  checkObject(options, 'options');
  checkKeys(options, new Set([...STOP_KEYS, 'daemons']), 'stopAll');
  const { daemons, ...stop } = options as StopAllOptions;
  return { daemons: checkBoolean(daemons, 'daemons', false), stop };
}
