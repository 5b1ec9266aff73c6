// nursery's diagnostics channels (issue 12): a subscriber sees spawn, stop, exit, reap and orphan
// with the documented payloads, without nursery knowing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { Nursery } from '../../src/index.js';
import { assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';

const seen: Record<string, Record<string, unknown>[]> = { spawn: [], exit: [], stop: [], reap: [], orphan: [] };
const listeners = Object.keys(seen).map((name) => {
  const fn = (m: unknown): void => void seen[name]?.push(m as Record<string, unknown>);
  subscribe(`nursery:${name}`, fn);
  return [`nursery:${name}`, fn] as const;
});
const nursery = new Nursery({
  subreaper: true,
  logger: false,
  orphans: { kill: (info) => info.comm === 'sleep' && info.cmdline.includes('599') },
});

test('spawn, stop and exit carry the child, the reason and the outcome', async () => {
  const h = nursery.spawn({ command: 'sleep', args: ['600'], owner: 'chan' });
  assert.deepEqual(
    seen['spawn']?.find((m) => m['pid'] === h.pid),
    {
      pid: h.pid,
      pgid: h.pid,
      owner: 'chan',
      mode: 'normal',
      command: 'sleep',
      args: ['600'],
      startedAt: h.startedAt,
    },
  );
  await h.stop();
  const stop = seen['stop']?.find((m) => m['pid'] === h.pid);
  assert.equal(stop?.['reason'], 'stop');
  assert.equal(stop?.['owner'], 'chan');
  assert.ok(Number(stop?.['signalled']) >= 1);
  const exit = seen['exit']?.find((m) => m['pid'] === h.pid);
  assert.deepEqual(
    { owner: exit?.['owner'], signal: exit?.['signal'], stopped: exit?.['stopped'], code: exit?.['code'] },
    { owner: 'chan', signal: 'SIGTERM', stopped: true, code: null },
  );
});

test('reap and orphan: an adopted orphan stopped by the policy, then reaped', async () => {
  const r = await nursery.run('sh', ['-c', 'sleep 599 >/dev/null 2>&1 & echo $!'], {
    killLeftovers: false,
    owner: 'x',
  });
  const pid = Number(r.stdout.trim());
  await waitFor(
    () => seen['reap']?.some((m) => m['pid'] === pid) === true,
    30_000,
    'the orphan to be stopped and reaped',
  );
  const orphan = seen['orphan']?.find((m) => m['pid'] === pid);
  assert.deepEqual({ comm: orphan?.['comm'], action: orphan?.['action'] }, { comm: 'sleep', action: 'stop' });
  const reap = seen['reap']?.find((m) => m['pid'] === pid);
  assert.deepEqual(
    { comm: reap?.['comm'], signal: reap?.['signal'], leak: reap?.['leak'] },
    { comm: 'sleep', signal: 'SIGTERM', leak: false },
  );
  assert.equal(typeof reap?.['session'], 'number');
  assert.equal(typeof reap?.['at'], 'number');
  assert.equal(stat(pid), null);
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  for (const [name, fn] of listeners) unsubscribe(name, fn);
  await assertNoLeftovers();
});
