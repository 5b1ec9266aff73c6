// The pure parts of `nursery doctor`, on made-up snapshots: grouping, ages, ancestry, the limit,
// PID 1's kind, the advice, the tree and the flags. The real processes are in test/cli/doctor.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProcStat } from '../../src/os/proc.js';
import { parseDoctorArgs } from '../../src/doctor/args.js';
import { judge } from '../../src/doctor/findings.js';
import { classifyPid1, isNurseryInit } from '../../src/doctor/pid1.js';
import { render } from '../../src/doctor/render.js';
import type { Snapshot } from '../../src/doctor/scan.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const ps = (pid: number, ppid: number, comm: string, state = 'S', startTime = 100): ProcStat => ({
  pid,
  ppid,
  comm,
  state,
  pgrp: pid,
  session: pid,
  startTime,
  utime: 0,
  stime: 0,
  rssPages: 0,
  threads: 1,
});

function snapshot(processes: ProcStat[], pid1Cmdline = '/usr/local/bin/node server.js'): Snapshot {
  const pid1 = processes.find((p) => p.pid === 1) ?? null;
  return {
    scope: null,
    takenAt: new Date(0),
    uptimeSeconds: 1000,
    clockTicks: 100,
    processes,
    outsiders: [],
    cmdlines: new Map([[1, pid1Cmdline]]),
    pid1: { stat: pid1, cmdline: pid1 === null ? null : pid1Cmdline, sigchld: 'caught' },
  };
}

// PID 1 node; 10 bash; 20 python3 holding 3 zombies (one started at 10 s after boot);
// PID 1 itself holding 1; two live orphans of PID 1.
const HOST = [
  ps(1, 0, 'node'),
  ps(10, 1, 'bash'),
  ps(20, 10, 'python3'),
  ps(21, 20, 'convert', 'Z', 1000),
  ps(22, 20, 'convert', 'Z', 90_000),
  ps(23, 20, 'gs', 'Z', 50_000),
  ps(30, 1, 'chrome', 'Z', 95_000),
  ps(40, 1, 'sleep', 'S', 20_000),
  ps(41, 1, 'sleep', 'S', 500),
  ps(42, 1, 'esbuild'),
];

test('zombies are grouped by parent with count, names, oldest age and ancestry; errors first', () => {
  const r = judge(snapshot(HOST), 2);
  assert.equal(r.zombies, 4);
  assert.equal(r.healthy, false);
  assert.deepEqual(
    r.zombieParents.map((p) => [p.pid, p.comm, p.count, p.pids, p.oldestAgeSeconds, p.overLimit]),
    [
      [20, 'python3', 3, [21, 22, 23], 990, true],
      [1, 'node', 1, [30], 50, false],
    ],
  );
  assert.deepEqual(r.zombieParents[0]?.names, [
    { comm: 'convert', count: 2 },
    { comm: 'gs', count: 1 },
  ]);
  assert.deepEqual(r.zombieParents[0]?.ancestors, [
    { pid: 1, comm: 'node' },
    { pid: 10, comm: 'bash' },
  ]);
  assert.deepEqual(r.adopted, [
    { comm: 'sleep', count: 2, pids: [40, 41], oldestAgeSeconds: 995 },
    { comm: 'bash', count: 1, pids: [10], oldestAgeSeconds: 999 },
    { comm: 'esbuild', count: 1, pids: [42], oldestAgeSeconds: 999 },
  ]);
  assert.equal(r.pid1.kind, 'application');
  assert.equal(r.pid1.zombies, 1);
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.severity, f.pid]),
    [
      ['zombies-over-limit', 'error', 20],
      ['zombies', 'warning', 1],
      ['adopted', 'info', 1],
    ],
  );
  assert.match(r.findings[0]?.message ?? '', /^parent 20 \(python3\) holds 3 zombies, the oldest started 16m 30s ago/);
  assert.match(r.findings[1]?.message ?? '', /^PID 1 \(node\) holds 1 zombie, .*does not reap the orphans/);
  const quiet = judge(snapshot(HOST.filter((p) => p.pid !== 30)), null);
  assert.deepEqual(
    quiet.findings.map((f) => [f.code, f.severity]),
    [
      ['zombies', 'warning'],
      ['pid1-application', 'info'],
      ['adopted', 'info'],
    ],
    'PID 1 holding no zombie: only said to be no known init',
  );
  assert.match(quiet.findings[1]?.message ?? '', /^PID 1 is an application \(node\), not a known init: unless/);
  assert.equal(judge(snapshot(HOST), 3).healthy, true);
  assert.equal(judge(snapshot(HOST), null).healthy, true);
});

