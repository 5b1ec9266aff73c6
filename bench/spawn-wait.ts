// Spawn-and-wait: how much nursery.spawn() + `await handle.exited` costs over a bare
// child_process.spawn() + 'exit', and against execa 9. Same process, interleaved rounds (the
// method order rotates each round), so drift of the machine falls on all three alike.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import { Nursery } from '../src/index.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

type Stdio = 'ignore' | 'pipe';
type Method = (command: string, args: string[], stdio: Stdio) => Promise<void>;

function raw(command: string, args: string[], stdio: Stdio, detached = false): Promise<void> {
  return new Promise((resolve, reject) => {
    const cp = spawn(command, args, { stdio, detached });
    cp.once('error', reject);
    cp.once('exit', () => resolve());
    // With pipes, drain them as any caller must, or a chatty child would block.
    cp.stdout?.resume();
    cp.stderr?.resume();
  });
}

async function viaExeca(command: string, args: string[], stdio: Stdio): Promise<void> {
  await execa(command, args, { stdio, reject: false });
}

function viaNursery(nursery: Nursery, killLeftovers = true): Method {
  return async (command, args, stdio) => {
    const h = nursery.spawn({ command, args, stdio, killLeftovers });
    h.stdout?.resume();
    h.stderr?.resume();
    await h.exited;
  };
}

interface Case {
  label: string;
  command: string;
  args: string[];
  stdio: Stdio;
  rounds: number;
  perRound: number;
  /** Also time the two halves of nursery's extra work (see the breakdown below). */
  breakdown?: boolean;
}

async function measure(c: Case, methods: Record<string, Method>): Promise<Record<string, number[]>> {
  const names = Object.keys(methods);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  // Warm-up: JIT, execa's lazy imports, the page cache for the binary.
  for (const n of names) for (let i = 0; i < 3; i++) await methods[n]?.(c.command, c.args, c.stdio);
  for (let r = 0; r < c.rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length] as string;
      const run = methods[name] as Method;
      const out = samples[name] as number[];
      for (let i = 0; i < c.perRound; i++) {
        const t0 = performance.now();
        await run(c.command, c.args, c.stdio);
        out.push(performance.now() - t0);
      }
    }
  }
  return samples;
}

export const spawnWait: Bench = async (ctx) => {
  const nursery = new Nursery({ log: false });
  const methods: Record<string, Method> = { nursery: viaNursery(nursery), raw, execa: viaExeca };
  // Where nursery's extra time goes: its own session and group (setsid, i.e. `detached`), and
  // the probe for leftovers of the group after exit (killLeftovers).
  const breakdown: Record<string, Method> = {
    'raw detached': (c, a, s) => raw(c, a, s, true),
    'nursery killLeftovers false': viaNursery(nursery, false),
  };
  const q = ctx.quick;
  const cases: Case[] = [
    {
      label: '`/bin/true`, stdio ignore',
      command: '/bin/true',
      args: [],
      stdio: 'ignore',
      rounds: q ? 5 : 20,
      perRound: q ? 20 : 50,
      breakdown: true,
    },
    {
      label: '`node -e 0`, stdio ignore',
      command: process.execPath,
      args: ['-e', '0'],
      stdio: 'ignore',
      rounds: q ? 3 : 10,
      perRound: q ? 5 : 10,
    },
    {
      label: '`/bin/true`, stdio pipe',
      command: '/bin/true',
      args: [],
      stdio: 'pipe',
      rounds: q ? 5 : 20,
      perRound: q ? 20 : 50,
    },
  ];
  const rows: Row[] = [];
  try {
    for (const c of cases) {
      ctx.log(`${c.label}: ${c.rounds} rounds x ${c.perRound} per method`);
      const s = await measure(c, c.breakdown ? { ...methods, ...breakdown } : methods);
      const n = summarize(s['nursery'] ?? []);
      const r = summarize(s['raw'] ?? []);
      const e = summarize(s['execa'] ?? []);
      const main = c.stdio === 'ignore';
      const parts = c.breakdown
        ? ` (breakdown: raw with \`detached: true\` ${ms(summarize(s['raw detached'] ?? []).p50)}; nursery with ` +
          `\`killLeftovers: false\` ${ms(summarize(s['nursery killLeftovers false'] ?? []).p50)})`
        : '';
      const nVsRaw = n.p50 / r.p50;
      rows.push({
        benchmark: `spawn + wait, ${c.label}: median (p90), n=${n.n} each`,
        nursery: `${ms(n.p50)} (${ms(n.p90)})`,
        peers: `raw child_process ${ms(r.p50)} (${ms(r.p90)}); execa 9 ${ms(e.p50)} (${ms(e.p90)})${parts}`,
        ratio: `nursery ÷ raw ${ratio(n.p50, r.p50)}; ÷ execa ${ratio(n.p50, e.p50)}`,
        target: main ? '<= 1.05x raw, < execa' : 'informational',
        met: main ? nVsRaw <= 1.05 && n.p50 < e.p50 : null,
      });
    }
  } finally {
    await nursery.close();
  }
  return {
    rows,
    notes: [
      'spawn + wait: one process, interleaved rounds (method order rotated each round) after 3 warm-up runs ' +
        'each; a sample is the wall time from the spawn call to the resolved wait: `nursery.spawn()` + ' +
        '`await handle.exited` (nursery runs every child in its own session and group, and checks the group for ' +
        'leftovers after exit), `child_process.spawn()` + its `exit` event, and ' +
        '`await execa(..., { reject: false })`. All three use the same stdio (ignore, or pipe with the streams ' +
        'drained); with pipes execa also waits for the streams to close. The benchmark process is a subreaper ' +
        "with nursery's reaper running (the guard), which adds the same SIGCHLD scan to all three. For " +
        "`/bin/true` two more methods run in the same rotation to split nursery's extra time: raw `child_process` " +
        'with `detached: true` (the setsid every nursery child gets) and nursery with `killLeftovers: false` (no ' +
        'probe of the group after exit).',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('spawn-wait', spawnWait);
