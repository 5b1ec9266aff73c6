// Identity before signal (docs/design.md, invariant 3) on every path that holds a process that is
// not our unreaped child. A recycled PID is simulated by a live, unrelated bystander: a ref (or a
// registry entry) whose process is gone is made to carry the bystander's PID, with the gone
// process's start time or pidfd. Whatever is then called, the bystander gets no signal at all
// (test/helpers/bystander.ts checks its signal log and that it still runs) and the call reports
// the process gone.
/* eslint-disable nursery/no-raw-child-process -- the process that "was" the PID is the test's own */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DaemonHandle } from '../../src/daemon/daemon-handle.js';
import type { DaemonEntry } from '../../src/daemon/entry.js';
import { Nursery, isNurseryError } from '../../src/index.js';
import { readStat } from '../../src/os/proc.js';
import { SIGTERM } from '../../src/os/signals.js';
import { escalate } from '../../src/terminate/escalate.js';
import { type ProcRef, closeRef, isAlive, openRef, signalRef } from '../../src/terminate/identity.js';
import { stopOrphan } from '../../src/terminate/orphan.js';
import { RefTree } from '../../src/terminate/ref-tree.js';
import { type Bystander, assertUntouched, endBystander, startBystander } from '../helpers/bystander.js';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { native } from '../helpers/libc.js';
import { alive, assertNoLeftovers } from '../helpers/proc.js';

const base = mkdtempSync(join(tmpdir(), 'nursery-recycled-'));
const nursery = new Nursery({ subreaper: true, log: false, registryDir: join(base, 'reg') });
// In a session of its own, so its PID is a session ID too: a RefTree's session scan must not
// take it for the gone daemon's session either.
let by: Bystander;

test.before(async () => {
  by = await startBystander(base, true);
});

/** A ref held on a process that has since exited (and was reaped): the pidfd stays, naming it. */
async function refOfGoneProcess(): Promise<ProcRef> {
  const cp = spawn('sleep', ['1000'], { stdio: 'ignore' });
  const s = readStat(cp.pid as number);
  assert.ok(s);
  const ref = openRef(s);
  assert.ok(ref);
  const exited = once(cp, 'exit');
  cp.kill('SIGKILL');
  await exited;
  return ref;
}

/**
 * The two ways a ref names a process, each carrying the bystander's PID: a pidfd on a process that
 * is gone, or (without a pidfd) a start time that is not the bystander's. The caller owns each ref
 * (closeRef it once done: it is idempotent).
 */
async function recycledRefs(): Promise<{ how: string; ref: ProcRef }[]> {
  const stranger = { pid: by.pid, pgrp: by.pgrp, session: by.session };
  const out = [];
  if (native()) {
    const gone = await refOfGoneProcess();
    assert.ok(gone.pidfd >= 0);
    out.push({ how: 'pidfd', ref: { ...gone, ...stranger } });
    gone.pidfd = -1; // the copy owns the descriptor now
  }
  out.push({ how: 'start time', ref: { ...stranger, startTime: by.startTime - 1, comm: 'sleep', pidfd: -1 } });
  return out;
}

test('a ref whose PID now names another process: not alive, not signalled, its tree stop aims at nobody', async () => {
  for (const { how, ref } of await recycledRefs()) {
    assert.equal(isAlive(ref), false, `${how}: gone`);
    assert.equal(signalRef(ref, SIGTERM), 'gone', `${how}: signalRef says gone`);
    const tree = new RefTree(ref, { session: true, ownsRoot: false });
    const report = await escalate(tree, { signal: SIGTERM, graceMs: 0 });
    tree.close();
    assert.equal(report.signalled, 0, `${how}: the stop aimed at nobody`);
    assert.equal(report.survivors, 0);
    closeRef(ref);
    await assertUntouched(by);
  }
});

test("an attached daemon whose PID was recycled: state 'exited', stop() and exited signal nobody", async () => {
  for (const { how, ref } of await recycledRefs()) {
    const entry: DaemonEntry = {
      version: 1,
      id: 'd-0123456789ab',
      pid: ref.pid,
      startTime: ref.startTime,
      bootId: '',
      owner: 'ghost',
      command: 'sleep',
      args: ['1000'],
      cwd: null,
      stdout: null,
      stderr: null,
      startedAt: new Date().toISOString(),
      killSignal: SIGTERM,
      graceMs: 0,
    };
    let ended = 0;
    const hooks = { claim: () => null, reapNow: () => undefined, onEnd: () => void ended++ };
    const d = new DaemonHandle(entry, ref, hooks);
    assert.equal(d.state, 'exited', `${how}: seen as ended`);
    const exit = await d.stop();
    assert.equal(exit.stopped, false, `${how}: it ended before the stop, so the stop did not end it`);
    assert.equal(ended, 1);
    assert.equal(ref.pidfd, -1, `${how}: the handle closed its ref once it saw the end`);
    await assertUntouched(by);
  }
});

test('the orphan policy stops the process it judged or nobody: another start time is refused', async () => {
  assert.equal(await stopOrphan(by.pid, by.startTime + 1, 0, SIGTERM), null);
  await assertUntouched(by);
});

test('a registry entry rewritten to name an unrelated PID: attach(), stopAll(), daemons() spare it', async () => {
  const registryDir = join(base, 'reg');
  const d = await nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1000'] });
  const file = join(registryDir, `${d.id}.json`);
  const real = readFileSync(file, 'utf8');
  const entry = JSON.parse(real) as DaemonEntry;
  // The daemon's own start time, but the bystander's PID: what a recycled PID looks like.
  const forged = JSON.stringify({ ...entry, pid: by.pid, killSignal: SIGTERM, graceMs: 0 });
  const later = new Nursery({ log: false, registryDir });

  writeFileSync(file, forged, { mode: 0o600 });
  assert.throws(
    () => later.attach(d.id),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_NO_DAEMON',
  );
  writeFileSync(file, forged, { mode: 0o600 });
  assert.deepEqual(await later.stopAll({ daemons: true, graceMs: 0 }), [], 'no daemon to stop');
  writeFileSync(file, forged, { mode: 0o600 });
  assert.deepEqual(later.daemons(), [], 'pruned');
  await assertUntouched(by);
  await later.close();

  assert.ok(alive(d.pid), 'the real daemon was not touched either');
  const exit = await d.stop();
  assert.equal(exit.stopped, true);
  assert.ok(!alive(d.pid));
});

test('Handle.signal() after the child was reaped returns false and calls kill(2) for nobody', async () => {
  const h = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  assert.equal(h.signal(0), true, 'signal 0 to a live child');
  await h.stop({ signal: 'SIGKILL' });
  const calls: unknown[] = [];
  const kill = process.kill;
  process.kill = (...args: Parameters<typeof process.kill>): true => {
    calls.push(args);
    return kill.apply(process, args);
  };
  try {
    assert.equal(h.signal('SIGTERM'), false);
    assert.equal(h.signal(0), false);
  } finally {
    process.kill = kill;
  }
  assert.deepEqual(calls, [], 'no kill(2) at all');
});

test('the test file leaves no child or zombie behind', async () => {
  await endBystander(by);
  await nursery.close();
  await stopDaemonsUnder(base);
  rmSync(base, { recursive: true, force: true });
  await assertNoLeftovers();
});
