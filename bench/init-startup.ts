// Startup of an init: wall time of `<init> -- true` from the spawn call to its exit, nursery init
// (through bin/nursery, as a user runs it) vs tini, dumb-init, catatonit and a bare `node -e 0`;
// and each init's own peak RSS, read by its child from /proc/$PPID/status (VmHWM) just before
// the init's end, with the NODE_OPTIONS variants that might trim nursery's.
import { fileURLToPath } from 'node:url';
import { type Bench, isMain, runStandalone } from './lib/harness.js';
import { NURSERY_BIN, ensurePeer } from './lib/peers.js';
import { run } from './lib/run.js';
import { ms, ratio, summarize } from './lib/stats.js';
import type { Row } from './lib/table.js';

const MAIN_JS = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
// The child reads its parent's (the init's) peak RSS: by then the init has loaded all it will
// load and spawned; only its shutdown is left.
const HWM_CHILD = ['sh', '-c', 'grep VmHWM /proc/$PPID/status'];
const NODE_HWM = "process.stdout.write(require('fs').readFileSync('/proc/self/status','latin1').match(/VmHWM.*/)[0])";
const RSS_VARIANTS = [
  '--max-old-space-size=16',
  '--max-semi-space-size=1',
  '--jitless',
  '--jitless --max-semi-space-size=1 --max-old-space-size=16',
];

interface Method {
  name: string;
  argv: (child: readonly string[]) => string[];
}

function methods(ctx: Parameters<Bench>[0]): { list: Method[]; missing: string[] } {
  const list: Method[] = [
    { name: 'nursery', argv: (c) => [NURSERY_BIN, 'init', '--', ...c] },
    { name: 'node -e 0', argv: () => [process.execPath, '-e', '0'] },
  ];
  const missing: string[] = [];
  // tini -s: a subreaper as nursery init makes itself when it is not PID 1 (and no warning).
  for (const [peer, opts] of [
    ['tini', ['-s', '--']],
    ['dumb-init', ['--']],
    ['catatonit', ['--']],
  ] as const) {
    const bin = ensurePeer(peer, ctx);
    if (bin) list.push({ name: peer, argv: (c) => [bin, ...opts, ...c] });
    else missing.push(`${peer} n/a (not installable here)`);
  }
  list.push({ name: 'nursery without the sh wrapper', argv: (c) => [process.execPath, MAIN_JS, 'init', '--', ...c] });
  return { list, missing };
}

async function peakKiB(argv: string[], env?: NodeJS.ProcessEnv): Promise<number> {
  const r = await run(argv, { env, timeoutMs: 30_000 });
  const m = /VmHWM:\s*(\d+)\s*kB/.exec(r.stdout);
  if (!m) throw new Error(`no VmHWM from ${argv.join(' ')}: ${r.stdout.trim()} ${r.stderr.trim()}`);
  return Number(m[1]);
}

const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

export const initStartup: Bench = async (ctx) => {
  const n = ctx.quick ? 20 : 100;
  const rssN = ctx.quick ? 3 : 7;
  const { list, missing } = methods(ctx);
  const wall = new Map<string, number[]>(list.map((m) => [m.name, []]));
  const peak = new Map<string, number[]>(list.map((m) => [m.name, []]));

  ctx.log(`startup: ${list.length} methods, 3 warm-up runs each, then ${n} interleaved rounds`);
  for (let round = -3; round < n; round++) {
    // Rotate the order each round, so no method always follows the same one.
    for (let i = 0; i < list.length; i++) {
      const m = list[(i + round + 3) % list.length] as Method;
      const r = await run(m.argv(['true']), { quiet: true, timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`${m.name} -- true exited ${r.code ?? r.signal}`);
      if (round >= 0) wall.get(m.name)?.push(r.ms);
    }
  }

  ctx.log(`peak RSS: ${rssN} runs each`);
  const variants = new Map<string, number[]>(RSS_VARIANTS.map((v) => [v, []]));
  for (let i = 0; i < rssN; i++) {
    for (const m of list) {
      const argv = m.name === 'node -e 0' ? [process.execPath, '-e', NODE_HWM] : m.argv(HWM_CHILD);
      peak.get(m.name)?.push(await peakKiB(argv));
    }
    for (const v of RSS_VARIANTS)
      variants
        .get(v)
        ?.push(await peakKiB([NURSERY_BIN, 'init', '--', ...HWM_CHILD], { ...process.env, NODE_OPTIONS: v }));
  }

  const w = (name: string): ReturnType<typeof summarize> => summarize(wall.get(name) ?? []);
  const p = (name: string): number => summarize(peak.get(name) ?? []).p50;
  const peers = list.filter((m) => m.name !== 'nursery');
  const nodeW = w('node -e 0');
  const nurseryW = w('nursery');
  const tiniW = w('tini');
  const rows: Row[] = [
    {
      benchmark: `init startup, \`<init> -- true\` (plain process, not PID 1), spawn → exit: median (p90), n=${n} each`,
      nursery: `${ms(nurseryW.p50)} (${ms(nurseryW.p90)})`,
      peers: [...peers.map((m) => `${m.name} ${ms(w(m.name).p50)} (${ms(w(m.name).p90)})`), ...missing].join('; '),
      ratio: `nursery ÷ node -e 0 ${ratio(nurseryW.p50, nodeW.p50)}; ÷ tini ${ratio(nurseryW.p50, tiniW.p50)}`,
      target: '<= 1.3x bare `node -e 0`',
      met: nurseryW.p50 <= 1.3 * nodeW.p50,
    },
    {
      benchmark: `init peak RSS (VmHWM of the init, read by its child at the end): median, n=${rssN} each`,
      nursery: mib(p('nursery')),
      peers: [...peers.map((m) => `${m.name} ${mib(p(m.name))}`), ...missing].join('; '),
      ratio: `nursery ÷ node -e 0 ${ratio(p('nursery'), p('node -e 0'))}; ÷ tini ${ratio(p('nursery'), p('tini'))}`,
      target: 'informational: a Node init costs a Node runtime',
      met: null,
    },
    {
      benchmark: `nursery init peak RSS with NODE_OPTIONS set for the init: median, n=${rssN} each`,
      nursery: `default ${mib(p('nursery'))}`,
      peers: RSS_VARIANTS.map((v) => `${v} ${mib(summarize(variants.get(v) ?? []).p50)}`).join('; '),
      ratio: RSS_VARIANTS.map((v) => `${ratio(summarize(variants.get(v) ?? []).p50, p('nursery'))}`).join(' / '),
      target: 'informational: what trims memory',
      met: null,
    },
  ];
  return {
    rows,
    notes: [
      'init startup: each init runs `true` as a plain child of the benchmark (not PID 1; tini with -s, a ' +
        'subreaper as nursery init makes itself), stdio ignored; a sample is the wall time from spawn() to the ' +
        "'exit' event; 3 warm-up rounds, then rounds with the order rotated. nursery is `bin/nursery init -- true` " +
        '(a sh wrapper that reads its SigIgn, then execs node); "without the sh wrapper" runs dist/src/cli/main.js ' +
        'directly, to split the cost.',
      "init peak RSS: the init runs `sh -c 'grep VmHWM /proc/$PPID/status'`, so its child reads the init's own " +
        'peak resident set after the init has loaded everything and spawned; for bare node, node reads its own at ' +
        'the end of `-e`. The NODE_OPTIONS rows set the variable for the init only (in a container it would reach ' +
        'a Node command too, unless the init is given its own environment).',
    ],
  };
};

if (isMain(import.meta.url)) await runStandalone('init-startup', initStartup);
