// `nursery doctor`, on real processes: a parent holding 7 zombies (a shell that starts 7 `true`s,
// then execs `sleep`, which never waits), judged by the CLI as a user runs it, and by /proc.
/* eslint-disable nursery/no-raw-child-process -- unshare(1) is probed directly, as in test/reaper/pid1.test.ts */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Nursery } from '../../src/index.js';
import type { Handle } from '../../src/index.js';
import type { DoctorReport } from '../../src/doctor/types.js';
import { assertNoLeftovers, childrenOf, stat, waitFor } from '../helpers/proc.js';
import { pidnsSkip } from '../helpers/pidns.js';
import { FIXTURES } from '../helpers/tree.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const ZOMBIES = 7;
const PID1_FIXTURE = `${FIXTURES}doctor-pid1.js`;

// A subreaper: when the test stops the sleep, its zombies come back here and are reaped, rather
// than going to the harness or to the machine's PID 1.
const nursery = new Nursery({ subreaper: true, log: false });

interface Cli {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function doctor(...args: string[]): Promise<Cli> {
  const r = await nursery.run(process.execPath, [MAIN, 'doctor', ...args], { timeoutMs: 120_000 });
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

async function doctorJson(...args: string[]): Promise<{ code: number | null; report: DoctorReport }> {
  const r = await doctor('--json', ...args);
  assert.equal(r.stderr, '');
  return { code: r.code, report: JSON.parse(r.stdout) as DoctorReport };
}

function zombiesOf(pid: number): number[] {
  return childrenOf(pid).filter((c) => stat(c)?.state === 'Z');
}

/** A `sleep` holding `n` zombies, once /proc shows all of them. */
async function zombieParent(n: number): Promise<Handle> {
  const trues = Array.from({ length: n }, () => '/bin/true &').join(' ');
  const h = nursery.spawn({ command: 'sh', args: ['-c', `${trues} exec sleep 600`], stdio: 'ignore' });
  await waitFor(
    () => stat(h.pid)?.comm === 'sleep' && zombiesOf(h.pid).length === n,
    60_000,
    `sleep ${h.pid} to hold ${n} zombies`,
  );
  return h;
}

async function stopAndCheck(h: Handle): Promise<void> {
  const zombies = zombiesOf(h.pid);
  await h.stop();
  // Its zombies were handed to us (the subreaper) and reaped.
  await waitFor(() => zombies.every((z) => stat(z) === null), 30_000, 'the zombies to be reaped');
}

test('a parent holding 7 zombies is reported with count 7, with --pid and for the whole host', async () => {
  const h = await zombieParent(ZOMBIES);
  try {
    const zombies = zombiesOf(h.pid).sort((a, b) => a - b);
    const scoped = await doctorJson('--pid', String(h.pid));
    assert.equal(scoped.code, 0);
    assert.deepEqual(scoped.report.scope, { pid: h.pid, comm: 'sleep' });
    assert.equal(scoped.report.zombies, ZOMBIES);
    assert.equal(scoped.report.processes, ZOMBIES + 1);
    assert.equal(scoped.report.zombieParents.length, 1);
    const [p] = scoped.report.zombieParents;
    assert.ok(p);
    assert.equal(p.pid, h.pid);
    assert.equal(p.comm, 'sleep');
    assert.equal(p.cmdline, 'sleep 600');
    assert.equal(p.count, ZOMBIES);
    assert.deepEqual(p.pids, zombies);
    assert.deepEqual(p.names, [{ comm: 'true', count: ZOMBIES }]);
    assert.equal(p.overLimit, false);
    assert.deepEqual(p.ancestors, [], 'the scope starts at the parent');
    assert.ok(p.oldestAgeSeconds !== null && p.oldestAgeSeconds >= 0);
    assert.deepEqual(scoped.report.adopted, []);
    assert.deepEqual(
      scoped.report.findings.map((f) => [f.code, f.pid]),
      [['zombies', h.pid]],
      'one finding; PID 1 is outside the scope',
    );

    const host = await doctorJson();
    assert.equal(host.code, 0, 'no threshold: exit 0 whatever is found');
    assert.equal(host.report.scope, null);
    const mine = host.report.zombieParents.find((z) => z.pid === h.pid);
    assert.ok(mine, 'the whole-host report lists our sleep');
    assert.equal(mine.count, ZOMBIES);
    assert.equal(mine.ancestors.at(-1)?.pid, process.pid, 'its ancestry ends at this process, its parent');
    assert.ok(host.report.findings.some((f) => f.pid === h.pid && f.code === 'zombies'));
  } finally {
    await stopAndCheck(h);
  }
});

test('--max-zombies 5 exits 1 with the parent over the limit; --max-zombies 7 exits 0 for its subtree', async () => {
  const h = await zombieParent(ZOMBIES);
  try {
    const over = await doctorJson('--max-zombies', '5', '--pid', String(h.pid));
    assert.equal(over.code, 1);
    assert.equal(over.report.healthy, false);
    assert.equal(over.report.maxZombies, 5);
    assert.equal(over.report.zombieParents[0]?.overLimit, true);
    assert.deepEqual(
      over.report.findings.map((f) => [f.code, f.severity, f.pid]),
      [['zombies-over-limit', 'error', h.pid]],
    );
    // The whole host: our 7 are over 5 whatever else the machine holds.
    assert.equal((await doctor('--max-zombies=5')).code, 1);
    const at = await doctorJson('--max-zombies', '7', '--pid', String(h.pid));
    assert.equal(at.code, 0);
    assert.equal(at.report.healthy, true);
    assert.equal(at.report.zombieParents[0]?.overLimit, false);
  } finally {
    await stopAndCheck(h);
  }
});

test('the human output is a tree with the culprit marked, its count and advice', async () => {
  const h = await zombieParent(ZOMBIES);
  try {
    const over = await doctor('--max-zombies', '5', '--pid', String(h.pid));
    assert.equal(over.code, 1);
    assert.equal(over.stderr, '');
    const lines = over.stdout.split('\n');
    assert.match(
      lines[0] ?? '',
      new RegExp(`^nursery doctor: subtree of ${h.pid} \\(sleep\\), ${ZOMBIES + 1} processes, uptime \\d`),
    );
    assert.match(over.stdout, /^PID 1: /m);
    assert.match(over.stdout, /^7 zombies under 1 parent:$/m);
    assert.ok(
      lines.some((l) => l.startsWith(`  ${h.pid} sleep  ✗ 7 zombies (true ×7), oldest started `)),
      over.stdout,
    );
    assert.match(over.stdout, new RegExp(`✗ parent ${h.pid} \\(sleep\\) holds 7 zombies.*more than --max-zombies 5`));
    assert.match(over.stdout, /→ make sleep wait for its children/);
    assert.match(over.stdout, /unhealthy: a parent holds more than 5 zombies\n$/);

    const host = await doctor();
    assert.equal(host.code, 0);
    // In the whole-host tree our sleep hangs under this process, marked as holding zombies.
    const at = host.stdout.split('\n').findIndex((l) => l.includes(`─ ${h.pid} sleep  ! 7 zombies (true ×7)`));
    assert.ok(at > 0, host.stdout);
    assert.match(host.stdout.split('\n')[at - 1] ?? '', new RegExp(`─ ${process.pid} `), 'its parent, one line up');
  } finally {
    await stopAndCheck(h);
  }
});

test('bad flags exit 2 with the reason on stderr and nothing on stdout', async () => {
  // PIDs are below pid_max, so pid_max itself names no process.
  const noSuchPid = readFileSync('/proc/sys/kernel/pid_max', 'latin1').trim();
  const cases: [string[], RegExp][] = [
    [['--frobnicate'], /unknown argument "--frobnicate"/],
    [['extra'], /unknown argument "extra"/],
    [['--max-zombies', '-1'], /--max-zombies must be a whole number >= 0; received "-1"/],
    [['--max-zombies', '1.5'], /--max-zombies must be a whole number/],
    [['--max-zombies'], /--max-zombies needs a value/],
    [['--pid', 'abc'], /--pid must be a whole number >= 1; received "abc"/],
    [['--pid', '0'], /--pid must be a whole number >= 1/],
    [['--pid', noSuchPid], new RegExp(`--pid ${noSuchPid}: no such process`)],
    [['--json=yes'], /--json takes no value/],
  ];
  for (const [args, reason] of cases) {
    const r = await doctor(...args);
    assert.equal(r.code, 2, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
    assert.match(r.stderr, /^nursery doctor: /, args.join(' '));
    assert.match(r.stderr, reason, args.join(' '));
    assert.match(r.stderr, /usage: nursery doctor/);
  }
  const help = await doctor('--help');
  assert.equal(help.code, 0);
  assert.match(help.stdout, /exit codes: 0 healthy, 1 .*, 2 usage error/);
});

test('the JSON report has every documented key, with its type', async () => {
  const h = await zombieParent(2);
  try {
    const { report } = await doctorJson('--max-zombies', '1');
    assert.deepEqual(Object.keys(report), [
      'version',
      'scope',
      'time',
      'uptimeSeconds',
      'clockTicks',
      'processes',
      'pid1',
      'zombies',
      'zombieParents',
      'adopted',
      'maxZombies',
      'healthy',
      'findings',
    ]);
    assert.equal(report.version, 1);
    assert.ok(!Number.isNaN(Date.parse(report.time)));
    assert.equal(typeof report.uptimeSeconds, 'number');
    assert.ok(Number.isInteger(report.clockTicks) && report.clockTicks > 0);
    assert.deepEqual(Object.keys(report.pid1), ['pid', 'comm', 'cmdline', 'kind', 'init', 'sigchld', 'zombies']);
    assert.equal(report.pid1.pid, 1);
    assert.ok(['init', 'nursery-init', 'application', 'unknown'].includes(report.pid1.kind));
    assert.ok([null, 'caught', 'ignored', 'default'].includes(report.pid1.sigchld));
    const mine = report.zombieParents.find((z) => z.pid === h.pid);
    assert.ok(mine);
    assert.deepEqual(Object.keys(mine), [
      'pid',
      'comm',
      'cmdline',
      'state',
      'count',
      'pids',
      'names',
      'oldestAgeSeconds',
      'overLimit',
      'ancestors',
    ]);
    assert.equal(mine.overLimit, true);
    for (const a of mine.ancestors) assert.deepEqual(Object.keys(a), ['pid', 'comm']);
    for (const g of report.adopted) assert.deepEqual(Object.keys(g), ['comm', 'count', 'pids', 'oldestAgeSeconds']);
    assert.ok(report.findings.length > 0);
    for (const f of report.findings) {
      assert.deepEqual(Object.keys(f), ['code', 'severity', 'pid', 'message', 'advice']);
      assert.ok(['error', 'warning', 'info'].includes(f.severity));
      assert.equal(typeof f.message, 'string');
      assert.equal(typeof f.advice, 'string');
    }
    assert.equal(report.findings[0]?.severity, 'error', 'errors come first');
  } finally {
    await stopAndCheck(h);
  }
});

test(
  'in a PID namespace whose PID 1 is an application holding zombies, doctor says so',
  { skip: pidnsSkip() },
  async () => {
    // PID 1 is node (the fixture): two orphans it adopted are its zombies when it runs doctor.
    const r = await nursery.run(
      'unshare',
      [
        '--pid',
        '--fork',
        '--mount-proc',
        '--kill-child',
        process.execPath,
        PID1_FIXTURE,
        '--json',
        '--max-zombies',
        '1',
      ],
      { timeoutMs: 120_000 },
    );
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout) as DoctorReport;
    assert.equal(report.pid1.kind, 'application');
    assert.equal(report.pid1.comm, 'node');
    assert.equal(report.pid1.zombies, 2);
    assert.deepEqual(
      report.zombieParents.map((p) => [p.pid, p.count, p.overLimit]),
      [[1, 2, true]],
    );
    assert.deepEqual(
      report.findings.map((f) => [f.code, f.pid]),
      [['zombies-over-limit', 1]],
      'the zombies under PID 1 are the finding; it is not repeated as pid1-application',
    );
    assert.match(report.findings[0]?.message ?? '', /^PID 1 \(node\) holds 2 zombies/);
    assert.match(report.findings[0]?.advice ?? '', /nursery init -- <command>/);
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
