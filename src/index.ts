export { Nursery, type NurseryOptions, type NurseryStats } from './nursery.js';
export type { Handle, ChildInfo, ChildMode, ChildState, ExitInfo, StopOptions } from './core/handle.js';
export type { RunOptions, RunResult } from './core/run.js';
export type { SpawnSpec, ForkOptions, StdioSpec, StdioValue, StdioEntry } from './spec.js';
export { NurseryError, NurseryOptionError, isNurseryError, type NurseryErrorCode } from './errors.js';
