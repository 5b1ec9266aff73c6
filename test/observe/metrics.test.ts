// nursery.metrics(registry) (issue 12): a real prom-client Registry, scraped after a known sequence
// of spawns, exits, stops, timeouts, aborts, a spawn failure and a reap, shows exactly those counts.
// Figures are read from the books on each scrape, so nothing here waits for a metric to catch up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { Nursery, isNurseryError } from '../../src/index.js';
import { assertNoLeftovers, stat, waitFor } from '../helpers/proc.js';

const nursery = new Nursery({ subreaper: true, logger: false });
const registry = new Registry();
const unregister = nursery.metrics(registry);

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  const prefix = want === '' ? `${name} ` : `${name}{${want}} `;
  const line = text.split('\n').find((l) => l.startsWith(prefix));
  return line === undefined ? undefined : Number(line.slice(prefix.length));
}

test('a scrape after a known sequence shows exactly its counts', async () => {
  await nursery.run('sh', ['-c', 'exit 0'], { owner: 'a' });
  await nursery.run('sh', ['-c', 'exit 0'], { owner: 'a' });
  await nursery.run('sh', ['-c', 'exit 3'], { owner: 'a' });
  await nursery.spawn({ command: 'sleep', args: ['600'], owner: 'b' }).stop();
  await nursery.run('sleep', ['600'], { owner: 'b', timeoutMs: 50 });
  const abort = new AbortController();
  const aborted = nursery.spawn({ command: 'sleep', args: ['600'], owner: 'b', signal: abort.signal });
  abort.abort();
  await aborted.exited;
  // A tree that ignores SIGTERM needs SIGKILL after the grace period.
  const stubborn = nursery.spawn({
    command: 'sh',
    args: ['-c', 'trap "" TERM; sleep 600 & echo ready; wait'],
    owner: 'b',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  let out = '';
  stubborn.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes('ready'), 30_000, 'the trap to be set');
  assert.equal((await stubborn.stop({ graceMs: 100 })).signal, 'SIGKILL');
  assert.throws(() => nursery.spawn({ command: 'no-such-command-for-nursery', owner: 'c' }), { code: 'ENOENT' });
  const live = [1, 2].map(() => nursery.spawn({ command: 'sleep', args: ['600'], owner: 'd' }));
  // An orphan: adopted by us when its shell exits, then ended, then reaped (the leak detector's count).
  const before = nursery.stats().reaped;
  const r = await nursery.run('sh', ['-c', 'sleep 600 >/dev/null 2>&1 & echo $!'], {
    owner: 'e',
    killLeftovers: false,
  });
  const orphan = Number(r.stdout.trim());
  await waitFor(() => stat(orphan)?.ppid === process.pid, 30_000, 'the orphan to be adopted');
  process.kill(orphan, 'SIGKILL');
  await waitFor(() => nursery.stats().reaped === before + 1, 30_000, 'the orphan to be reaped');

  const text = await registry.metrics();
  const exitedOf = (owner: string, outcome: string): number | undefined =>
    sample(text, 'nursery_children_exited_total', { owner, outcome });
  assert.equal(exitedOf('a', 'code_zero'), 2);
  assert.equal(exitedOf('a', 'code_nonzero'), 1);
  assert.equal(exitedOf('b', 'signal'), 2, 'the stop() and the SIGKILLed tree');
  assert.equal(exitedOf('b', 'timeout'), 1);
  assert.equal(exitedOf('b', 'aborted'), 1);
  assert.equal(exitedOf('b', 'code_zero'), 0);
  assert.equal(exitedOf('e', 'code_zero'), 1);
  assert.equal(sample(text, 'nursery_children_spawned_total', { owner: 'a' }), 3);
  assert.equal(sample(text, 'nursery_children_spawned_total', { owner: 'b' }), 4);
  assert.equal(sample(text, 'nursery_children_spawned_total', { owner: 'd' }), 2);
  assert.equal(sample(text, 'nursery_spawn_failures_total', { owner: 'c' }), 1);
  assert.equal(sample(text, 'nursery_stops_sigkill_total', { owner: 'b' }), 1);
  assert.equal(sample(text, 'nursery_children', { owner: 'd', mode: 'normal' }), 2);
  assert.equal(sample(text, 'nursery_children', { owner: 'b', mode: 'normal' }), 0);
  assert.equal(sample(text, 'nursery_zombies_reaped_total', { path: 'immediate' }), before + 1);
  assert.equal(sample(text, 'nursery_orphans_stopped_total'), 0);
  assert.equal(sample(text, 'nursery_daemons'), 0);
  const count = sample(text, 'nursery_reaper_scan_duration_seconds_count') ?? 0;
  assert.ok(count >= 1, 'the reaper has scanned');
  assert.equal(sample(text, 'nursery_reaper_scan_duration_seconds_bucket', { le: '+Inf' }), count);
  // No PID, command or argument is ever a label.
  assert.doesNotMatch(text, /pid=|command=|sleep/);
  // The same figures without prom-client.
  const s = nursery.stats();
  assert.deepEqual(s.owners['b']?.exited, { timeout: 1, aborted: 1, signal: 2, codeZero: 0, codeNonZero: 0 });
  assert.deepEqual(s.owners['d']?.running, { normal: 2, pty: 0 });
  await Promise.all(live.map((h) => h.stop()));
  const after = await registry.metrics();
  assert.equal(sample(after, 'nursery_children', { owner: 'd', mode: 'normal' }), 0, 'read live on each scrape');
});

test('metrics() refuses a second registration and a non-registry; the remover takes them out', () => {
  assert.throws(() => nursery.metrics(registry), /already been registered/);
  assert.throws(
    () => nursery.metrics({}),
    (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION',
  );
  unregister();
  assert.equal(registry.getSingleMetric('nursery_children'), undefined);
  assert.equal(registry.getMetricsAsArray().length, 0);
});

test('stats() and a scrape create no daemon registry where there is none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nursery-noreg-'));
  const registryDir = join(dir, 'daemons');
  const n = new Nursery({ logger: false, registryDir });
  const r = new Registry();
  n.metrics(r);
  assert.equal(n.stats().daemons, 0);
  assert.match(await r.metrics(), /^nursery_daemons 0$/m);
  assert.equal(existsSync(registryDir), false);
  await n.close();
  rmSync(dir, { recursive: true, force: true });
});

test('without prom-client, metrics() throws ERR_NURSERY_NO_PROM_CLIENT naming it', async () => {
  // The compiled library alone, in a directory with no node_modules anywhere above it.
  const dir = mkdtempSync(join(tmpdir(), 'nursery-noprom-'));
  try {
    cpSync(fileURLToPath(new URL('../../src/', import.meta.url)), join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    const script =
      "const { Nursery } = await import('./src/index.js');" +
      'const n = new Nursery({ logger: false });' +
      'try { n.metrics({ registerMetric() {}, getSingleMetric() {}, removeSingleMetric() {} }); } ' +
      'catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }';
    const r = await nursery.run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as { code: string; message: string };
    assert.equal(e.code, 'ERR_NURSERY_NO_PROM_CLIENT');
    assert.match(e.message, /npm i prom-client/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
