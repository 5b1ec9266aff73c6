// One registry entry: everything a later process needs to find a daemon again and to know it is
// still the same process (PID + start time + boot ID: start times count from boot, so an entry
// from before a reboot names nobody).

export { bootId } from '../os/proc.js';

export interface DaemonEntry {
  version: 1;
  id: string;
  pid: number;
  /** Field 22 of /proc/PID/stat when it was launched. */
  startTime: number;
  bootId: string;
  owner: string;
  command: string;
  args: string[];
  cwd: string | null;
  stdout: string | null;
  stderr: string | null;
  /** ISO date of the launch. */
  startedAt: string;
  killSignal: number;
  graceMs: number;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isPathOrNull = (v: unknown): v is string | null => v === null || isString(v);

/** The entry in `text`, or the reason it is not one (for the warning). */
export function parseEntry(text: string, id: string): DaemonEntry | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (error) {
    return `not JSON (${(error as Error).message})`;
  }
  if (typeof v !== 'object' || v === null) return 'not an object';
  const e = v as Record<string, unknown>;
  if (e.version !== 1) return `unknown version ${JSON.stringify(e.version)}`;
  if (e.id !== id) return `its id ${JSON.stringify(e.id)} does not match its file name`;
  const ok =
    isCount(e.pid) &&
    e.pid > 0 &&
    isCount(e.startTime) &&
    isString(e.bootId) &&
    isString(e.owner) &&
    isString(e.command) &&
    Array.isArray(e.args) &&
    e.args.every(isString) &&
    isPathOrNull(e.cwd) &&
    isPathOrNull(e.stdout) &&
    isPathOrNull(e.stderr) &&
    isString(e.startedAt) &&
    isCount(e.killSignal) &&
    isCount(e.graceMs);
  return ok ? (e as unknown as DaemonEntry) : 'a field is missing or of the wrong type';
}
