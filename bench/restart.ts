// Supervision (issue 14): crash → next incarnation running, with zero backoff, against a plain
// spawn-and-wait loop of the same command, and PM2's restart of the same fixture side by side.
// A cycle is the whole of one incarnation: spawn, the child's `exit 1`, the whole-tree stop of
// what is left, the policy, and the next spawn. So N cycles are timed from the 1st 'spawn' event to
// the (N+1)th, and divided by N; the plain loop times N × (spawn + 'exit') of the same command.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Nursery } from '../src/index.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { killMarked } from './lib/marked.js';
import { shellFixture } from './lib/paths.js';
import { runPm2 } from './lib/pm2-peer.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const MARK = 'NURSERY_BENCH_RESTART';
const GRACE_MS = 50;

/** One service, `cycles` crashes long: the mean cycle, ms. */
export async function serviceCycles(n: Nursery, cycles: number, env: NodeJS.ProcessEnv): Promise<number> {
  const service = n.supervise({
    name: 'crash',
    command: '/bin/sh',
    args: [shellFixture('crash.sh')],
    stdio: 'ignore',
    env,
    graceMs: GRACE_MS,
    backoff: { initialMs: 0, jitter: 0 },
    crashLoop: { deaths: 1e9 },
  });
  try {
    return await new Promise<number>((resolve, reject) => {
      let spawns = 0;
      let t0 = 0;
      service.on((e) => {
        if (e.type === 'fatal') reject(new Error(`the service went fatal: ${e.reason}`));
        if (e.type !== 'spawn') return;
        if (++spawns === 1) t0 = performance.now();
        if (spawns === cycles + 1) resolve((performance.now() - t0) / cycles);
      });
    });
  } finally {
    await service.stop();
  }
}

async function plainCycles(cycles: number, env: NodeJS.ProcessEnv): Promise<number> {
  const script = shellFixture('crash.sh');
  const t0 = performance.now();
  for (let i = 0; i < cycles; i++)
    await new Promise<void>((resolve, reject) => {
      const cp = spawn('/bin/sh', [script], { stdio: 'ignore', env });
      cp.once('error', reject);
      cp.once('exit', () => resolve());
    });
  return (performance.now() - t0) / cycles;
}

// nursery's spawn + exited alone, the same loop: what the Service adds over its Handle.
async function handleCycles(n: Nursery, cycles: number, env: NodeJS.ProcessEnv): Promise<number> {
  const script = shellFixture('crash.sh');
  const t0 = performance.now();
  for (let i = 0; i < cycles; i++)
    await n.spawn({ command: '/bin/sh', args: [script], stdio: 'ignore', env, graceMs: GRACE_MS }).exited;
  return (performance.now() - t0) / cycles;
}

