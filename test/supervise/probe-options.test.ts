// The `ready` and `health` options, checked before any process exists: defaults filled in, and a
// typed NurseryOptionError naming the exact field for anything wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NurseryOptionError } from '../../src/index.js';
import { resolveHealth, resolveProbe } from '../../src/options/probe.js';
import { assertNoLeftovers } from '../helpers/proc.js';

function refused(fn: () => unknown, code: string, option: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof NurseryOptionError, String(error));
    assert.ok(error instanceof TypeError);
    assert.equal(error.code, code, error.message);
    assert.equal(error.option, option, error.message);
    return true;
  });
}

test('resolveProbe fills in the defaults of each kind', () => {
  assert.deepEqual(resolveProbe({ tcp: 8080 }), { tcp: 8080, host: '127.0.0.1', timeoutMs: 30_000 });
  assert.deepEqual(resolveProbe({ tcp: 5432, host: '::1', timeoutMs: 500 }), {
    tcp: 5432,
    host: '::1',
    timeoutMs: 500,
  });
  assert.deepEqual(resolveProbe({ notifyFd: 3 }), { notifyFd: 3, timeoutMs: 30_000 });
  assert.deepEqual(resolveProbe({ ipc: 'ready' }), { ipc: 'ready', timeoutMs: 30_000 });
  const re = /listening/;
  assert.equal((resolveProbe({ logLine: re }) as { logLine: RegExp }).logLine, re);
  assert.deepEqual(resolveProbe({ http: 'http://127.0.0.1:3000/healthz' }), {
    http: 'http://127.0.0.1:3000/healthz',
    timeoutMs: 30_000,
  });
  assert.deepEqual(resolveProbe({ exec: ['pg_isready', '-q'] }), { exec: ['pg_isready', '-q'], timeoutMs: 30_000 });
  // Absent fields are absent, not "undefined" keys, so `kind in spec` finds the one kind.
  assert.deepEqual(Object.keys(resolveProbe({ ipc: 'ready', tcp: undefined })), ['ipc', 'timeoutMs']);
});

test('resolveProbe refuses a probe of no kind, of two kinds, or with an unknown key', () => {
  for (const bad of [null, 'tcp', 8080, [], undefined])
    refused(() => resolveProbe(bad), 'ERR_NURSERY_INVALID_OPTION', 'ready');
  refused(() => resolveProbe({}), 'ERR_NURSERY_INVALID_OPTION', 'ready');
  refused(() => resolveProbe({ timeoutMs: 5 }), 'ERR_NURSERY_INVALID_OPTION', 'ready');
  refused(() => resolveProbe({ tcp: 80, http: 'http://x/' }), 'ERR_NURSERY_INVALID_OPTION', 'ready');
  assert.throws(() => resolveProbe({ tcp: 80, http: 'http://x/' }), /got tcp and http/);
  refused(() => resolveProbe({ tpc: 80 }), 'ERR_NURSERY_UNKNOWN_OPTION', 'tpc');
  refused(() => resolveProbe({ tcp: 80, interval: 5 }), 'ERR_NURSERY_UNKNOWN_OPTION', 'interval');
  refused(() => resolveProbe({ http: 'http://x/', host: 'x' }), 'ERR_NURSERY_INVALID_OPTION', 'ready.host');
});

test("resolveProbe checks each kind's value, and names the field", () => {
  const cases: [Record<string, unknown>, string][] = [
    ...[0, 65536, 1.5, '80', -1].map((tcp): [Record<string, unknown>, string] => [{ tcp }, 'ready.tcp']),
    [{ tcp: 80, host: '' }, 'ready.host'],
    ...[2, 1024, 3.5, '3'].map((notifyFd): [Record<string, unknown>, string] => [{ notifyFd }, 'ready.notifyFd']),
    [{ ipc: '' }, 'ready.ipc'],
    [{ ipc: 1 }, 'ready.ipc'],
    [{ logLine: 'listening' }, 'ready.logLine'],
    ...['ftp://x/', 'not a url', '/relative', 5].map((http): [Record<string, unknown>, string] => [
      { http },
      'ready.http',
    ]),
    [{ exec: [] }, 'ready.exec'],
    [{ exec: 'pg_isready' }, 'ready.exec'],
    [{ exec: [''] }, 'ready.exec[0]'],
    [{ exec: ['ls', 1] }, 'ready.exec[1]'],
    ...[-1, 0, Number.NaN, Infinity, '5'].map((timeoutMs): [Record<string, unknown>, string] => [
      { tcp: 80, timeoutMs },
      'ready.timeoutMs',
    ]),
  ];
  for (const [spec, option] of cases) refused(() => resolveProbe(spec), 'ERR_NURSERY_INVALID_OPTION', option);
});

test('resolveHealth fills in the defaults of types.ts', () => {
  assert.deepEqual(resolveHealth({ probe: { tcp: 80 } }), {
    probe: { tcp: 80, host: '127.0.0.1' },
    intervalMs: 10_000,
    timeoutMs: 5000,
    failures: 3,
    startPeriodMs: 0,
  });
  assert.deepEqual(
    resolveHealth({
      probe: { exec: ['true'] },
      intervalMs: 1000,
      timeoutMs: 200,
      failures: 1,
      startPeriodMs: 3000,
    }),
    { probe: { exec: ['true'] }, intervalMs: 1000, timeoutMs: 200, failures: 1, startPeriodMs: 3000 },
  );
});

test('resolveHealth takes only tcp, http or exec, and one timeout', () => {
  for (const probe of [{ notifyFd: 3 }, { ipc: 'ready' }, { logLine: /x/ }]) {
    refused(() => resolveHealth({ probe }), 'ERR_NURSERY_INVALID_OPTION', 'health.probe');
    assert.throws(() => resolveHealth({ probe }), /answers once/);
  }
  refused(() => resolveHealth({}), 'ERR_NURSERY_INVALID_OPTION', 'health.probe');
  refused(() => resolveHealth({ probe: 80 }), 'ERR_NURSERY_INVALID_OPTION', 'health.probe');
  refused(
    () => resolveHealth({ probe: { tcp: 80, timeoutMs: 5 } }),
    'ERR_NURSERY_INVALID_OPTION',
    'health.probe.timeoutMs',
  );
  refused(() => resolveHealth({ probe: { tcp: 0 } }), 'ERR_NURSERY_INVALID_OPTION', 'health.probe.tcp');
  refused(() => resolveHealth({ probe: { tcp: 80 }, every: 5 }), 'ERR_NURSERY_UNKNOWN_OPTION', 'every');
  refused(() => resolveHealth({ probe: { tcp: 80, hots: 'x' } }), 'ERR_NURSERY_UNKNOWN_OPTION', 'hots');
  for (const failures of [0, 1.5, -1, '3'])
    refused(() => resolveHealth({ probe: { tcp: 80 }, failures }), 'ERR_NURSERY_INVALID_OPTION', 'health.failures');
  for (const field of ['intervalMs', 'timeoutMs'])
    refused(() => resolveHealth({ probe: { tcp: 80 }, [field]: 0 }), 'ERR_NURSERY_INVALID_OPTION', `health.${field}`);
  refused(
    () => resolveHealth({ probe: { tcp: 80 }, startPeriodMs: -1 }),
    'ERR_NURSERY_INVALID_OPTION',
    'health.startPeriodMs',
  );
});

test('the test file leaves no child or zombie behind', async () => {
  await assertNoLeftovers();
});
