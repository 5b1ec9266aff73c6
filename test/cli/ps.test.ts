// `nursery ps` against a live endpoint (issue 12): the table lists the children by owner, --json is
// the endpoint's versioned snapshot, --watch in a pipe prints one snapshot after another, and a
// usage mistake or an unreachable endpoint gives exit 2 or 1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import { NURSERY_BIN } from '../helpers/init.js';
import { assertNoLeftovers, waitFor } from '../helpers/proc.js';
import { nextEvent } from '../helpers/service.js';

const nursery = new Nursery({ subreaper: true, logger: false });
const dir = mkdtempSync(join(tmpdir(), 'nursery-ps-'));
const socketPath = join(dir, 'debug.sock');
const server = await nursery.serveDebug({ socketPath });
const tcp = await nursery.serveDebug({ port: 0 });
const kids = [
  nursery.spawn({ command: 'sh', args: ['-c', 'sleep 600 & wait'], owner: 'alpha' }),
  nursery.spawn({ command: 'sleep', args: ['600'], owner: 'beta' }),
];
const ps = (...args: string[]) => nursery.run(NURSERY_BIN, ['ps', ...args], { timeoutMs: 60_000 });

test('the table lists every child under its owner, in 80 columns', async () => {
  const r = await ps('--socket', socketPath);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(
    lines.every((l) => l.length <= 80),
    r.stdout,
  );
  const alpha = lines.findIndex((l) => l.startsWith('alpha (1)'));
  const beta = lines.findIndex((l) => l.startsWith('beta (1)'));
  assert.ok(alpha >= 0 && beta > alpha, r.stdout);
  assert.match(lines[alpha + 1] ?? '', new RegExp(`^ ${kids[0]?.pid} +normal running .* sh -c sleep 600 & wait`));
  assert.match(lines[beta + 1] ?? '', new RegExp(`^ ${kids[1]?.pid} +normal running .* sleep 600`));
  assert.match(r.stdout, /^nursery pid \d+ · up /);
  assert.doesNotMatch(r.stdout, /^services /m, 'no SERVICES section without services');
});

test('--json is the endpoint snapshot, version 1, with stable top-level fields', async () => {
  const r = await ps('--url', `http://127.0.0.1:${tcp.port}`, '--json');
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, unknown> & { children: { pid: number; owner: string }[] };
  assert.deepEqual(Object.keys(s), [
    'version',
    'generatedAt',
    'host',
    'services',
    'children',
    'orphans',
    'stats',
    'reaper',
    'daemons',
    'truncated',
  ]);
  assert.equal(s['version'], 1);
  assert.deepEqual(
    s.children
      .filter((c) => c.owner !== 'nursery') // the `nursery ps` running right now is a child too
      .map((c) => [c.pid, c.owner])
      .sort(),
    kids.map((k) => [k.pid, k.owner]).sort(),
  );
});

test('--watch in a pipe prints snapshot after snapshot', async () => {
  const w = nursery.spawn({
    command: NURSERY_BIN,
    args: ['ps', '--socket', socketPath, '--watch', '--interval', '0.2'],
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  w.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => (out.match(/^--- \d{4}-/gm) ?? []).length >= 2, 30_000, 'two snapshots');
  assert.ok(out.includes('alpha (1)'));
  await w.stop({ signal: 'SIGINT' });
});

test('SERVICES: each service with its state, PID, restarts and last exit; its child names it', async () => {
  const web = nursery.supervise({ name: 'web', command: 'sleep', args: ['1000'], owner: 'svc' });
  const crasher = nursery.supervise({
    name: 'crasher',
    command: 'sh',
    args: ['-c', 'exit 3'],
    backoff: { initialMs: 0 },
    crashLoop: { deaths: 3, windowMs: 60_000 },
  });
  await Promise.all([nextEvent(crasher, 'fatal', 60_000), web.ready]);
  try {
    const r = await ps('--socket', socketPath);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.ok(
      lines.every((l) => l.length <= 80),
      r.stdout,
    );
    const title = lines.indexOf('services (2)');
    assert.ok(title > 0, r.stdout);
    assert.match(lines[title + 1] ?? '', /^NAME +STATE +PID RESTARTS LAST-EXIT$/);
    const rows = lines.slice(title + 2, title + 4);
    assert.ok(
      rows.some((l) => new RegExp(`^web +ready +${web.pid} +0 -$`).test(l)),
      r.stdout,
    );
    assert.ok(
      rows.some((l) => /^crasher +fatal +- +2 code 3, \d+s ago$/.test(l)),
      r.stdout,
    );
    assert.ok(title < lines.findIndex((l) => l.startsWith('PID ')), 'the services come before the children');
    const child = lines.find((l) => l.startsWith(` ${web.pid} `));
    assert.match(child ?? '', /\[web\] sleep 1000$/, r.stdout);
  } finally {
    await Promise.all([web.stop(), crasher.stop()]);
  }
});

test('usage mistakes exit 2; an endpoint that is not there exits 1', async () => {
  assert.equal((await ps()).code, 2);
  assert.equal((await ps('--bogus')).code, 2);
  const r = await ps('--socket', join(dir, 'nothing.sock'));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^nursery ps: /);
});

test('the test file leaves no child or zombie behind', async () => {
  await Promise.all(kids.map((k) => k.stop()));
  await nursery.close();
  assert.ok(server && tcp);
  assert.equal(existsSync(socketPath), false, 'close() ended the servers serveDebug() started');
  rmSync(dir, { recursive: true, force: true });
  await assertNoLeftovers();
});
