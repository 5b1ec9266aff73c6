// Reading the launcher's report (the daemon's PID, then its /proc stat line) within a deadline
// that also covers the launcher's own exit.
import { finished } from 'node:stream/promises';
import { NurseryError } from '../errors.js';
import type { SpawnedChild } from '../spawn/types.js';
import { setLongTimeout } from '../util/timers.js';

export interface Report {
  pid: number;
  /** The daemon's /proc/PID/stat line as the launcher read it ('' if it was already gone). */
  stat: string;
  /** Settles when the launcher has exited and been reaped; rejects at the deadline. */
  exited: Promise<void>;
}

function timedOut(ms: number, what: string): NurseryError {
  return new NurseryError('ERR_NURSERY_LAUNCH_TIMEOUT', `The daemon launcher did not ${what} within ${ms} ms`);
}

function within<T>(p: Promise<T>, deadline: number, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setLongTimeout(() => reject(timedOut(ms, what)), Math.max(0, deadline - performance.now()));
    p.then(
      (v) => {
        timer.clear();
        resolve(v);
      },
      (e: unknown) => {
        timer.clear();
        reject(e);
      },
    );
  });
}

export async function readReport(child: SpawnedChild, timeoutMs: number): Promise<Report> {
  const deadline = performance.now() + timeoutMs;
  let text = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  // The report may be read after the launcher's exit is seen: its pipe is drained to the end
  // before an exit without a report counts as a failure.
  const lines = new Promise<string[]>((resolve, reject) => {
    const stdout = child.stdout;
    if (!stdout) return reject(new Error('the launcher has no stdout pipe'));
    const complete = (): boolean => {
      const parts = text.split('\n');
      if (parts.length < 3) return false;
      resolve(parts.slice(0, 2));
      return true;
    };
    stdout.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      complete();
    });
    void Promise.all([child.exit, finished(stdout).catch(() => undefined)]).then(([status]) => {
      if (complete()) return;
      const how = status.signal ? `signal ${status.signal}` : `code ${status.code}`;
      const said = stderr.trim() ? `: ${stderr.trim()}` : '';
      reject(
        new NurseryError('ERR_NURSERY_LAUNCH_FAILED', `The daemon launcher exited (${how}) before reporting${said}`),
      );
    });
  });
  const [pidLine, stat] = await within(lines, deadline, timeoutMs, 'report the daemon');
  const pid = Number(pidLine);
  if (!Number.isSafeInteger(pid) || pid <= 0) {
    throw new NurseryError('ERR_NURSERY_LAUNCH_FAILED', `The daemon launcher reported ${JSON.stringify(pidLine)}`);
  }
  const exited = within(
    child.exit.then(() => undefined),
    deadline,
    timeoutMs,
    'exit',
  );
  exited.catch(() => undefined);
  return { pid, stat: stat ?? '', exited };
}