test('under a known init, its children are no finding and its zombies point at the init itself', () => {
  const procs = HOST.map((p) => (p.pid === 1 ? { ...p, comm: 'tini' } : p));
  const r = judge(snapshot(procs, '/sbin/tini -- node server.js'), null);
  assert.deepEqual(r.pid1, {
    pid: 1,
    comm: 'tini',
    cmdline: '/sbin/tini -- node server.js',
    kind: 'init',
    init: 'tini',
    sigchld: 'caught',
    zombies: 1,
  });
  assert.deepEqual(
    r.findings.map((f) => [f.code, f.pid]),
    [
      ['zombies', 20],
      ['zombies', 1],
    ],
  );
  assert.match(r.findings[0]?.advice ?? '', /PID 1 \(tini\), which reaps them/);
  assert.match(r.findings[1]?.advice ?? '', /stopped, traced or stuck/);
});

test('PID 1 is classified by name, by argv[0], and `nursery init` by its command line', () => {
  const cases: [string | null, string | null, string, string | null][] = [
    ['tini', '/tini -- app', 'init', 'tini'],
    ['docker-init', '/sbin/docker-init -- app', 'init', 'docker-init (tini)'],
    ['dumb-init', 'dumb-init app', 'init', 'dumb-init'],
    ['catatonit', 'catatonit -- app', 'init', 'catatonit'],
    ['s6-svscan', 's6-svscan /run/service', 'init', 's6-svscan'],
    ['systemd', '/sbin/init splash', 'init', 'systemd'],
    ['runit', 'runit', 'init', 'runit'],
    ['renamed', '/usr/bin/tini -- app', 'init', 'tini'],
    ['node', 'node /usr/local/bin/nursery init -- node server.js', 'nursery-init', 'nursery init'],
    ['node', 'node /app/node_modules/nursery/dist/src/cli/main.js init -- x', 'nursery-init', 'nursery init'],
    [
      'node',
      'node /usr/lib/node_modules/nursery/bin/../dist/src/cli/main.js init -- x',
      'nursery-init',
      'nursery init',
    ],
    ['node', 'node server.js init', 'application', null],
    ['node', 'node /usr/local/bin/nursery doctor -- init', 'application', null],
    ['python3', 'python3 app.py', 'application', null],
    [null, null, 'unknown', null],
  ];
  for (const [comm, cmdline, kind, init] of cases) {
    assert.deepEqual(classifyPid1(comm, cmdline), { kind, init }, `${comm} ${cmdline}`);
  }
  assert.equal(isNurseryInit('nursery init'), true);
  assert.equal(isNurseryInit('node app.js -- nursery init'), false);
});

test('a scoped report starts its ancestry at the scope and says nothing of PID 1', () => {
  const snap = { ...snapshot(HOST.filter((p) => [10, 20, 21, 22, 23].includes(p.pid))), scope: 10 };
  const r = judge(snap, null);
  assert.deepEqual(r.scope, { pid: 10, comm: 'bash' });
  assert.deepEqual(r.zombieParents[0]?.ancestors, [{ pid: 10, comm: 'bash' }]);
  assert.deepEqual(
    r.adopted.map((g) => g.pids),
    [[10]],
    'the scope root is a child of PID 1: listed, though no finding',
  );
  assert.deepEqual(
    r.findings.map((f) => f.code),
    ['zombies'],
  );
});

test('the human tree merges ancestries and marks each culprit', () => {
  const text = render(judge(snapshot(HOST), 2));
  const tree = text.slice(text.indexOf('4 zombies under 2 parents:'), text.indexOf('live children'));
  assert.equal(
    tree,
    [
      '4 zombies under 2 parents:',
      '  1 node  ! 1 zombie (chrome ×1), oldest started 50s ago',
      '  └─ 10 bash',
      '     └─ 20 python3  ✗ 3 zombies (convert ×2, gs ×1), oldest started 16m 30s ago',
      '',
    ].join('\n'),
  );
  assert.match(text, /^live children of PID 1: 4 \(sleep ×2, bash ×1, esbuild ×1\)$/m);
  assert.match(text, /unhealthy: a parent holds more than 2 zombies\n$/);
  assert.match(render(judge(snapshot([ps(1, 0, 'tini')], 'tini'), 0)), /no zombies[\s\S]*healthy: no parent holds/);
});

test('flags: --json, --max-zombies N, --pid N, in both spellings', () => {
  assert.deepEqual(parseDoctorArgs([]), { json: false, maxZombies: null, pid: null, help: false });
  assert.deepEqual(parseDoctorArgs(['--json', '--max-zombies', '0', '--pid=42']), {
    json: true,
    maxZombies: 0,
    pid: 42,
    help: false,
  });
  for (const bad of [['--max-zombies', '-1'], ['--max-zombies', '1e3'], ['--pid', 'abc'], ['--pid', ' 7'], ['-x']]) {
    assert.throws(
      () => parseDoctorArgs(bad),
      (e: unknown) =>
        e instanceof TypeError && /^ERR_NURSERY_(INVALID|UNKNOWN)_OPTION$/.test(String((e as { code?: unknown }).code)),
      bad.join(' '),
    );
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
