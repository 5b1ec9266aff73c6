// PTY mode (src/spawn/pty.ts, src/handle/pty-handle.ts): a child on its own terminal, through
// node-pty, with the same promises as any other child. node-pty's exit thread is its one waiter,
// so the reaper (running beside, as a subreaper) must never reap a PTY child; /proc is the judge.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Nursery, isNurseryError, type PtyHandle } from '../../src/index.js';
import { alive, assertNoLeftovers, ownChildren, stat, waitFor } from '../helpers/proc.js';
import { FIXTURES } from '../helpers/tree.js';
import { collect, shell } from '../reaper/util.js';

let skip: string | false = false;
try {
  createRequire(import.meta.url)('node-pty');
} catch (error) {
  skip = `node-pty cannot load here (${(error as Error).message.split('\n')[0]})`;
}
if (!skip && process.platform !== 'linux') skip = 'these tests judge by /proc: Linux only';

const nursery = new Nursery({ subreaper: true, log: false });
const reaper = nursery.reaper;
assert.ok(reaper, 'the reaper starts with subreaper: true');

// Everything the terminal shows, collected from spawn on.
function output(child: PtyHandle): () => string {
  let text = '';
  child.onData((d) => (text += d));
  return () => text;
}

test('a PTY child gets a /dev/pts terminal of the size asked for, and resize() changes it', { skip }, async () => {
  const child = nursery.spawn({
    mode: 'pty',
    command: 'sh',
    args: ['-c', 'tty; stty size; read x; stty size; read y'],
    cols: 100,
    rows: 30,
  });
  const text = output(child);
  assert.equal(child.mode, 'pty');
  assert.deepEqual([child.stdin, child.stdout, child.stderr], [null, null, null]);
  assert.deepEqual([child.cols, child.rows], [100, 30]);
  assert.equal(nursery.list().find((c) => c.pid === child.pid)?.mode, 'pty');
  await waitFor(
    () => /\/dev\/pts\/\d+\r\n30 100\r\n/.test(text()),
    5000,
    `tty and stty size, got ${JSON.stringify(text())}`,
  );
  const tty = /\/dev\/pts\/\d+/.exec(text())?.[0];
  // /proc agrees: the terminal is its stdin, and it leads its own group and session.
  assert.equal(readlinkSync(`/proc/${child.pid}/fd/0`), tty);
  const s = stat(child.pid);
  assert.deepEqual([s?.pgrp, s?.session], [child.pid, child.pid]);

  assert.equal(child.resize(120, 40), true);
  assert.deepEqual([child.cols, child.rows], [120, 40]);
  assert.equal(child.write('\r'), true);
  await waitFor(() => text().includes('40 120\r\n'), 5000, `the new size, got ${JSON.stringify(text())}`);
  child.write(new TextEncoder().encode('\r'));
  const info = await child.exited;
  assert.deepEqual([info.code, info.signal, info.stopped], [0, null, false]);
  // Once the terminal has closed, input and size changes are refused, not sent to a reused fd.
  assert.equal(child.write('late\r'), false);
  assert.equal(child.resize(10, 10), false);
});

test('the terminal is 80x24 unless asked otherwise', { skip }, async () => {
  const child = nursery.spawn({ mode: 'pty', command: 'stty', args: ['size'] });
  const text = output(child);
  assert.equal((await child.exited).code, 0);
  assert.equal(text().trim(), '24 80');
});

test('exited reports codes 0..255 and signal deaths; the reaper beside never reaps a PTY child', { skip }, async () => {
  assert.ok(reaper);
  const events = collect(reaper);
  const codes = [0, 1, 2, 42, 127, 128, 200, 255];
  const signals = ['TERM', 'KILL', 'USR1'];
  const children = [
    ...codes.map((code) => ({ want: { code, signal: null }, script: `exit ${code}` })),
    ...signals.map((sig) => ({ want: { code: null, signal: `SIG${sig}` }, script: `kill -${sig} $$; sleep 5` })),
  ].map(({ want, script }) => ({ want, child: nursery.spawn({ mode: 'pty', command: 'sh', args: ['-c', script] }) }));
  // Tracked by PID from the moment it exists: the reaper skips it whatever state it is in.
  for (const { child } of children) assert.ok(reaper.tracked.has(child.pid), `pid ${child.pid} is tracked`);
  // Orphans beside them, which the reaper does reap (so it is awake and working).
  const shells = await Promise.all([1, 2, 3].map(() => shell('sleep 0.05 >/dev/null 2>&1 & echo $!; exit 0')));
  const orphans = shells.flatMap((s) => s.pids);
  const infos = await Promise.all(children.map(({ child }) => child.exited));
  assert.deepEqual(
    infos.map((i) => ({ code: i.code, signal: i.signal })),
    children.map((c) => c.want),
  );
  await waitFor(() => orphans.every((pid) => events.some((e) => e.pid === pid)), 5000, 'the reap of the orphans');
  const ptyPids = new Set(children.map((c) => c.child.pid));
  assert.deepEqual(
    events.filter((e) => ptyPids.has(e.pid)),
    [],
    'no PTY child was reaped by the reaper',
  );
  for (const pid of ptyPids) assert.equal(reaper.tracked.has(pid), false, `pid ${pid} left the tracked set`);
  await waitFor(() => ownChildren().length === 0, 5000, 'no child or zombie left');
});

