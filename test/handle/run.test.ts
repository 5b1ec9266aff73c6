import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery, isNurseryError } from '../../src/index.js';
import { alive, assertNoLeftovers, childrenOf, holdUntil, stat, waitFor } from '../helpers/proc.js';

const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

test('run() captures stdout, stderr, code and duration', async () => {
  const r = await nursery.run('sh', ['-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(r.code, 3);
  assert.equal(r.signal, null);
  assert.equal(r.stdout, 'out\n');
  assert.equal(r.stderr, 'err\n');
  assert.equal(r.timedOut, false);
  assert.equal(r.aborted, false);
  assert.equal(r.stopped, false);
  assert.equal(r.unverified, false);
  assert.ok(r.durationMs >= 0);
});

test('run() writes input to stdin and closes it', async () => {
  const r = await nursery.run('cat', [], { input: 'line one\nline two\n' });
  assert.equal(r.stdout, 'line one\nline two\n');
  const bytes = await nursery.run('wc', ['-c'], { input: new Uint8Array(1000) });
  assert.equal(bytes.stdout.trim(), '1000');
});

test('run() with input the command never reads (EPIPE) still returns its result', async () => {
  const r = await nursery.run('sh', ['-c', 'exit 4'], { input: Buffer.alloc(4_000_000) });
  assert.equal(r.code, 4);
});

test('run() without input gives the command an empty stdin', async () => {
  const r = await nursery.run('cat');
  assert.equal(r.stdout, '');
  assert.equal(r.code, 0);
});

/** The PID of the one child of the file's Nursery that runs now (run() spawns before it returns). */
function running(): number {
  const [child] = nursery.list();
  assert.ok(child, 'run() has spawned its child');
  return child.pid;
}

test('run() stops the whole tree on timeout and says so', async () => {
  // The shell forks its foreground sleep only after both echoes.
  const result = nursery.run('sh', ['-c', 'setsid sleep 1000 & echo $!; sleep 1000 & echo $!; sleep 1000'], {
    timeoutMs: 200,
  });
  // However slow the machine, the timeout must strike a tree that has printed both PIDs and whose
  // grandchild has escaped: hold the event loop (the timer's) until then.
  const sh = running();
  holdUntil(
    () => {
      const kids = childrenOf(sh);
      return kids.length === 3 && kids.some((pid) => stat(pid)?.session === pid);
    },
    30_000,
    'the shell to start its three sleeps, one in a session of its own',
  );
  const r = await result;
  assert.equal(r.timedOut, true);
  assert.equal(r.stopped, true, 'a run ended by its timeout was stopped, as ExitInfo says');
  assert.equal(r.signal, 'SIGTERM');
  const pids = r.stdout.trim().split('\n').map(Number);
  assert.equal(pids.length, 2);
  assert.deepEqual(pids.filter(alive), []);
});

test('run() stops the whole tree on abort and says so', async () => {
  const ac = new AbortController();
  // The shell forks its foreground sleep only after the echo.
  const result = nursery.run('sh', ['-c', 'sleep 1000 & echo $!; sleep 1000'], { signal: ac.signal });
  // Abort once the tree is there, not after a fixed 100 ms a slow machine may spend starting sh.
  const sh = running();
  await waitFor(() => childrenOf(sh).length === 2, 30_000, 'the shell to start both sleeps');
  ac.abort();
  const r = await result;
  assert.equal(r.aborted, true);
  const helper = Number(r.stdout.trim());
  assert.ok(helper > 0);
  assert.equal(alive(helper), false);
});

test('helpers that outlive the command are stopped with it (seed 001, git transport helpers)', async () => {
  const r = await nursery.run('sh', ['-c', 'sleep 1000 & echo $!; exit 0']);
  assert.equal(r.code, 0);
  const helper = Number(r.stdout.trim());
  assert.ok(helper > 0);
  assert.equal(alive(helper), false);
});

test('run() past maxBuffer stops the tree and rejects with ERR_NURSERY_MAX_BUFFER and the partial output', async () => {
  await assert.rejects(
    nursery.run('sh', ['-c', 'yes | head -c 100000; sleep 1000'], { maxBuffer: 1000 }),
    (error: unknown) => {
      assert.ok(isNurseryError(error));
      assert.equal(error.code, 'ERR_NURSERY_MAX_BUFFER');
      const result = (error as unknown as { result: { stdout: string } }).result;
      assert.equal(result.stdout.length, 1000);
      return true;
    },
  );
});

test("run() with encoding: 'buffer' returns the bytes as they came; the default decodes UTF-8", async () => {
  const script = "printf '\\377\\000\\001'; printf '\\342\\202\\254' >&2";
  const raw = await nursery.run('sh', ['-c', script], { encoding: 'buffer' });
  assert.ok(Buffer.isBuffer(raw.stdout) && Buffer.isBuffer(raw.stderr));
  assert.deepEqual([...raw.stdout], [0xff, 0x00, 0x01]);
  assert.equal(raw.stderr.toString('utf8'), '€');
  const text = await nursery.run('sh', ['-c', script]);
  assert.equal(typeof text.stdout, 'string');
  assert.equal(text.stderr, '€');
  assert.equal(text.stdout, '\ufffd\u0000\u0001', 'an invalid byte becomes U+FFFD when decoded');
  await assert.rejects(
    nursery.run('true', [], { encoding: 'latin1' as never }),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION',
  );
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
