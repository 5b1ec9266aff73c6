// Supervised services in every view (issue 14, Observability): list() names each incarnation's
// service, services() shows states, restarts and the backoff's wait, /debug/processes carries them,
// the metrics count restarts by service and services by state (fatal ones too), and the
// `nursery:service` channel publishes each event object. Real services: a shell that exits 3 until
// it goes fatal, a `sleep` restarted by restart(), one waiting out a long backoff.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { request } from 'node:http';
import { Registry } from 'prom-client';
import { CHANNELS, Nursery, type DebugSnapshot, type ServiceEvent } from '../../src/index.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { nextEvent, record } from '../helpers/service.js';

const published: ServiceEvent[] = [];
const onService = (m: unknown): void => void published.push(m as ServiceEvent);
subscribe(CHANNELS.service, onService);
const nursery = new Nursery({ subreaper: true, logger: false });
const registry = new Registry();
nursery.metrics(registry);
const server = await nursery.serveDebug({ port: 0 });

function getJson(): Promise<DebugSnapshot> {
  return new Promise((resolve, reject) => {
    const req = request(server.url, { headers: { accept: 'application/json' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve(JSON.parse(body) as DebugSnapshot));
    });
    req.on('error', reject);
    req.end();
  });
}

// Requests within 250 ms share one snapshot: ask again until it shows what the test waits for.
async function snapshotUntil(cond: (s: DebugSnapshot) => boolean, what: string): Promise<DebugSnapshot> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const s = await getJson();
    if (cond(s)) return s;
    if (Date.now() > deadline) throw new Error(`no snapshot with ${what} within 30 s: ${JSON.stringify(s.services)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function sample(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const prefix = `${name}{${want}} `;
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

const svc = (name: string) => nursery.services().find((s) => s.name === name);

test('a crash loop: fatal in services(), the snapshot and the metrics; every event on the channel', async () => {
  const crasher = nursery.supervise({
    name: 'crasher',
    command: 'sh',
    args: ['-c', 'exit 3'],
    backoff: { initialMs: 0 },
    crashLoop: { deaths: 3, windowMs: 60_000 },
  });
  const events = record(crasher);
  const fatal = await nextEvent(crasher, 'fatal', 60_000);
  assert.equal(fatal.history.length, 3);
  const info = svc('crasher');
  assert.equal(info?.state, 'fatal', 'a fatal service stays listed until stopped');
  assert.equal(info?.restarts, 2);
  assert.equal(info?.incarnation, 3);
  assert.equal(info?.pid, null);
  assert.equal(info?.lastExit?.code, 3);
  // The channel carries the very event objects the service's listeners get, in order.
  const mine = published.filter((e) => e.service === 'crasher');
  assert.equal(mine.length, events.length);
  mine.forEach((e, i) => assert.equal(e, events[i], `event ${i} (${e.type})`));
  assert.deepEqual(
    mine.map((e) => e.type),
    // Without a ready probe, an incarnation is ready once spawned.
    ['spawn', 'ready', 'exit', 'backoff', 'spawn', 'ready', 'exit', 'backoff', 'spawn', 'ready', 'exit', 'fatal'],
  );

  assert.equal(await sample('nursery_restarts_total', { service: 'crasher' }), 2);
  assert.equal(await sample('nursery_services', { state: 'fatal' }), 1);
  assert.equal(nursery.stats().services.states.fatal, 1);

  {
    const snap = await snapshotUntil((s) => s.services.some((x) => x.name === 'crasher'), 'crasher');
    const entry = snap.services.find((s) => s.name === 'crasher');
    assert.deepEqual(
      { ...entry, lastExit: { ...entry?.lastExit, at: 0 } },
      {
        name: 'crasher',
        state: 'fatal',
        pid: null,
        restarts: 2,
        incarnation: 3,
        lastExit: { code: 3, signal: null, reason: 'exit', failed: true, error: null, at: 0 },
        backoffMs: null,
        nextStartAt: null,
      },
    );
  }

  await crasher.stop();
  assert.equal(svc('crasher'), undefined, 'stopped: no longer listed');
  assert.equal(await sample('nursery_services', { state: 'fatal' }), 0);
  assert.equal(await sample('nursery_restarts_total', { service: 'crasher' }), 2, 'the counter outlives it');
});

test('restart(): list() names the service of each incarnation; restarts counted everywhere', async () => {
  const plain = nursery.spawn({ command: 'sleep', args: ['1000'], owner: 'plain' });
  const sleeper = nursery.supervise({ name: 'sleeper', command: 'sleep', args: ['1000'], owner: 'web' });
  await nextEvent(sleeper, 'spawn');
  const first = sleeper.pid;
  assert.ok(first !== null);
  const child = (pid: number | null) => nursery.list().find((c) => c.pid === pid);
  assert.equal(child(first)?.service, 'sleeper');
  assert.equal(child(plain.pid)?.service, null);
  assert.equal(await sample('nursery_restarts_total', { service: 'sleeper' }), 0, 'a series from the start');

  await sleeper.restart();
  await waitFor(() => sleeper.pid !== null && sleeper.pid !== first, 30_000, 'the second incarnation');
  const second = sleeper.pid;
  assert.equal(child(second)?.service, 'sleeper');
  assert.equal(child(first), undefined);
  const info = svc('sleeper');
  assert.equal(info?.state, 'ready', 'without a ready probe, ready once spawned');
  assert.equal(info?.restarts, 1);
  assert.equal(info?.incarnation, 2);
  assert.equal(info?.lastExit?.reason, 'restart');
  assert.equal(await sample('nursery_restarts_total', { service: 'sleeper' }), 1);
  assert.equal(await sample('nursery_services', { state: 'ready' }), 1);

  {
    const snap = await snapshotUntil((s) => s.children.some((c) => c.pid === second), 'the second incarnation');
    assert.equal(snap.children.find((c) => c.pid === second)?.service, 'sleeper');
    assert.equal(snap.children.find((c) => c.pid === plain.pid)?.service, null);
    const entry = snap.services.find((s) => s.name === 'sleeper');
    assert.equal(entry?.state, 'ready');
    assert.equal(entry?.pid, second);
    assert.equal(entry?.restarts, 1);
    assert.equal(entry?.lastExit?.reason, 'restart');
    assert.equal(entry?.lastExit?.signal, 'SIGTERM');
  }
  await Promise.all([sleeper.stop(), plain.stop()]);
  assert.equal(svc('sleeper'), undefined);
  assert.equal(await sample('nursery_restarts_total', { service: 'sleeper' }), 1);
});

test('backoff: the delay and the next start in services() and the snapshot', async () => {
  const slow = nursery.supervise({
    name: 'slow',
    command: 'sh',
    args: ['-c', 'exit 1'],
    backoff: { initialMs: 600_000, jitter: 0 },
  });
  const backoff = await nextEvent(slow, 'backoff');
  assert.equal(backoff.delayMs, 600_000);
  const info = svc('slow');
  assert.equal(info?.state, 'backoff');
  assert.equal(info?.backoffMs, 600_000);
  assert.equal(info?.nextStartAt, backoff.at + 600_000);
  assert.equal(await sample('nursery_services', { state: 'backoff' }), 1);
  assert.ok(published.some((e) => e === backoff));
  {
    const snap = await snapshotUntil((s) => s.services.some((x) => x.name === 'slow'), 'slow in backoff');
    const entry = snap.services.find((s) => s.name === 'slow');
    assert.equal(entry?.state, 'backoff');
    assert.equal(entry?.backoffMs, 600_000);
    assert.equal(entry?.nextStartAt, backoff.at + 600_000);
    assert.equal(entry?.lastExit?.code, 1);
  }
  await slow.stop();
  assert.equal(await sample('nursery_services', { state: 'backoff' }), 0);
});

test('the test file leaves no child or zombie behind', async () => {
  unsubscribe(CHANNELS.service, onService);
  await server.close();
  await nursery.close();
  await assertNoLeftovers();
});
