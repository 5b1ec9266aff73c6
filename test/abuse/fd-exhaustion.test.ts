// A host out of file descriptors: a /proc read that fails with EMFILE says nothing about the
// process, so stop() must never take it for "gone". The fixture runs under `ulimit -n 128`, opens
// /dev/null until EMFILE, then stops a TERM-ignoring tree with a setsid() child. Judged from here,
// by /proc: either nothing of the tree is left, or the ExitInfo says it could not know
// (`unverified`), and never `stopped: true` with survivors.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, stat } from '../helpers/proc.js';
import { FIXTURES } from '../helpers/tree.js';

const nursery = new Nursery({ subreaper: true, log: false });
after(() => nursery.close());

interface Outcome {
  pids: { pid: number; setsid: number };
  info: { stopped: boolean; unverified: boolean; signal: string | null; held: number };
  survivors: number[];
}

async function stopOutOfFds(env: Record<string, string> = {}): Promise<Outcome> {
  const r = await nursery.run(
    'sh',
    ['-c', 'ulimit -n 128 && exec "$0" "$@"', process.execPath, `${FIXTURES}fd-exhaust.js`],
    { env, timeoutMs: 120_000 },
  );
  const [first, second] = r.stdout.trim().split('\n');
  assert.ok(first && second, `the fixture reported: ${r.stdout} ${r.stderr} (exit ${r.code} ${r.signal})`);
  const pids = JSON.parse(first) as Outcome['pids'];
  const info = JSON.parse(second) as Outcome['info'];
  assert.ok(info.held > 0, 'the fixture ran out of descriptors');
  const starts = new Map([pids.pid, pids.setsid].map((p) => [p, stat(p)?.startTime]));
  const survivors = [pids.pid, pids.setsid].filter((p) => alive(p) && stat(p)?.startTime === starts.get(p));
  // Whatever the verdict, nothing of it may outlive this test.
  for (const p of survivors) process.kill(p, 'SIGKILL');
  return { pids, info, survivors };
}

test('out of file descriptors, stop() still stops the whole tree (a spare descriptor for /proc)', async () => {
  const { info, survivors } = await stopOutOfFds();
  assert.deepEqual(survivors, [], `left running: ${JSON.stringify(info)}`);
  assert.equal(info.stopped, true);
  assert.equal(info.unverified, false);
  assert.equal(info.signal, 'SIGKILL');
});

test('with no descriptor to spare, stop() says it cannot know: never stopped: true with survivors', async () => {
  const { info, survivors } = await stopOutOfFds({ NURSERY_NO_SPARE_FD: '1' });
  if (survivors.length > 0 || info.unverified) {
    assert.equal(info.unverified, true, `survivors ${survivors.join(' ')} but ${JSON.stringify(info)}`);
    assert.equal(info.stopped, false);
  }
  assert.ok(survivors.length === 0 || !info.stopped);
});

test('assert no leftovers', assertNoLeftovers);
