// ServiceGroup (issue 14) with fake services: the exact start order (each as soon as its
// dependencies meet their condition, independent ones together), the reverse stop order, the
// errors for a cycle and a missing dependency (nothing made), a fatal dependency, a stop before
// everything started, the merged events and a hurried second stop. No process is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DependencyError, ServiceGroup } from '../../src/supervise/group.js';
import type { GroupMemberSpec, ServiceEvent } from '../../src/supervise/types.js';
import { isNurseryError } from '../../src/errors.js';
import { type FakeService, fakeMaker } from '../helpers/fake-service.js';
import { assertNoLeftovers } from '../helpers/proc.js';

// One turn of the event loop: every promise reaction queued so far has run.
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const cmd = { command: 'true' };

function fake(made: Map<string, FakeService>, name: string): FakeService {
  const s = made.get(name);
  assert.ok(s, `${name} was not made`);
  return s;
}

test('each service starts as soon as its dependencies meet their condition', async () => {
  const { make, made, log } = fakeMaker();
  const specs: Record<string, GroupMemberSpec> = {
    web: { ...cmd, dependsOn: { api: 'started', assets: 'completed' } },
    api: { ...cmd, ready: { tcp: 1 }, dependsOn: { db: 'ready' } },
    db: { ...cmd, ready: { tcp: 2 } },
    assets: { ...cmd },
    metrics: { ...cmd, dependsOn: { db: 'healthy' }, name: 'ignored' },
  };
  const group = new ServiceGroup(specs, make);
  // The independent ones at once, in spec order, and nothing else.
  assert.deepEqual(log, ['make db', 'make assets']);
  fake(made, 'db').spawn();
  fake(made, 'assets').spawn();
  await settle();
  assert.deepEqual(log, ['make db', 'make assets'], 'db spawned but not ready: api waits');
  fake(made, 'db').becomeReady();
  await settle();
  // db has no health probe: 'healthy' means ready (docs/up.md).
  assert.deepEqual(log.slice(2), ['make api', 'make metrics']);
  assert.equal(fake(made, 'metrics').spec.name, 'metrics', 'the key names the service');
  assert.equal('dependsOn' in fake(made, 'metrics').spec, false);
  fake(made, 'api').spawn();
  await settle();
  assert.equal(made.has('web'), false, 'web also waits for assets to complete');
  fake(made, 'assets').exit(true, 'backoff');
  await settle();
  assert.equal(made.has('web'), false, 'a failed exit that restarts is not completion');
  fake(made, 'assets').spawn().exit(false, 'exited');
  await settle();
  assert.deepEqual(log.slice(4), ['make web']);
  await group.started;
  assert.deepEqual([...group.services.keys()], ['db', 'assets', 'api', 'metrics', 'web']);
  assert.deepEqual(group.info().pending, []);
  await group.stop();
});

test("'healthy' waits for the first healthy event of a service that has a health probe", async () => {
  const { make, made, log } = fakeMaker();
  const group = new ServiceGroup(
    { db: { ...cmd, health: { probe: { tcp: 1 } } }, app: { ...cmd, dependsOn: { db: 'healthy' } } },
    make,
  );
  fake(made, 'db').spawn().becomeReady();
  await settle();
  assert.deepEqual(log, ['make db']);
  fake(made, 'db').healthy();
  await settle();
  assert.deepEqual(log, ['make db', 'make app']);
  await group.stop();
});

test('stop runs in reverse dependency order, independent services together', async () => {
  const { make, made, log } = fakeMaker();
  const group = new ServiceGroup(
    {
      db: cmd,
      cache: cmd,
      api: { ...cmd, dependsOn: { db: 'started', cache: 'started' } },
      web: { ...cmd, dependsOn: { api: 'started' } },
      worker: { ...cmd, dependsOn: { db: 'started' } },
    },
    make,
  );
  fake(made, 'db').spawn();
  fake(made, 'cache').spawn();
  await settle();
  fake(made, 'api').spawn();
  fake(made, 'worker').spawn();
  await settle();
  fake(made, 'web').spawn();
  await group.started;
  for (const s of made.values()) s.hold = true;
  log.length = 0;
  const stopped = group.stop({ graceMs: 100 });
  await settle();
  // The leaves first, together: web and worker; nothing they depend on yet.
  assert.deepEqual(log.sort(), ['stop web', 'stop worker']);
  fake(made, 'web').release();
  await settle();
  assert.deepEqual(log.slice(2), ['stopped web', 'stop api']);
  fake(made, 'api').release();
  await settle();
  // cache's dependents are all gone; db still waits for worker.
  assert.deepEqual(log.slice(4), ['stopped api', 'stop cache']);
  fake(made, 'worker').release();
  await settle();
  assert.deepEqual(log.slice(6), ['stopped worker', 'stop db']);
  fake(made, 'cache').release();
  fake(made, 'db').release();
  await stopped;
  assert.deepEqual(fake(made, 'db').stopCalls, [{ graceMs: 100 }]);
  assert.ok([...made.values()].every((s) => s.state === 'stopped'));
});

