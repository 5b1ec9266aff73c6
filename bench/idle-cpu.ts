// CPU used by an idle reaper: two node processes side by side for the same window, one running
// nursery's reaper as a subreaper with nothing to reap, one running nothing. utime + stime from
// /proc/PID/stat (fields 14 and 15, clock ticks) at the start and end of the window.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Nursery } from '../src/index.js';
import type { Handle } from '../src/index.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { readUntil } from './lib/lines.js';
import { nodeFixture } from './lib/paths.js';
import { stat } from './lib/proc.js';
import { ms } from './lib/stats.js';
import type { Row } from './lib/table.js';

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

function ticks(h: Handle): number {
  const s = stat(h.pid);
  if (!s) throw new Error(`idle child ${h.pid} vanished`);
  return s.ticks;
}

// Ticks are sampled at 100 Hz; schedstat's first field is the exact time on CPU in ns, per
// thread, so it is summed over every thread of the process (V8's helpers included).
function onCpuNs(h: Handle): number {
  let total = 0;
  for (const tid of readdirSync(`/proc/${h.pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${h.pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
    } catch {
      // thread gone, or no schedstat in this kernel
    }
  }
  return total;
}

export const idleCpu: Bench = async (ctx) => {
  const nursery = new Nursery({ log: false });
  const windowS = ctx.quick ? 5 : 60;
  const hz = clockTicks();
  const rows: Row[] = [];
  const kids: Record<string, Handle> = {};
  try {
    // Two processes without the reaper: their difference is the noise floor.
    for (const [name, mode] of [
      ['reaper', 'reaper'],
      ['none', 'none'],
      ['none 2', 'none'],
    ] as const) {
      const h = nursery.spawn({
        command: process.execPath,
        args: [nodeFixture('idle'), mode],
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      kids[name] = h;
      if (!h.stdout) throw new Error('no stdout');
      await readUntil(h.stdout, 'ready');
    }
    const all = Object.values(kids);
    // Let start-up work (module loading, the first scan, V8's lazy compilation) finish first.
    await sleep(2000);
    ctx.log(`idle window: ${windowS} s${ctx.quick ? ' (BENCH_QUICK=1; the full run uses 60 s)' : ''}`);
    const t0 = all.map(ticks);
    const c0 = all.map(onCpuNs);
    await sleep(windowS * 1000);
    const t = all.map((h, i) => ticks(h) - (t0[i] ?? 0));
    const c = all.map((h, i) => (onCpuNs(h) - (c0[i] ?? 0)) / 1e6);
    const reaper = kids['reaper'] as Handle;
    const scans = new Promise<string>((resolve) => {
      let out = '';
      reaper.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
      reaper.stdout?.on('end', () => resolve(out.trim()));
    });
    for (const h of all) h.stdin?.end();
    await Promise.all(all.map((h) => h.exited));
    const scanCount = (await scans).match(/scans (\d+)/)?.[1] ?? '?';
    const cpu = (i: number): string =>
      `${t[i] ?? NaN} ticks (${(((t[i] ?? NaN) / hz / windowS) * 100).toFixed(3)}% CPU), on CPU ${ms(c[i] ?? NaN)}`;
    const r = t[0] ?? NaN;
    const none = Math.max(t[1] ?? NaN, t[2] ?? NaN);
    rows.push({
      benchmark:
        `CPU of an idle node process over ${windowS} s${ctx.quick ? ' (BENCH_QUICK=1: full run is 60 s)' : ''}: ` +
        `utime+stime ticks at ${hz} Hz, and exact on-CPU time (schedstat)`,
      nursery: `with reaper (subreaper, nothing to reap): ${cpu(0)}; ${scanCount} scans in all (safety timer)`,
      peers: `without reaper: ${cpu(1)}; a second one: ${cpu(2)}`,
      ratio: `${r - none >= 0 ? '+' : ''}${r - none} ticks vs the busier of the two`,
      target: 'indistinguishable from none (within 2 ticks)',
      met: r - none <= 2,
    });
  } finally {
    for (const h of Object.values(kids)) h.stdin?.end();
    await nursery.close();
  }
  return {
    rows,
    notes: [
      'idle CPU: three node children started together (bench/fixtures/idle.ts): one with ' +
        '`new Nursery({ subreaper: true, log: false })`, two without (their difference is the noise floor); all ' +
        'only wait on stdin. After 2 s of settling, utime+stime (fields 14+15 of /proc/PID/stat, in clock ticks ' +
        `of 1/${hz} s) is read at the start and end of the same ${windowS} s window, and so is the exact on-CPU ` +
        'time of every thread (first field of /proc/PID/task/*/schedstat, ns). "Indistinguishable" = the reaper\'s ' +
        "process used at most 2 ticks more than the busier of the two others. The reaper's scan count is its " +
        'total since start (start-up scan, plus its 10 s safety timer).',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('idle-cpu', idleCpu);
