// What seeing costs (issue 12): with 500 live children, one list(), one GET /debug/processes (JSON)
// and one Prometheus scrape, medians; and spawn + wait with metrics registered vs not (interleaved
// rounds, like spawn-wait.ts), since the metrics are read on scrape and add nothing to the spawn path.
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { Nursery } from '../src/index.js';
import { SNAPSHOT_REUSE_MS } from '../src/observe/debug/handler.js';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

function getJson(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/debug/processes', agent: false }, (res) => {
      let n = 0;
      res.on('data', (d: Buffer) => (n += d.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(n) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function time(n: number, fn: () => unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function spawnWaitCost(quick: boolean): Promise<{ with: number[]; without: number[] }> {
  const plain = new Nursery({ logger: false });
  const metered = new Nursery({ logger: false });
  metered.metrics(new Registry());
  const one = async (n: Nursery): Promise<void> => {
    await n.spawn({ command: '/bin/true', stdio: 'ignore' }).exited;
  };
  const samples = { with: [] as number[], without: [] as number[] };
  try {
    for (let i = 0; i < 5; i++) await Promise.all([one(plain), one(metered)]);
    const rounds = quick ? 5 : 20;
    const per = quick ? 20 : 50;
    // Sample by sample, alternating which goes first: drift of a shared machine falls on both alike.
    for (let i = 0; i < rounds * per; i++) {
      const pair: ['with' | 'without', Nursery][] = [
        ['without', plain],
        ['with', metered],
      ];
      if (i % 2 === 1) pair.reverse();
      for (const [name, n] of pair) samples[name].push(...(await time(1, () => one(n))));
    }
  } finally {
    await Promise.all([plain.close(), metered.close()]);
  }
  return samples;
}

export const observe: Bench = async (ctx) => {
  const N = 500;
  const nursery = new Nursery({ logger: false });
  const registry = new Registry();
  nursery.metrics(registry);
  const rows: Row[] = [];
  try {
    ctx.log(`starting ${N} sleeps`);
    for (let i = 0; i < N; i++)
      nursery.spawn({ command: 'sleep', args: ['1000'], owner: `owner-${i % 5}`, stdio: 'ignore' });
    const server = await nursery.serveDebug({ port: 0 });
    const port = server.port as number;
    const n = ctx.quick ? 20 : 100;
    await time(3, () => getJson(port));
    const list = summarize(await time(n, () => nursery.list()));
    // Each request after the reuse window, so that every one builds a fresh snapshot.
    const fresh: number[] = [];
    for (let i = 0; i < n; i++) {
      await sleep(SNAPSHOT_REUSE_MS + 10);
      fresh.push(...(await time(1, () => getJson(port))));
    }
    const json = summarize(fresh);
    const size = await getJson(port);
    const scrape = summarize(await time(n, () => registry.metrics()));
    await server.close();
    const target = (v: number): boolean => v < 20;
    rows.push(
      {
        benchmark: `list() with ${N} live children: median (p90), n=${list.n}`,
        nursery: `${ms(list.p50)} (${ms(list.p90)})`,
        peers: '—',
        ratio: '—',
        target: '< 20 ms',
        met: target(list.p50),
      },
      {
        benchmark:
          `GET /debug/processes (JSON, ${Math.round(size / 1024)} KiB) with ${N} live children: ` +
          `median (p90), n=${json.n}`,
        nursery: `${ms(json.p50)} (${ms(json.p90)})`,
        peers: '—',
        ratio: '—',
        target: '< 20 ms',
        met: target(json.p50),
      },
      {
        benchmark: `Prometheus scrape (registry.metrics()) with ${N} live children: median (p90), n=${scrape.n}`,
        nursery: `${ms(scrape.p50)} (${ms(scrape.p90)})`,
        peers: '—',
        ratio: '—',
        target: '< 20 ms',
        met: target(scrape.p50),
      },
    );
  } finally {
    await nursery.close();
  }
  ctx.log('spawn + wait with and without metrics');
  const cost = await spawnWaitCost(ctx.quick);
  const w = summarize(cost.with);
  const wo = summarize(cost.without);
  rows.push({
    benchmark: `spawn + wait, \`/bin/true\`, with metrics registered vs without: median (p90), n=${w.n} each`,
    nursery: `with ${ms(w.p50)} (${ms(w.p90)})`,
    peers: `without ${ms(wo.p50)} (${ms(wo.p90)})`,
    ratio: `with ÷ without ${ratio(w.p50, wo.p50)}`,
    target: '<= 1.02x',
    met: w.p50 / wo.p50 <= 1.02,
  });
  return {
    rows,
    notes: [
      'observe: 500 `sleep 1000` children of one Nursery (5 owners); list(), a GET of /debug/processes (each ' +
        'after the 250 ms in which requests share a snapshot, so each walks /proc afresh) over ' +
        "loopback HTTP (serveDebug, JSON, a new connection each time) and prom-client's registry.metrics() with " +
        "nursery's metrics registered, each timed from call to full answer. spawn + wait with metrics: two " +
        'Nurseries in one process, one with metrics() in a Registry that is never scraped, alternating sample by ' +
        'sample (which goes first alternates too) after 5 warm-up spawns each.',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('observe', observe);