test('stop() hangs up first, then stops the whole tree: setsid and TERM-ignoring members too', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-pty-'));
  const log = join(dir, 'signals');
  try {
    // reporter: writes the first signal it gets; deaf: ignores TERM; escaped: left the session
    // with setsid and ignores HUP and TERM, so only the SIGKILL after the grace ends it.
    const script = [
      `sh -c 'trap "echo HUP >> $LOG; exit 0" HUP; trap "echo TERM >> $LOG; exit 0" TERM;` +
        ` echo reporter=$$; while :; do sleep 0.05; done' &`,
      `sh -c 'trap "" TERM; echo deaf=$$; exec sleep 1000' &`,
      `setsid sh -c 'trap "" HUP TERM; echo escaped=$$; exec sleep 1000' &`,
      'wait',
    ].join('\n');
    const child = nursery.spawn({
      mode: 'pty',
      command: 'sh',
      args: ['-c', script],
      env: { LOG: log },
      graceMs: 500,
    });
    const text = output(child);
    const pidOf = (name: string): number => Number(new RegExp(`${name}=(\\d+)`).exec(text())?.[1] ?? 0);
    await waitFor(() => ['reporter', 'deaf', 'escaped'].every((n) => pidOf(n) > 0), 5000, 'the three PIDs');
    const pids = { reporter: pidOf('reporter'), deaf: pidOf('deaf'), escaped: pidOf('escaped') };
    // The escapee leads a session of its own before the stop (setsid happens before its echo).
    assert.equal(stat(pids.escaped)?.session, pids.escaped);
    const before = nursery.stats().killedAfterGrace;
    const info = await child.stop();
    assert.equal(info.signal, 'SIGHUP', 'the PTY child died of the hang-up');
    assert.equal(info.stopped, true);
    // One line or two: a hang-up that reaches dash between its fork and the exec of the loop's
    // `sleep` runs the trap in that child too (seen once under load). Never a TERM line.
    assert.match(readFileSync(log, 'utf8'), /^(HUP\n){1,2}$/, 'the reporter got SIGHUP, never SIGTERM');
    for (const [name, pid] of Object.entries(pids)) assert.equal(alive(pid), false, `${name} (pid ${pid}) is gone`);
    assert.equal(nursery.stats().killedAfterGrace, before + 1, 'the escapee needed the SIGKILL after the grace');
    // The reporter and the sleeps, orphaned when the shell died, are zombies of ours now (we are
    // the subreaper). With node-pty's addon loaded the reaper takes them after its grace window.
    await waitFor(() => ownChildren().length === 0, 3000, 'no zombie of the tree left');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an orphan policy that stops every orphan is never asked about a live PTY child', { skip }, async () => {
  // Before PTY children were tracked, a running one looked like an adopted orphan to the reaper.
  const asked: number[] = [];
  const strict = new Nursery({
    subreaper: true,
    log: false,
    orphans: { kill: (info) => asked.push(info.pid) > 0, graceMs: 50 },
  });
  const child = nursery.spawn({ mode: 'pty', command: 'sleep', args: ['1000'] });
  // A real orphan beside it, as the control: the policy is asked about it and stops it.
  const [orphan] = (await shell('sleep 1000 >/dev/null 2>&1 & echo $!; exit 0')).pids;
  assert.ok(orphan);
  await waitFor(() => asked.includes(orphan) && !alive(orphan), 5000, 'the policy to stop the real orphan');
  assert.equal(asked.includes(child.pid), false, 'the PTY child was not taken for an orphan');
  assert.equal(alive(child.pid), true);
  assert.equal((await child.stop()).signal, 'SIGHUP');
  await strict.close();
});

