// A burst of 1,000 orphans that exit at once under an init that is PID 1 of a fresh PID
// namespace: nursery init vs tini, measured the same way for both, the way reap-latency.ts
// measures tini: bench/fixtures/pid1-orphans.js runs as the init's child, makes the orphans
// (adopted by PID 1), SIGKILLs them all in one loop and sweeps /proc until each has vanished
// (= reaped by the init).
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { nodeFixture } from './lib/paths.js';
import { asPid1, ensurePeer, NURSERY_BIN, pidnsUnavailable } from './lib/peers.js';
import { run } from './lib/run.js';
import { type Summary, ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const COUNT = 1000;

interface Burst {
  latencies: number[];
  missed: number;
}

async function burst(init: string[]): Promise<Burst> {
  const argv = asPid1([...init, '--', process.execPath, nodeFixture('pid1-orphans'), 'burst', `${COUNT}`, `${COUNT}`]);
  const r = await run(argv, { timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code ?? r.signal}: ${r.stderr.trim()}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`no result from ${argv.join(' ')}: ${r.stdout.trim()} ${r.stderr.trim()}`);
  return JSON.parse(line) as Burst;
}

function text(s: Summary, drains: number[], missed: number): string {
  const d = summarize(drains);
  return (
    `p50 ${ms(s.p50)}, p99 ${ms(s.p99)}, max ${ms(s.max)}; whole burst drained in ${ms(d.p50)} (median of ` +
    `${d.n})${missed > 0 ? `; ${missed} NOT reaped` : ''}`
  );
}

export const initBurst: Bench = async (ctx) => {
  const rounds = ctx.quick ? 1 : 5;
  const why = pidnsUnavailable();
  const tini = ensurePeer('tini', ctx);
  const benchmark =
    `init as PID 1 of a PID namespace: a burst of ${COUNT} orphans SIGKILLed in one loop, exit → reaped, ` +
    `pooled over ${rounds} burst(s) each`;
  if (why)
    return { rows: [{ benchmark, nursery: `n/a (${why})`, peers: '', ratio: '', target: '', met: null }], notes: [] };
  const inits: [string, string[]][] = [['nursery', [NURSERY_BIN, 'init']]];
  if (tini) inits.push(['tini', [tini]]);
  const results = new Map<string, { latencies: number[]; drains: number[]; missed: number }>(
    inits.map(([name]) => [name, { latencies: [], drains: [], missed: 0 }]),
  );
  for (let round = 0; round < rounds; round++) {
    // Alternate which init goes first.
    for (let i = 0; i < inits.length; i++) {
      const [name, argv] = inits[(i + round) % inits.length] as [string, string[]];
      ctx.log(`round ${round + 1}/${rounds}: ${name}, ${COUNT} orphans`);
      const b = await burst(argv);
      const r = results.get(name);
      if (!r) continue;
      r.latencies.push(...b.latencies);
      r.drains.push(Math.max(...b.latencies));
      r.missed += b.missed;
    }
  }
  const nu = results.get('nursery') as { latencies: number[]; drains: number[]; missed: number };
  const ti = results.get('tini');
  const sn = summarize(nu.latencies);
  const st = ti ? summarize(ti.latencies) : null;
  const rows: Row[] = [
    {
      benchmark,
      nursery: text(sn, nu.drains, nu.missed),
      peers: ti && st ? `tini: ${text(st, ti.drains, ti.missed)}` : 'tini n/a (not installable here)',
      ratio: st ? `p99: nursery ÷ tini ${ratio(sn.p99, st.p99)}; p50 ${ratio(sn.p50, st.p50)}` : 'n/a',
      target: 'p99 no slower than tini',
      met: st ? nu.missed === 0 && sn.p99 <= st.p99 : null,
    },
  ];
  return {
    rows,
    notes: [
      'init burst: `unshare --pid --fork --mount-proc --kill-child <init> -- node bench/fixtures/pid1-orphans.js ' +
        `burst ${COUNT} ${COUNT}\` for \`bin/nursery init\` and \`tini\`, in alternating order: the fixture (PID 2) ` +
        `forks ${COUNT} \`sleep 1000\` through a shell that exits, so PID 1 adopts them, SIGKILLs them all in one ` +
        'loop (performance.now() before each kill(2) is its exit instant) and sweeps /proc until each PID has ' +
        'vanished (the init reaped it: nothing else can in that namespace); a reap is known to within one sweep. ' +
        '"Drained" is the last orphan\'s latency. The same fixture and method as the tini rows of reap-latency.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('init-burst', initBurst);
