// Readiness and health through nursery.supervise(), end to end with real programs: an unmodified
// s6-style program (a newline on its notification fd), PM2's process.send('ready'), a log line, a
// TCP port each reach 'ready'; a program that never says so fails its start at the timeout (and is
// restarted through the backoff); a health check that starts failing makes it 'unready', then
// restarts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Nursery } from '../../src/index.js';
import type { ServiceSpec } from '../../src/supervise/types.js';
import { alive, assertNoLeftovers } from '../helpers/proc.js';
import { nextEvent, record } from '../helpers/service.js';

const nursery = new Nursery({ subreaper: true, log: false });
const LONG = { timeout: 120_000 };

async function becomesReady(spec: ServiceSpec): Promise<void> {
  const s = nursery.supervise(spec);
  const events = record(s);
  await s.ready;
  assert.equal(s.state, 'ready');
  assert.deepEqual(
    events.map((e) => e.type),
    ['spawn', 'ready'],
  );
  await s.stop();
}

test('an s6-style program (a newline on fd 3) is ready when it says so', LONG, async () => {
  await becomesReady({
    name: 's6',
    command: 'sh',
    args: ['-c', 'i=0; while [ $i -lt 20 ]; do i=$((i+1)); done; echo >&3; exec 3>&-; exec sleep 1000'],
    ready: { notifyFd: 3 },
  });
});

test("PM2's protocol: process.send('ready') (the channel is opened for it)", LONG, async () => {
  await becomesReady({
    name: 'pm2-style',
    command: process.execPath,
    args: ['-e', "setTimeout(() => process.send('ready'), 50); setInterval(() => {}, 1e6)"],
    ready: { ipc: 'ready' },
  });
});

test('a log line', LONG, async () => {
  await becomesReady({
    name: 'logs-ready',
    command: 'sh',
    args: ['-c', 'echo starting; echo "listening on 1234" >&2; exec sleep 1000'],
    ready: { logLine: /listening on \d+/ },
  });
});

test('a TCP port, listened on after a while', LONG, async () => {
  // A port free now, picked by the kernel (no fixed port on a shared machine).
  const net = await import('node:net');
  const port = await new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (probe.address() as { port: number }).port;
      probe.close(() => resolve(p));
    });
  });
  await becomesReady({
    name: 'tcp-ready',
    command: process.execPath,
    args: [
      '-e',
      `const s = require('net').createServer((c) => c.end()); setTimeout(() => s.listen(${port}, '127.0.0.1'), 100);`,
    ],
    ready: { tcp: port },
  });
});

test('a program that never says it is ready fails its start at the timeout, and is restarted', LONG, async () => {
  const s = nursery.supervise({
    name: 'silent',
    command: 'sleep',
    args: ['1000'],
    ready: { logLine: /never/, timeoutMs: 300 },
    backoff: { initialMs: 0, jitter: 0 },
  });
  const first = s.pid!;
  const exit = await nextEvent(s, 'exit');
  assert.equal(exit.exit.reason, 'ready-timeout');
  assert.equal(exit.exit.failed, true);
  assert.equal(exit.exit.signal, 'SIGTERM', 'it was stopped, not left running');
  assert.ok(!alive(first));
  await nextEvent(s, 'spawn');
  assert.notEqual(s.state, 'ready', 'a timeout is never a silent success');
  await s.stop();
  await assert.rejects(s.ready, { code: 'ERR_NURSERY_SERVICE_ENDED' });
});

test('a health check that starts failing makes it unready, then restarts it', LONG, async (t) => {
  const marker = join(tmpdir(), `nursery-health-${process.pid}`);
  t.after(() => rmSync(marker, { force: true }));
  writeFileSync(marker, 'ok');
  const s = nursery.supervise({
    name: 'checked',
    command: 'sleep',
    args: ['1000'],
    health: { probe: { exec: ['test', '-f', marker] }, intervalMs: 50, timeoutMs: 5000, failures: 3 },
    backoff: { initialMs: 0, jitter: 0 },
  });
  await nextEvent(s, 'healthy');
  const first = s.pid!;
  const unready = nextEvent(s, 'unready');
  const exit = nextEvent(s, 'exit');
  rmSync(marker);
  await unready;
  const ended = await exit;
  assert.equal(ended.exit.reason, 'health');
  assert.equal(ended.exit.incarnation, 1);
  assert.ok(!alive(first));
  // Healthy again once the check passes.
  writeFileSync(marker, 'ok');
  const healthy = await nextEvent(s, 'healthy');
  assert.equal(healthy.incarnation, 2);
  assert.equal(s.state, 'ready');
  await s.stop();
});

test('cleanup', async () => {
  await nursery.close();
  await assertNoLeftovers();
});