test('PTY options are checked before anything starts: typed errors, nothing left', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-pty-'));
  const notExecutable = join(dir, 'not-executable.sh');
  writeFileSync(notExecutable, '#!/bin/sh\necho hi\n', { mode: 0o644 });
  const children = ownChildren().length;
  const bad: [Record<string, unknown>, string, string][] = [
    [{ mode: 'tty' }, 'mode', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', cols: 0 }, 'cols', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', rows: -1 }, 'rows', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', cols: 80.5 }, 'cols', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', rows: 70_000 }, 'rows', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', cols: '80' }, 'cols', 'ERR_NURSERY_INVALID_OPTION'],
    [{ cols: 80 }, 'cols', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', stdio: 'pipe' }, 'stdio', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', ipc: true }, 'ipc', 'ERR_NURSERY_INVALID_OPTION'],
    [{ mode: 'pty', serialization: 'json' }, 'serialization', 'ERR_NURSERY_INVALID_OPTION'],
  ];
  for (const [extra, option, code] of bad) {
    assert.throws(
      () => nursery.spawn({ command: 'true', ...extra } as never),
      (e: unknown) => isNurseryError(e) && e.code === code && (e as { option?: string }).option === option,
      JSON.stringify(extra),
    );
  }
  // A command or cwd that cannot work fails at spawn(), as in normal mode, not as exit code 1.
  for (const [spec, code] of [
    [{ command: 'nursery-no-such-command-x' }, 'ENOENT'],
    [{ command: 'true', cwd: '/nonexistent-nursery-dir' }, 'ERR_NURSERY_BAD_CWD'],
    [{ command: notExecutable }, 'EACCES'],
  ] as const) {
    assert.throws(
      () => nursery.spawn({ mode: 'pty', ...spec }),
      (e: unknown) => isNurseryError(e) && e.code === code,
    );
  }
  assert.equal(ownChildren().length, children, 'no child started');
  rmSync(dir, { recursive: true, force: true });

  const child = nursery.spawn({ mode: 'pty', command: 'sh', args: ['-c', 'read x'] });
  for (const [cols, rows, option] of [
    [0, 24, 'cols'],
    [80, 0, 'rows'],
    [80.5, 24, 'cols'],
    [80, Number.NaN, 'rows'],
  ] as const) {
    assert.throws(
      () => child.resize(cols, rows),
      (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION' && e.message.includes(option),
    );
  }
  assert.throws(() => child.write(42 as never), { code: 'ERR_NURSERY_INVALID_OPTION' });
  assert.throws(() => child.onData('x' as never), { code: 'ERR_NURSERY_INVALID_OPTION' });
  assert.throws(() => child.onMessage(() => undefined), { code: 'ERR_NURSERY_NO_IPC' });
  child.write('\r');
  assert.equal((await child.exited).code, 0);
});

const LAZY = join(FIXTURES, 'pty-lazy.js');
interface LazyReport {
  normal: number | null;
  before: boolean;
  after: boolean;
  pty: { code: number | null } | null;
  error: { code: string; message: string; nursery: boolean; cause: string } | null;
}

test('importing nursery does not load node-pty: only the first PTY spawn does', { skip }, async () => {
  const r = await nursery.run(process.execPath, [LAZY], { timeoutMs: 30_000 });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as LazyReport;
  assert.deepEqual(
    [report.normal, report.before, report.after, report.pty, report.error],
    [0, false, true, { code: 0 }, null],
  );
});

// A real missing package, not a simulated one: the built library and the fixture are copied into
// a directory from which node-pty cannot be resolved (koffi, the one dependency, is linked in).
const linuxOnly = process.platform !== 'linux' && 'the fixture reads /proc/self/maps: Linux only';
test(
  'without node-pty, PTY mode is ERR_NURSERY_NO_PTY naming the package and how to install it',
  { skip: linuxOnly },
  async (t) => {
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    const app = mkdtempSync(join(tmpdir(), 'nursery-no-pty-'));
    try {
      cpSync(join(repo, 'dist/src'), join(app, 'dist/src'), { recursive: true });
      mkdirSync(join(app, 'dist/test/fixtures'), { recursive: true });
      cpSync(LAZY, join(app, 'dist/test/fixtures/pty-lazy.js'));
      writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
      mkdirSync(join(app, 'node_modules'));
      symlinkSync(join(repo, 'node_modules/koffi'), join(app, 'node_modules/koffi'));
      try {
        createRequire(join(app, 'dist/src/spawn/pty.js')).resolve('node-pty');
        t.skip(`node-pty is resolvable from ${app} (a global install?): cannot make it missing here`);
        return;
      } catch {
        // missing, as wanted
      }
      const env = { NODE_PATH: undefined };
      const r = await nursery.run(process.execPath, [join(app, 'dist/test/fixtures/pty-lazy.js')], {
        env,
        timeoutMs: 30_000,
      });
      assert.equal(r.code, 0, r.stderr);
      const report = JSON.parse(r.stdout) as LazyReport;
      assert.equal(report.normal, 0, 'normal mode works without node-pty');
      assert.equal(report.pty, null);
      assert.equal(report.error?.code, 'ERR_NURSERY_NO_PTY');
      assert.equal(report.error.nursery, true);
      assert.equal(report.error.cause, 'MODULE_NOT_FOUND');
      assert.match(report.error.message, /optional peer dependency node-pty, which is not installed/);
      assert.match(report.error.message, /npm i node-pty/);
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
