// A launch that goes wrong leaves nothing: a launcher that never reports (stopped), one that dies
// before reporting, a command that does not exist, a daemon that exits at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { Nursery, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers, ownChildren, waitFor } from '../helpers/proc.js';

const base = mkdtempSync(join(tmpdir(), 'nursery-launch-'));
const registryDir = join(base, 'reg');
const nursery = new Nursery({ subreaper: true, log: false, registryDir });

// The launcher is our child: the one that was not there before spawn() was called, found
// synchronously, before any I/O of ours could run. (It may already have reported and become
// cat(1): then it is stopped or killed before it exits, which the launch must survive as well.)
function newChild(before: ReadonlySet<number>): number {
  return ownChildren().find((c) => !before.has(c.pid))?.pid ?? 0;
}
const childPids = (): Set<number> => new Set(ownChildren().map((c) => c.pid));

// Processes anywhere on the machine whose command line holds `marker`.
function withMarker(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(marker)) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out.filter(alive);
}

const code = (e: unknown): string => (isNurseryError(e) ? e.code : String(e));

test('a launcher that reports nothing within launchTimeoutMs is killed with everything it started', async () => {
  const marker = `nursery-test-timeout-${process.pid}`;
  const before = childPids();
  const p = nursery.spawn({
    mode: 'daemon',
    command: 'sh',
    args: ['-c', `sleep 1000; : ${marker}`],
    launchTimeoutMs: 300,
  });
  const pid = newChild(before);
  assert.ok(pid > 0, 'the launcher is running');
  process.kill(pid, 'SIGSTOP');
  const outcome = await p.then(
    (d) => d,
    (e: unknown) => e,
  );
  if (isNurseryError(outcome)) {
    assert.equal(outcome.code, 'ERR_NURSERY_LAUNCH_TIMEOUT');
  } else {
    assert.fail(`a stopped launcher cannot finish a launch: ${String(outcome)}`);
  }
  assert.ok(!alive(pid), 'the launcher is gone');
  await waitFor(() => withMarker(marker).length === 0, 5000, 'nothing of the launch left');
  assert.deepEqual(readdirSync(registryDir), [], 'no registry entry');
  await waitFor(() => ownChildren().length === 0, 5000, 'no child or zombie of the launch');
});

test('a launcher that dies before it reports fails the spawn with a typed error and leaves nothing', async () => {
  const marker = `nursery-test-crash-${process.pid}`;
  const before = childPids();
  const p = nursery.spawn({ mode: 'daemon', command: 'sh', args: ['-c', `sleep 1000; : ${marker}`] });
  const pid = newChild(before);
  assert.ok(pid > 0);
  process.kill(pid, 'SIGKILL');
  const outcome = await p.then(
    (d) => d,
    (e: unknown) => e,
  );
  if (isNurseryError(outcome)) {
    assert.equal(outcome.code, 'ERR_NURSERY_LAUNCH_FAILED');
    assert.match(outcome.message, /exited \(signal SIGKILL\) before reporting/);
  } else {
    // On a fast machine the launcher may have reported in the microseconds before the kill: then
    // the daemon is real, recorded, and ours to stop.
    assert.ok(outcome && typeof outcome === 'object' && 'stop' in outcome);
    await (outcome as { stop(): Promise<unknown> }).stop();
  }
  await waitFor(() => withMarker(marker).length === 0, 5000, 'nothing of the launch left');
  assert.deepEqual(readdirSync(registryDir), []);
  await waitFor(() => ownChildren().length === 0, 5000, 'no child or zombie of the launch');
});

test('a missing command, a bad cwd and a daemon that exits at once are typed errors', async () => {
  await assert.rejects(
    nursery.spawn({ mode: 'daemon', command: 'no-such-command-4713' }),
    (e: unknown) => code(e) === 'ENOENT',
  );
  await assert.rejects(
    nursery.spawn({ mode: 'daemon', command: 'sleep', args: ['1'], cwd: join(base, 'nope') }),
    (e: unknown) => code(e) === 'ERR_NURSERY_BAD_CWD',
  );
  // A daemon that fails at once: either already dead when the launcher looked (a launch failure
  // naming its log), or started and then ended with its code, which we learn as its subreaper.
  const err = join(base, 'fail.log');
  const outcome = await nursery
    .spawn({ mode: 'daemon', command: 'sh', args: ['-c', 'echo bad config >&2; exit 3'], stderr: err })
    .then(
      (d) => d.exited,
      (e: unknown) => e,
    );
  if (isNurseryError(outcome)) {
    assert.equal(outcome.code, 'ERR_NURSERY_LAUNCH_FAILED');
    assert.ok(outcome.message.includes(err), outcome.message);
  } else if ((outcome as { known: boolean }).known) {
    assert.deepEqual(outcome, { known: true, code: 3, signal: null, stopped: false });
  } else {
    // Rare: it died in the microseconds before the launcher became cat(1), and the shell reaped it.
    assert.deepEqual(outcome, { known: false, code: null, signal: null, stopped: false });
  }
  await waitFor(() => readFileSync(err, 'utf8') === 'bad config\n', 5000, 'its stderr in the log');
  await assert.rejects(
    nursery.spawn({ mode: 'daemon', command: 'sleep', stdout: join(base, 'nope', 'out.log') }),
    (e: unknown) => code(e) === 'ERR_NURSERY_LAUNCH_FAILED',
  );
  await assert.rejects(
    nursery.spawn({ mode: 'daemon', command: 'sleep', stdio: 'pipe' } as never),
    (e: unknown) => code(e) === 'ERR_NURSERY_UNKNOWN_OPTION',
  );
  assert.deepEqual(readdirSync(registryDir), []);
  await waitFor(() => ownChildren().length === 0, 5000, 'no child or zombie of the launch');
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await stopDaemonsUnder(base);
  await assertNoLeftovers();
});
