// The logger option and the quiet default (issue 12): a subreaper reaping adopted orphans is doing
// its job and says nothing; a plain process that reaps a zombie of its own has a leak, and says so
// once (rate-limited), naming the zombie and pointing to /debug/processes; pino gets both as objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Nursery, isNurseryError } from '../../src/index.js';
import { assertNoLeftovers } from '../helpers/proc.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/observe-logging.js', import.meta.url));
const nursery = new Nursery({ logger: false });

async function host(...args: string[]): Promise<{ out: string[]; err: string; reaped: number }> {
  const r = await nursery.run(process.execPath, [FIXTURE, ...args], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, `the fixture failed: ${r.stderr}`);
  const out = r.stdout.trim().split('\n');
  const last = JSON.parse(out.at(-1) ?? '{}') as { done?: boolean; reaped?: number };
  assert.equal(last.done, true);
  return { out: out.slice(0, -1), err: r.stderr, reaped: last.reaped ?? -1 };
}

test('a subreaper that reaps 100 adopted orphans writes nothing to stderr by default', async () => {
  const r = await host('orphans');
  assert.equal(r.reaped, 100);
  assert.equal(r.err, '', 'not one line on stderr');
  assert.deepEqual(r.out, []);
});

test('a plain process that reaps leaked zombies writes one warning naming the culprit', async () => {
  const r = await host('leak');
  assert.equal(r.reaped, 2);
  const lines = r.err.trim().split('\n');
  assert.equal(lines.length, 1, `one warning for two leaks (rate-limited): ${r.err}`);
  assert.match(lines[0] ?? '', /^nursery: reaped zombie \d+ \(true\): a child of this process that nobody waited for/);
  assert.match(lines[0] ?? '', /\/debug\/processes/);
  assert.match(lines[0] ?? '', /leak=true/);
});

test('a pino logger receives the adopted reaps as debug objects and the leak as a warning object', async () => {
  const orphans = (await host('orphans', '--pino')).out.map((l) => JSON.parse(l) as Record<string, unknown>);
  const reaps = orphans.filter((o) => o['event'] === 'nursery.reap');
  assert.equal(reaps.length, 100);
  for (const o of reaps) {
    assert.equal(o['level'], 20, 'debug');
    assert.equal(o['leak'], false);
    assert.equal(o['comm'], 'sleep');
    assert.equal(typeof o['pid'], 'number');
    assert.equal(o['signal'], 'SIGTERM');
  }
  const leak = await host('leak', '--pino');
  assert.equal(leak.err, '', 'with a logger given, nothing goes to stderr');
  const objects = leak.out.map((l) => JSON.parse(l) as Record<string, unknown>);
  const warns = objects.filter((o) => o['level'] === 40);
  assert.equal(warns.length, 1, JSON.stringify(objects));
  assert.deepEqual(
    { event: warns[0]?.['event'], leak: warns[0]?.['leak'], comm: warns[0]?.['comm'], see: warns[0]?.['see'] },
    { event: 'nursery.reap', leak: true, comm: 'true', see: '/debug/processes' },
  );
  assert.equal(objects.filter((o) => o['event'] === 'nursery.reap').length, 2, 'the held-back one is a debug event');
});

test('the logger option is checked: an object with the four methods, or false', () => {
  for (const bad of [true, 'pino', {}, { debug() {}, info() {}, warn() {} }]) {
    assert.throws(
      () => new Nursery({ logger: bad as never }),
      (e: unknown) => isNurseryError(e) && e.code === 'ERR_NURSERY_INVALID_OPTION',
    );
  }
});

test('the test file leaves no child or zombie behind', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