test('a second stop passes its options to the services already stopping, and to the rest', async () => {
  const { make, made } = fakeMaker();
  const group = new ServiceGroup({ db: cmd, api: { ...cmd, dependsOn: { db: 'started' } } }, make);
  fake(made, 'db').spawn();
  await group.started;
  fake(made, 'api').hold = true;
  const first = group.stop();
  await settle();
  const second = group.stop({ signal: 'SIGKILL' });
  assert.equal(second, first);
  assert.deepEqual(fake(made, 'api').stopCalls, [undefined, { signal: 'SIGKILL' }]);
  fake(made, 'api').release();
  await first;
  assert.deepEqual(fake(made, 'db').stopCalls, [{ signal: 'SIGKILL' }]);
});

test('a cycle or a missing dependency throws and makes nothing', () => {
  const { make, log } = fakeMaker();
  assert.throws(
    () =>
      new ServiceGroup({ a: { ...cmd, dependsOn: { b: 'started' } }, b: { ...cmd, dependsOn: { a: 'ready' } } }, make),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_DEPENDENCY_CYCLE' && /a -> b -> a/.test(String(e)),
  );
  assert.throws(
    () => new ServiceGroup({ a: cmd, b: { ...cmd, dependsOn: { c: 'started' } } }, make),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_UNKNOWN_DEPENDENCY' && /"c"/.test(String(e)),
  );
  assert.deepEqual(log, []);
});

test('a dependency that goes fatal: its dependents never start, and started rejects naming them', async () => {
  const { make, made, log } = fakeMaker();
  const group = new ServiceGroup(
    {
      db: { ...cmd, ready: { tcp: 1 } },
      api: { ...cmd, dependsOn: { db: 'ready' } },
      web: { ...cmd, dependsOn: { api: 'started' } },
      other: cmd,
    },
    make,
  );
  fake(made, 'db').spawn().fatal('5 deaths in 60000 ms');
  await assert.rejects(group.started, (e: unknown) => {
    assert.ok(e instanceof DependencyError);
    assert.equal(e.code, 'ERR_NURSERY_DEPENDENCY_FAILED');
    assert.equal(e.service, 'api');
    assert.equal(e.dependency, 'db');
    assert.match(e.message, /"api" did not start: its dependency "db" \(ready\) never became ready: went fatal/);
    return true;
  });
  const info = group.info();
  assert.deepEqual(
    info.failed.map((f) => f.name),
    ['api', 'web'],
  );
  assert.match(info.failed[1]?.reason ?? '', /"web" did not start: its dependency "api" did not start/);
  assert.deepEqual(log, ['make db', 'make other']);
  await group.stop();
});

test("a 'completed' dependency that exits with a failure for good fails its dependents", async () => {
  const { make, made } = fakeMaker();
  const group = new ServiceGroup({ migrate: cmd, app: { ...cmd, dependsOn: { migrate: 'completed' } } }, make);
  fake(made, 'migrate').spawn().exit(true, 'exited');
  await assert.rejects(group.started, /"app" did not start: .*"migrate" \(completed\) exited with a failure .*code 1/);
  await group.stop();
});

test('a stop before everything started: the waiting ones never start', async () => {
  const { make, made, log } = fakeMaker();
  const group = new ServiceGroup(
    { db: { ...cmd, ready: { tcp: 1 } }, api: { ...cmd, dependsOn: { db: 'ready' } } },
    make,
  );
  fake(made, 'db').spawn();
  await group.stop();
  await assert.rejects(group.started, /"api" did not start: the group was stopped first/);
  assert.deepEqual(log, ['make db', 'stop db', 'stopped db']);
  assert.equal(made.has('api'), false);
});

test('events() merges every service, later ones included, and ends when all have ended', async () => {
  const { make, made } = fakeMaker();
  await using group = new ServiceGroup({ db: cmd, api: { ...cmd, dependsOn: { db: 'started' } } }, make);
  const seen: string[] = [];
  const reading = (async () => {
    for await (const e of group.events() as AsyncIterable<ServiceEvent>) seen.push(`${e.type} ${e.service}`);
  })();
  fake(made, 'db').spawn();
  await settle();
  fake(made, 'api').spawn();
  await group.stop();
  await reading;
  assert.deepEqual(seen, ['spawn db', 'spawn api', 'stopped api', 'stopped db']);
});

test('a make that throws fails that service and its dependents, not the group', async () => {
  const { make, log } = fakeMaker();
  const group = new ServiceGroup({ ok: cmd, bad: cmd, after: { ...cmd, dependsOn: { bad: 'started' } } }, (n, s) => {
    if (n === 'bad') throw new Error('no such command');
    return make(n, s);
  });
  await assert.rejects(group.started, /"bad" did not start: it could not be made: no such command/);
  assert.deepEqual(log, ['make ok']);
  assert.deepEqual(
    group.info().failed.map((f) => f.name),
    ['bad', 'after'],
  );
  await group.stop();
});

test('no leftovers', async () => {
  await assertNoLeftovers();
});
