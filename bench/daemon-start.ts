// Daemon start: from the spawn call to the daemon's PID known (and, for nursery, held by pidfd
// and recorded), for nursery's daemon mode, a normal nursery.spawn() of the same command, and
// PM2's way of starting its daemon (one `child_process.spawn` with `detached: true`, unref'd: a
// child of ours until we die, not a daemon). Interleaved rounds; each process is stopped after its
// sample, untimed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../src/index.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { ms, ratio, summarize } from './lib/stats.js';

type Method = () => Promise<number>;

export const daemonStart: Bench = async (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-bench-daemons-'));
  // A subreaper, as a supervisor that starts daemons would be: the stopped daemons come back here.
  const nursery = new Nursery({ subreaper: true, log: false, registryDir: join(dir, 'reg') });
  const methods: Record<string, Method> = {
    daemon: async () => {
      const t0 = performance.now();
      const d = await nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] });
      const t = performance.now() - t0;
      await d.stop({ signal: 'SIGKILL', graceMs: 0 });
      return t;
    },
    spawn: async () => {
      const t0 = performance.now();
      const h = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
      const t = performance.now() - t0;
      await h.stop({ signal: 'SIGKILL', graceMs: 0 });
      return t;
    },
    pm2: async () => {
      const t0 = performance.now();
      const cp = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
      cp.unref();
      const t = performance.now() - t0;
      // Referenced again while we wait for its end, or the loop could run dry first.
      cp.ref();
      const exited = once(cp, 'exit');
      cp.kill('SIGKILL');
      await exited;
      return t;
    },
  };
  const names = Object.keys(methods);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const rounds = ctx.quick ? 4 : 20;
  const perRound = ctx.quick ? 10 : 25;
  ctx.log(`${rounds} rounds x ${perRound} per method`);
  try {
    for (const n of names) for (let i = 0; i < 3; i++) await methods[n]?.();
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < names.length; k++) {
        const name = names[(r + k) % names.length] as string;
        for (let i = 0; i < perRound; i++) samples[name]?.push(await (methods[name] as Method)());
      }
    }
  } finally {
    await nursery.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const d = summarize(samples['daemon'] ?? []);
  const s = summarize(samples['spawn'] ?? []);
  const p = summarize(samples['pm2'] ?? []);
  return {
    rows: [
      {
        benchmark: `daemon start, \`sleep 1000\`: spawn call to PID known, median (p90), n=${d.n} each`,
        nursery: `daemon mode ${ms(d.p50)} (${ms(d.p90)})`,
        peers:
          `normal nursery.spawn() ${ms(s.p50)} (${ms(s.p90)}); ` +
          `PM2's way (detached spawn, unref) ${ms(p.p50)} (${ms(p.p90)})`,
        ratio: `daemon ÷ normal spawn ${ratio(d.p50, s.p50)}; ÷ PM2's way ${ratio(d.p50, p.p50)}`,
        target: '<= 1.5x a normal spawn',
        met: d.p50 <= 1.5 * s.p50,
      },
    ],
    notes: [
      'daemon start: interleaved rounds after 3 warm-up runs each; a sample is the wall time from the call ' +
        'to the PID known: `await nursery.spawn({ mode: "daemon" })` (a /bin/sh launcher in a new session ' +
        'forks the daemon, reports its PID and /proc stat, then exits and is reaped; the daemon is held by ' +
        'pidfd and written to the registry with write + rename), `nursery.spawn()` returning its ' +
        'Handle, and `child_process.spawn(..., { detached: true })` + `unref()` returning (PM2 starts its ' +
        'daemon so). Each process is SIGKILLed after its sample, untimed.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('daemon-start', daemonStart);
