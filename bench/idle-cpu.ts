// CPU used by an idle reaper: two node processes side by side for the same window, one running
// nursery's reaper as a subreaper with nothing to reap, one running nothing. utime + stime from
// /proc/PID/stat (fields 14 and 15, clock ticks) at the start and end of the window.
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Nursery } from '../src/index.js';
import type { Handle } from '../src/index.js';
import { type Bench, context, isMain, runStandalone } from './lib/harness.js';
import { readUntil } from './lib/lines.js';
import { nodeFixture } from './lib/paths.js';
import { stat } from './lib/proc.js';
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

export const idleCpu: Bench = async (ctx) => {
  const nursery = new Nursery({ log: false });
  const windowS = ctx.quick ? 5 : 60;
  const hz = clockTicks();
  const rows: Row[] = [];
  const kids: Record<string, Handle> = {};
  try {
    for (const mode of ['reaper', 'none']) {
      const h = nursery.spawn({ command: process.execPath, args: [nodeFixture('idle'), mode], stdio: ['pipe', 'pipe', 'inherit'] });
      kids[mode] = h;
      if (!h.stdout) throw new Error('no stdout');
      await readUntil(h.stdout, 'ready');
    }
    const reaper = kids['reaper'] as Handle;
    const none = kids['none'] as Handle;
    // Let start-up work (module loading, the first scan, V8's lazy compilation) finish first.
    await sleep(2000);
    ctx.log(`idle window: ${windowS} s${ctx.quick ? ' (BENCH_QUICK=1; the full run uses 60 s)' : ''}`);
    const r0 = ticks(reaper);
    const n0 = ticks(none);
    await sleep(windowS * 1000);
    const r = ticks(reaper) - r0;
    const n = ticks(none) - n0;
    const scans = new Promise<string>((resolve) => {
      let out = '';
      reaper.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      reaper.stdout?.on('end', () => resolve(out.trim()));
    });
    reaper.stdin?.end();
    none.stdin?.end();
    await Promise.all([reaper.exited, none.exited]);
    const scanCount = (await scans).match(/scans (\d+)/)?.[1] ?? '?';
    const cpu = (t: number): string => `${t} ticks = ${((t / hz) * 1000).toFixed(0)} ms CPU (${((t / hz / windowS) * 100).toFixed(3)}%)`;
    rows.push({
      benchmark: `CPU of an idle node process over ${windowS} s${ctx.quick ? ' (BENCH_QUICK=1: full run is 60 s)' : ''}, utime+stime at ${hz} Hz`,
      nursery: `with reaper (subreaper, nothing to reap): ${cpu(r)}; ${scanCount} scans in all (safety timer)`,
      peers: `without reaper: ${cpu(n)}`,
      ratio: `${r - n >= 0 ? '+' : ''}${r - n} ticks`,
      target: 'indistinguishable from none (within 2 ticks)',
      met: r - n <= 2,
    });
  } finally {
    for (const h of Object.values(kids)) h.stdin?.end();
    await nursery.close();
  }
  return {
    rows,
    notes: [
      `idle CPU: two node children started together (bench/fixtures/idle.ts): one with \`new Nursery({ subreaper: true, log: false })\`, one without; both only wait on stdin. After 2 s of settling, utime+stime (fields 14+15 of /proc/PID/stat, in clock ticks of 1/${hz} s) is read at the start and end of the same ${windowS} s window. "Indistinguishable" = the reaper's process used at most 2 ticks more. The reaper's scan count is its total since start (start-up scan, plus its 10 s safety timer).`,
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('idle-cpu', idleCpu);
