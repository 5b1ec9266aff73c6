import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Nursery, isNurseryError } from '../src/index.js';
import { alive, assertNoLeftovers, waitFor } from './helpers/proc.js';

const EXITER = fileURLToPath(new URL('./fixtures/exit-with-child.js', import.meta.url));

test('stopAll() stops every child and its tree at once', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const a = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  const b = nursery.spawn({ command: 'sh', args: ['-c', 'sleep 1000; true'], stdio: 'ignore' });
  assert.equal(nursery.list().length, 2);
  const results = await nursery.stopAll();
  assert.equal(results.length, 2);
  assert.equal(alive(a.pid), false);
  assert.equal(alive(b.pid), false);
  assert.equal(nursery.list().length, 0);
  const s = nursery.stats();
  assert.equal(s.spawned, 2);
  assert.equal(s.exited, 2);
  assert.equal(s.stopped, 2);
  assert.equal(s.running, 0);
  await nursery.close();
});

test('close() stops every child, then refuses new spawns with ERR_NURSERY_CLOSED', async () => {
  const nursery = new Nursery({ subreaper: true, log: false });
  const a = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
  await nursery.close();
  assert.equal(alive(a.pid), false);
  assert.equal(nursery.closed, true);
  assert.throws(
    () => nursery.spawn({ command: 'true' }),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_CLOSED',
  );
  await assert.rejects(nursery.run('true'), (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_CLOSED');
  assert.throws(
    () => nursery.fork('worker.js'),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_CLOSED',
  );
});

test('await using a Nursery closes it at the end of the scope', async () => {
  let pid = 0;
  {
    await using nursery = new Nursery({ subreaper: true, log: false });
    pid = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' }).pid;
  }
  assert.equal(alive(pid), false);
});

async function runExiter(mode: string): Promise<number> {
  const cp = spawn(process.execPath, [EXITER, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  cp.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((resolve) => cp.once('close', resolve));
  return Number(out.trim());
}

test('a host that exits with children still running takes their trees with it (cleanupOnExit)', async () => {
  const guard = new Nursery({ subreaper: true, log: false });
  const pid = await runExiter('cleanup');
  assert.ok(pid > 0);
  await waitFor(() => !alive(pid), 10_000, 'the child of the exited host to die');
  await guard.close();
});

test('cleanupOnExit: false leaves them running', async () => {
  const guard = new Nursery({ subreaper: true, log: false, orphans: 'kill' });
  const pid = await runExiter('keep');
  assert.equal(alive(pid), true);
  // The orphan is ours (subreaper) and the 'kill' policy stops it after its grace.
  await waitFor(() => !alive(pid), 20_000, 'the orphan policy to stop it');
  assert.equal(guard.stats().orphansKilled, 1);
  await guard.close();
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
