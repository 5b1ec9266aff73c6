// A process that started daemons is SIGKILLed; a new one finds exactly those, attaches and stops
// them. A registry entry whose PID now belongs to another process is pruned, never signalled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopDaemonsUnder } from '../helpers/daemons.js';
import { Nursery } from '../../src/index.js';
import { alive, assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';
import { FIXTURES, readJsonLine } from '../helpers/tree.js';

const base = mkdtempSync(join(tmpdir(), 'nursery-restart-'));
// Subreaper: the starter's daemons come back to this process when its launchers exit.
const nursery = new Nursery({ subreaper: true, log: false, registryDir: join(base, 'reg') });

test(
  'process A starts 5 daemons and is SIGKILLed; process ' + 'B lists exactly those 5, attaches and stops them',
  async () => {
    const registryDir = join(base, 'reg');
    const a = nursery.spawn({
      command: process.execPath,
      args: [`${FIXTURES}daemon-starter.js`, registryDir, '5'],
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const started = await readJsonLine<{ ids: string[]; pids: number[] }>(a.stdout);
    await a.stop({ signal: 'SIGKILL' });
    assert.ok(!alive(a.pid));
    for (const pid of started.pids) assert.ok(alive(pid), `daemon ${pid} outlived its starter`);

    const b = new Nursery({ log: false, registryDir });
    const listed = b.daemons();
    assert.deepEqual(listed.map((d) => d.id).sort(), [...started.ids].sort());
    assert.deepEqual(listed.map((d) => d.owner).sort(), ['pod-0', 'pod-1', 'pod-2', 'pod-3', 'pod-4']);
    const exits = await Promise.all(started.ids.map((id) => b.attach(id).stop()));
    assert.ok(exits.every((e) => e.stopped));
    for (const pid of started.pids) assert.ok(!alive(pid), `daemon ${pid} is gone`);
    assert.deepEqual(b.daemons(), []);
    await b.close();
  },
);

test(
  'an entry whose PID was recycled (same PID, other start ' + 'time) is pruned and its process never signalled',
  async () => {
    const registryDir = join(base, 'reg-recycled');
    const n = new Nursery({ log: false, registryDir });
    const bystander = nursery.spawn({ command: 'sleep', args: ['1000'], stdio: 'ignore' });
    const real = stat(bystander.pid);
    assert.ok(real);
    n.daemons(); // creates the directory
    const id = 'd-0123456789ab';
    const entry = {
      version: 1,
      id,
      pid: bystander.pid,
      startTime: real.startTime - 1,
      bootId: '',
      owner: 'ghost',
      command: 'sleep',
      args: ['1000'],
      cwd: null,
      stdout: null,
      stderr: null,
      startedAt: new Date().toISOString(),
      killSignal: 9,
      graceMs: 0,
    };
    writeFileSync(join(registryDir, `${id}.json`), JSON.stringify(entry), { mode: 0o600 });
    await n.stopAll({ daemons: true });
    assert.deepEqual(n.daemons(), [], 'pruned');
    assert.throws(() => n.attach(id), /ERR_NURSERY_NO_DAEMON|no daemon|No daemon/);
    // Still running, and not even SIGTERMed: it would have died of it.
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(alive(bystander.pid), 'the process that now holds the PID was never signalled');
    const info = await bystander.stop();
    assert.equal(info.signal, 'SIGTERM', 'it died of our own stop, not of the registry');
    await n.close();
  },
);

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await stopDaemonsUnder(base);
  await waitFor(() => true);
  await assertNoLeftovers();
});
