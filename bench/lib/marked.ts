// The processes of one measured tree, judged by /proc alone: every process of the tree inherits
// a marker ("NAME=value") in its environment, whatever group, session or parent it ends up with,
// so what is left of a tree can be counted, and killed, after any peer's stop.
import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { stat } from './proc.js';

/**
 * Live (not zombie) processes whose environment holds `entry` ("NAME=value"); with `prefix`, any
 * entry that starts with it (every run of one benchmark).
 */
export function marked(entry: string, prefix = false): number[] {
  const needle = Buffer.from(`\0${entry}${prefix ? '' : '\0'}`);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    try {
      if (!Buffer.concat([Buffer.from('\0'), readFileSync(`/proc/${name}/environ`)]).includes(needle)) continue;
    } catch {
      continue;
    }
    const s = stat(Number(name));
    if (s && s.state !== 'Z' && s.state !== 'X') out.push(Number(name));
  }
  return out;
}

/**
 * Kills every marked process until none is left: SIGSTOP first (a fork loop forks no more), then
 * SIGKILL, each PID right after its start time was read again (never a recycled PID).
 */
export async function killMarked(entry: string, prefix = false, timeoutMs = 20_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  const seen = new Set<number>();
  for (let left = marked(entry, prefix); left.length > 0; left = marked(entry, prefix)) {
    if (performance.now() > deadline) throw new Error(`${left.length} marked processes survive a SIGKILL`);
    for (const pid of left) {
      seen.add(pid);
      const s = stat(pid);
      for (const sig of ['SIGSTOP', 'SIGKILL'] as const) {
        try {
          if (s && stat(pid)?.startTime === s.startTime) process.kill(pid, sig);
        } catch {
          // gone
        }
      }
    }
    await sleep(5);
  }
  return seen.size;
}

export interface Emptied {
  /** performance.now() at the start of the first /proc scan that found none; NaN if none did. */
  at: number;
  /** Marked processes still alive at the end (0 when emptied). */
  survivors: number;
  /** Median duration of one scan, ms: the resolution of `at`. */
  scanMs: number;
}

/**
 * Scans /proc back to back (yielding to the event loop between scans, so a stop's reaping goes on)
 * until no marked process is left or `settleMs` have passed since the call: a live fork loop never
 * settles, so whatever is left then is a survivor.
 */
export async function untilEmpty(entry: string, settleMs: number): Promise<Emptied> {
  const t0 = performance.now();
  const scans: number[] = [];
  for (;;) {
    const start = performance.now();
    const left = marked(entry).length;
    scans.push(performance.now() - start);
    const scanMs = scans.sort((a, b) => a - b)[Math.floor(scans.length / 2)] ?? NaN;
    if (left === 0) return { at: start, survivors: 0, scanMs };
    if (start - t0 > settleMs) return { at: NaN, survivors: left, scanMs };
    await new Promise((r) => setImmediate(r));
  }
}