export const restartBench: Bench = async (ctx) => {
  const rounds = ctx.quick ? 3 : 7;
  const cycles = ctx.quick ? 20 : 50;
  const tag = `${process.pid}.${Date.now()}`;
  const env = { ...process.env, [MARK]: tag };
  const leaving = { ...env, NB_LEAVE: '1' };
  const n = new Nursery({ subreaper: true, log: false });
  const s: Record<'nursery' | 'plain' | 'handle' | 'leaving', number[]> = {
    nursery: [],
    plain: [],
    handle: [],
    leaving: [],
  };
  // No sparing from the guard here (restart-survivors.ts counts survivors): a /proc scan every
  // 200 ms would only add noise to the timings.
  let pm2: number[] = [];
  try {
    ctx.log(
      `${rounds} rounds x ${cycles} crash cycles: nursery, plain spawn, nursery.spawn, nursery with a grandchild left`,
    );
    await serviceCycles(n, 5, env); // warm-up
    await plainCycles(5, env);
    await handleCycles(n, 5, env);
    const methods = [
      ['nursery', () => serviceCycles(n, cycles, env)],
      ['plain', () => plainCycles(cycles, env)],
      ['handle', () => handleCycles(n, cycles, env)],
      ['leaving', () => serviceCycles(n, cycles, leaving)],
    ] as const;
    for (let r = 0; r < rounds; r++)
      for (let k = 0; k < methods.length; k++) {
        const [name, run] = methods[(r + k) % methods.length] ?? methods[0];
        s[name].push(await run());
      }
    ctx.log(`PM2: ${rounds} windows of ${cycles} restarts`);
    const peer = await runPm2(['rate', String(rounds), String(cycles)], { [MARK]: tag });
    try {
      pm2 = (peer.result['perRestart'] as number[] | undefined) ?? [];
      ctx.log(
        `PM2 killed: daemon ${peer.daemonGone ? 'gone' : 'NOT gone'}, ${peer.left().length} of its processes left`,
      );
    } finally {
      await peer.remove();
    }
  } finally {
    await n.close();
    const left = await killMarked(`${MARK}=${tag}`);
    if (left > 0) ctx.log(`killed ${left} fixture processes left`);
  }
  const nu = summarize(s.nursery);
  const pl = summarize(s.plain);
  const hd = summarize(s.handle);
  const lv = summarize(s.leaving);
  const pm = summarize(pm2);
  const rows: Row[] = [
    {
      benchmark:
        'crash → next incarnation running, zero backoff (`sh crash.sh`: exit 1 at once): mean cycle, median of ' +
        `${rounds} rounds x ${cycles} cycles (p90)`,
      nursery: `${ms(nu.p50)} (p90 ${ms(nu.p90)})`,
      peers:
        `plain spawn + 'exit' loop ${ms(pl.p50)} (p90 ${ms(pl.p90)}); ` +
        `nursery.spawn + exited loop ${ms(hd.p50)} (p90 ${ms(hd.p90)}); ` +
        `PM2 ${ms(pm.p50)} per restart (p90 ${ms(pm.p90)})`,
      ratio:
        `nursery ÷ plain ${ratio(nu.p50, pl.p50)}; ÷ its spawn + exited ${ratio(nu.p50, hd.p50)}; ` +
        `PM2 ÷ nursery ${ratio(pm.p50, nu.p50)}`,
      target: '≤ 1.2x plain spawn',
      met: nu.p50 / pl.p50 <= 1.2,
    },
    {
      benchmark:
        `the same, the child leaving a setsid'd, SIGTERM-ignoring grandchild each time (grace ${GRACE_MS} ms, so ` +
        'SIGKILL): mean cycle, median (p90)',
      nursery: `${ms(lv.p50)} (p90 ${ms(lv.p90)}); minus the grace ${ms(lv.p50 - GRACE_MS)}`,
      peers: `plain loop without a grandchild ${ms(pl.p50)}`,
      ratio: `(nursery − grace) ÷ plain ${ratio(lv.p50 - GRACE_MS, pl.p50)}`,
      target: 'informational',
      met: null,
    },
  ];
  return {
    rows,
    notes: [
      "restart: `nursery.supervise({ command: '/bin/sh', args: ['crash.sh'], stdio: 'ignore', graceMs: " +
        `${GRACE_MS}, backoff: { initialMs: 0, jitter: 0 }, crashLoop: { deaths: 1e9 } })\` in a Nursery with ` +
        "subreaper: true; a round's figure is the time from the 1st 'spawn' event to the " +
        `(${cycles}+1)th, over ${cycles}; the plain loop is ${cycles} x ` +
        "`child_process.spawn('/bin/sh', ['crash.sh'])` + 'exit', and the same with `nursery.spawn()` + " +
        "`await exited` (the Service's own share). Rounds interleaved, order rotated. " +
        'PM2 7: its own PM2_HOME (a temp dir), `pm2.start({ ' +
        "interpreter: '/bin/sh', autorestart: true, restart_delay: 0, min_uptime: 0, max_restarts: 1e9, vizion: " +
        'false })` (no exp_backoff_restart_delay), `describe()` polled every 5 ms for restart_time, in a ' +
        'process of its own (fixtures/pm2-peer.ts); the daemon killed (killDaemon) and the home removed at the end.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('restart', restartBench);
